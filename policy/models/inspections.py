"""Inspections: a regulator's visit to a product or a cooperative, what it found, the
evidence (private files) and the outcome; and the sanctions ladder a cooperative climbs."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import acting_user
from marketplace.storage import private_storage


class Inspection(models.Model):
    """One inspection. Its cooperative's members see the findings and the outcome,
    never the notes nor the evidence; buyers see nothing."""

    class Finding(models.TextChoices):
        PROCESS_CHANGED = "process_changed", _("Production process changed")
        FOOD_SAFETY = "food_safety", _("Food-safety breach")
        QUALITY_BELOW = "quality_below", _("Quality below the certified level")
        FALSE_DECLARATION = "false_declaration", _("False declaration")
        PRODUCTION_STOPPED = "production_stopped", _("Production stopped")
        TRACEABILITY = "traceability", _("Missing traceability records")
        LABELLING = "labelling", _("Labelling")

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        REVOKE_CERTIFICATE = "revoke_certificate", _("Revoke the certificate")
        RECALL = "recall", _("Recall")
        SANCTION = "sanction", _("Sanction step")

    cooperative = models.ForeignKey(
        "sellers.Cooperative",
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.JSONField(_("findings"), default=list, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # When the outcome's action (a revocation, a recall, a sanction) was taken.
    outcome_done_at = models.DateTimeField(null=True, blank=True)
    outcome_done_by = acting_user()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["outcome", "outcome_done_at"])]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.inspected_on}"

    @property
    def finding_labels(self) -> list[str]:
        labels = dict(self.Finding.choices)
        return [str(labels.get(code, code)) for code in self.findings]

    @property
    def outcome_pending(self) -> bool:
        return self.outcome != self.Outcome.NO_ACTION and self.outcome_done_at is None


def _evidence_path(instance, filename: str) -> str:
    return f"inspections/{instance.inspection_id}/{secrets.token_hex(8)}-{filename}"


class InspectionEvidence(models.Model):
    """A file attached to an inspection (PDF, JPEG or PNG, checked by content), kept in
    private storage and served only to regulators."""

    MAX_PER_INSPECTION = 10

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Sanction(models.Model):
    """One step of a cooperative's sanctions ladder: warning → watch list → suspension.
    A watch list or a suspension holds until lifted; warnings count for 14 days."""

    class Step(models.IntegerChoices):
        WARNING = 1, _("Warning")
        WATCH_LIST = 2, _("Watch list")
        SUSPENSION = 3, _("Suspension")

    cooperative = models.ForeignKey(
        "sellers.Cooperative",
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    reason = models.TextField(_("reason"))
    skip_reason = models.TextField(_("why a step is skipped"), blank=True)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    issued_at = models.DateTimeField(_("issued on"), default=timezone.now)
    issued_by = acting_user()
    lifted_at = models.DateTimeField(_("lifted on"), null=True, blank=True)
    lifted_by = acting_user()
    lift_note = models.TextField(_("note on lifting"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One watch list, and one suspension, in force per cooperative.
            models.UniqueConstraint(
                fields=["cooperative", "step"],
                condition=models.Q(step__gte=2, lifted_at__isnull=True),
                name="sanction_one_standing_step",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "step", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.cooperative_id} {self.get_step_display()}"

    @property
    def in_force(self) -> bool:
        return self.step != self.Step.WARNING and self.lifted_at is None
