"""The decisions taken on listings, and the exemptions granted from a rule."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ListingDecision(models.Model):
    """One outcome of evaluating one listing: allowed, or blocked by one rule.

    An evaluation that finds several blocking rules writes one row per rule, all
    with the same ``run``. When a decision moved the product's status (blocked at
    publication, suspended by a rule), ``from_status``/``to_status`` say so: the
    decision is then the audit row of that move.
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

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="policy_decisions"
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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    run = models.UUIDField(default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="decision_product_latest")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.outcome}"


class Exemption(models.Model):
    """A listing exempted from one rule, by a granted appeal. Evaluation respects it."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="policy_exemptions"
    )
    rule = models.ForeignKey(
        "policy.ListingRule", on_delete=models.CASCADE, related_name="exemptions"
    )
    appeal = models.OneToOneField(
        "policy.Appeal", on_delete=models.PROTECT, related_name="exemption"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "rule"], name="exemption_once_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} exempt from {self.rule_id}"
