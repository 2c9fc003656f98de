"""Inspections: a regulator records a visit to a product or a cooperative, with its
findings, private evidence files and an outcome, and later marks the outcome carried out."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from marketplace.audit import Action, audit_record
from marketplace.images import check_document
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from policy.errors import InspectionRefused, NotAllowed
from policy.models import Inspection, InspectionEvidence
from sellers.models import Cooperative
from sellers.selectors import manager_emails

NOTES_LIMIT = 8000


def _check_regulator(actor: User) -> None:
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can record inspections."))


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    inspected_on: date,
    findings: list[str],
    outcome: str,
    notes: str = "",
    product: Product | None = None,
    cooperative: Cooperative | None = None,
    evidence=(),
) -> Inspection:
    """Record an inspection of ``product`` (its cooperative's) or of ``cooperative``.
    Every evidence file is checked by content (PDF, JPEG or PNG, 10 MB at most) before
    anything is written; one bad file refuses the whole inspection."""
    _check_regulator(actor)
    if (product is None) == (cooperative is None):
        raise InspectionRefused(_("Inspect one product or one cooperative."))
    if inspected_on > timezone.localdate():
        raise InspectionRefused(_("An inspection cannot be dated in the future."))
    unknown = set(findings) - set(Inspection.Finding.values)
    if unknown:
        raise InspectionRefused(_("Choose the findings from the list."))
    if outcome not in Inspection.Outcome.values:
        raise InspectionRefused(_("Choose the outcome."))
    notes = (notes or "").strip()
    if len(notes) > NOTES_LIMIT or "\x00" in notes:
        raise InspectionRefused(
            _("Keep the notes under %(limit)s characters, without control characters.")
            % {"limit": NOTES_LIMIT}
        )
    evidence = list(evidence)
    if len(evidence) > InspectionEvidence.MAX_PER_INSPECTION:
        raise InspectionRefused(
            _("Attach at most %(count)s files.") % {"count": InspectionEvidence.MAX_PER_INSPECTION}
        )
    checked = []
    for upload in evidence:
        try:
            extension = check_document(upload)
        except Exception:
            raise InspectionRefused(
                _("“%(name)s” is not a PDF, JPEG or PNG file of 10 MB at most.")
                % {"name": str(getattr(upload, "name", ""))[:80]}
            ) from None
        checked.append((upload, extension))
    if product is not None:
        product = Product.objects.select_related("cooperative").get(pk=product.pk)
        cooperative = product.cooperative
    assert cooperative is not None
    inspection = Inspection.objects.create(
        cooperative=cooperative,
        product=product,
        inspected_on=inspected_on,
        inspector=actor,
        findings=[code for code in Inspection.Finding.values if code in set(findings)],
        notes=notes,
        outcome=outcome,
    )
    for number, (upload, extension) in enumerate(checked, 1):
        upload.seek(0)
        row = InspectionEvidence(
            inspection=inspection,
            name=str(getattr(upload, "name", "") or f"evidence-{number}.{extension}")[:120],
            size=getattr(upload, "size", 0) or 0,
        )
        row.file.save(f"evidence-{number}.{extension}", upload, save=False)
        row.save()
    audit_record(
        action=Action.INSPECTION_RECORDED,
        actor=actor,
        cooperative_id=cooperative.pk,
        subject=product.title if product else cooperative.legal_name,
        detail={
            "inspection": inspection.pk,
            "findings": inspection.findings,
            "outcome": outcome,
            "evidence": len(checked),
        },
    )
    emails_queue(
        messages=[
            Email(
                manager_emails(cooperative_ids=[cooperative.pk]).get(cooperative.pk, []),
                "policy/email/inspection_recorded_subject.txt",
                "policy/email/inspection_recorded.txt",
                {"inspection": inspection, "path": reverse("sellers:workspace")},
            )
        ]
    )
    return inspection


def inspection_outcome_carried(*, inspection: Inspection, actor: User, outcome: str) -> None:
    """The recall or sanction ``inspection`` called for is taken: its outcome leaves the
    queue (nothing happens when it asked for something else, or was already done)."""
    Inspection.objects.filter(pk=inspection.pk, outcome=outcome, outcome_done_at=None).update(
        outcome_done_at=timezone.now(), outcome_done_by=actor
    )


@transaction.atomic
def inspection_outcome_done(*, inspection: Inspection, actor: User) -> Inspection:
    """Mark the inspection's outcome (a revocation, a recall, a sanction) as carried out:
    it leaves the regulator's queue of outcomes pending."""
    _check_regulator(actor)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not inspection.outcome_pending:
        raise InspectionRefused(_("This inspection has no outcome waiting."))
    inspection.outcome_done_at = timezone.now()
    inspection.outcome_done_by = actor
    inspection.save(update_fields=["outcome_done_at", "outcome_done_by"])
    return inspection
