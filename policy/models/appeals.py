"""Appeals against a block."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Appeal(models.Model):
    """A seller's appeal against one blocking decision (one appeal per decision)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Block upheld")
        GRANTED = "granted", _("Exemption granted")

    decision = models.OneToOneField(
        "policy.ListingDecision", on_delete=models.PROTECT, related_name="appeal"
    )
    statement = models.TextField(_("statement"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("regulator's response"), blank=True)

    class Meta:
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"
