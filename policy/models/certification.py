"""OCOP-style certification: a regulator's score of a product and the stars it earns."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import acting_user

# The three OCOP criteria groups and the most each can score (100 in all).
SCORE_MAXIMA = {"score_community": 40, "score_marketing": 25, "score_quality": 35}
# Lowest total for each star count; below the lowest, no certificate.
STAR_THRESHOLDS = ((90, 5), (70, 4), (50, 3))


def stars_for(total: int) -> int:
    """The stars a total score earns: 0 below 50."""
    return next((stars for floor, stars in STAR_THRESHOLDS if total >= floor), 0)


class Certificate(models.Model):
    """One rating of one product. A re-rating replaces the product's active certificate
    (which stays, marked replaced); the stars show only while the active one is within
    its dates."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial")
        NATIONAL = "national", _("National")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        REPLACED = "replaced", _("Replaced by a re-rating")
        REVOKED = "revoked", _("Revoked")

    class RevocationReason(models.TextChoices):
        PROCESS_CHANGED = "process_changed", _("Production process changed")
        FOOD_SAFETY = "food_safety", _("Food-safety breach")
        QUALITY_BELOW = "quality_below", _("Quality below the certified level")
        FALSE_DECLARATION = "false_declaration", _("False declaration")
        PRODUCTION_STOPPED = "production_stopped", _("Production stopped")

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    level = models.CharField(_("awarding level"), max_length=8, choices=Level.choices)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    score_community = models.PositiveSmallIntegerField(_("product and community strength"))
    score_marketing = models.PositiveSmallIntegerField(_("marketing"))
    score_quality = models.PositiveSmallIntegerField(_("quality"))
    score = models.PositiveSmallIntegerField(_("total score"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = acting_user()
    revocation_reason = models.CharField(
        _("reason"), max_length=20, choices=RevocationReason.choices, blank=True
    )
    revocation_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status="active"),
                name="certificate_one_active_per_product",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(score_community__lte=40)
                & models.Q(score_marketing__lte=25)
                & models.Q(score_quality__lte=35),
                name="certificate_group_scores_within_maxima",
            ),
            models.CheckConstraint(
                condition=models.Q(stars__gte=3, stars__lte=5),
                name="certificate_three_to_five_stars",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return self.number

    def state_on(self, day: date) -> str:
        """ "valid", "expired", "not_yet_valid", "revoked" or "replaced" on ``day``."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.status == self.Status.REPLACED:
            return "replaced"
        if day < self.issued_on:
            return "not_yet_valid"
        return "valid" if day <= self.expires_on else "expired"


class CertificateReminder(models.Model):
    """One expiry reminder sent for one certificate (90 or 30 days before): the row
    makes the scheduled job send each reminder once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="certificate_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} ({self.days_before} days)"
