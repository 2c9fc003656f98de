"""Appeals against a block."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import StatusChange, acting_user


class Appeal(models.Model):
    """A seller's appeal against one blocking decision (one appeal per decision, and
    at most one open appeal per listing and rule: ``product`` and ``rule`` repeat the
    decision's so that the database can enforce it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Block upheld")
        GRANTED = "granted", _("Exemption granted")
        CLOSED = "closed", _("No longer needed")

    TRANSITIONS = {
        Status.PENDING: {Status.UPHELD, Status.GRANTED, Status.CLOSED},
        Status.UPHELD: set(),
        Status.GRANTED: set(),
        Status.CLOSED: set(),
    }

    decision = models.OneToOneField(
        "policy.ListingDecision", on_delete=models.PROTECT, related_name="appeal"
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="policy_appeals"
    )
    rule = models.ForeignKey("policy.ListingRule", on_delete=models.PROTECT, related_name="appeals")
    statement = models.TextField(_("statement"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    decided_by = acting_user()
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("regulator's response"), blank=True)

    class Meta:
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "rule"],
                condition=models.Q(status="pending"),
                name="appeal_one_open_per_listing_rule",
            )
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class AppealStatusChange(StatusChange):
    """The trail of an appeal: filed, then upheld or granted, by whom and when. A
    regulator's record: its people cannot be deleted from under it."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8, choices=Appeal.Status.choices)
    actor = acting_user()

    class Meta(StatusChange.Meta):
        pass
