"""The decisions taken on listings, and the exemptions granted from a rule."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import acting_user


class ListingDecision(models.Model):
    """One outcome of evaluating one listing: allowed, or blocked by one rule.

    An evaluation that finds several blocking rules writes one row per rule, all
    with the same ``run``. When a decision moved the product's status (blocked at
    publication, suspended by a rule), ``status_change`` points at the move in the
    catalog's status history: the one record of it, which the decision explains.
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        BLOCKED = "blocked", _("Blocked")

    class Trigger(models.TextChoices):
        CREATE = "create", _("created")
        EDIT = "edit", _("edited")
        PUBLISH = "publish", _("publication")
        IMPORT = "import", _("CSV import")
        ADMIN = "admin", _("administration")
        RULE = "rule", _("rule change")
        SELLER = "seller", _("seller change")
        APPEAL = "appeal", _("appeal granted")
        CHECKOUT = "checkout", _("checkout")

    # The regulatory trail: a listing with decisions is archived, never deleted.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="policy_decisions"
    )
    rule = models.ForeignKey(
        "policy.ListingRule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        db_index=False,
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    actor = acting_user(db_index=False)
    status_change = models.ForeignKey(
        "catalog.ProductStatusChange",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    run = models.UUIDField(default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="decision_product_latest")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.outcome}"

    @property
    def from_status(self) -> str:
        """The status the decision moved the listing from ("" when it did not move it)."""
        return self.status_change.from_status if self.status_change_id else ""

    @property
    def to_status(self) -> str:
        return self.status_change.to_status if self.status_change_id else ""


class ExemptionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(ended_at__isnull=True)


class Exemption(models.Model):
    """A listing exempted from one rule, by a granted appeal. Evaluation respects it
    while it is in force: it covers the listing's facts at the grant (``facts``: seller
    country, category, price, certificate) and ends when any of them changes."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="policy_exemptions"
    )
    rule = models.ForeignKey(
        "policy.ListingRule", on_delete=models.PROTECT, related_name="exemptions"
    )
    appeal = models.OneToOneField(
        "policy.Appeal", on_delete=models.PROTECT, related_name="exemption"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    facts = models.JSONField(_("facts at the grant"), default=dict, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "rule"],
                condition=models.Q(ended_at__isnull=True),
                name="exemption_once_per_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} exempt from {self.rule_id}"
