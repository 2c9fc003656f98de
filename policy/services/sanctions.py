"""The sanctions ladder of a cooperative: warning → watch list → suspension.

Up to three warnings count within 14 days; after the third the next step is the watch
list, and from the watch list the next is a suspension. A step above the next one may
be taken only with the regulator's reason for skipping. A suspension goes through the
sellers' service (the cooperative's listings leave the catalog, new orders to it are
refused); lifting it reinstates the cooperative, and its listings that the policy
still allows come back.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from policy.errors import NotAllowed, SanctionRefused
from policy.models import Inspection, Sanction
from policy.selectors.oversight import sanction_next_step
from policy.services.inspections import inspection_outcome_carried
from sellers import services as sellers_services
from sellers.models import Cooperative
from sellers.selectors import manager_emails

Step = Sanction.Step
TEXT_LIMIT = 4000


def _check_regulator(actor: User) -> None:
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can issue sanctions."))


def _text(value: str, *, missing: str | None) -> str:
    value = (value or "").strip()
    if not value and missing:
        raise SanctionRefused(missing)
    if len(value) > TEXT_LIMIT or "\x00" in value:
        raise SanctionRefused(
            _("Keep each text under %(limit)s characters, without control characters.")
            % {"limit": TEXT_LIMIT}
        )
    return value


def _email(sanction: Sanction, template: str) -> None:
    cooperative_id = sanction.cooperative_id
    emails_queue(
        messages=[
            Email(
                manager_emails(cooperative_ids=[cooperative_id]).get(cooperative_id, []),
                f"policy/email/{template}_subject.txt",
                f"policy/email/{template}.txt",
                {"sanction": sanction, "path": reverse("sellers:workspace")},
            )
        ]
    )


@transaction.atomic
def sanction_issue(
    *,
    cooperative: Cooperative,
    actor: User,
    step: int,
    reason: str,
    skip_reason: str = "",
    inspection: Inspection | None = None,
) -> Sanction:
    """Take ``step`` on ``cooperative``'s ladder. Refused, with nothing changed, below
    the next step, or above it without a reason for the skip."""
    _check_regulator(actor)
    if step not in Step.values:
        raise SanctionRefused(_("Choose the step."))
    reason = _text(reason, missing=_("Give the reason for the sanction."))
    skip_reason = _text(skip_reason, missing=None)
    # One sanction decision at a time per cooperative: lock its row.
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    expected = sanction_next_step(cooperative_id=cooperative.pk)
    if expected is None:
        raise SanctionRefused(
            _("The cooperative is suspended: lift the suspension before another step.")
        )
    if step < expected:
        raise SanctionRefused(
            _("The next step for this cooperative is: %(step)s.") % {"step": Step(expected).label}
        )
    if step > expected and not skip_reason:
        raise SanctionRefused(
            _("The next step is %(expected)s: say why you skip to %(step)s.")
            % {"expected": Step(expected).label, "step": Step(step).label}
        )
    if inspection is not None and inspection.cooperative_id != cooperative.pk:
        raise SanctionRefused(_("This inspection is of another cooperative."))
    try:
        with transaction.atomic():
            sanction = Sanction.objects.create(
                cooperative=cooperative,
                step=step,
                reason=reason,
                skip_reason=skip_reason if step > expected else "",
                inspection=inspection,
                issued_by=actor,
            )
    except IntegrityError:
        raise SanctionRefused(_("This step is already in force.")) from None
    if step == Step.SUSPENSION:
        try:
            sellers_services.cooperative_suspend(
                cooperative=cooperative, actor=actor, reason=_("Sanction: %(r)s") % {"r": reason}
            )
        except sellers_services.CooperativeError as exc:
            raise SanctionRefused(exc.message) from None
    if inspection is not None:
        inspection_outcome_carried(
            inspection=inspection, actor=actor, outcome=Inspection.Outcome.SANCTION
        )
    audit_record(
        action=Action.SANCTION_ISSUED,
        actor=actor,
        cooperative_id=cooperative.pk,
        subject=cooperative.legal_name,
        detail={
            "sanction": sanction.pk,
            "step": Step(step).name.lower(),
            "skipped": bool(sanction.skip_reason),
            "inspection": inspection.pk if inspection else None,
        },
    )
    _email(sanction, "sanction_issued")
    return sanction


@transaction.atomic
def sanction_lift(*, sanction: Sanction, actor: User, note: str) -> Sanction:
    """End a watch list or a suspension with a note; lifting a suspension reinstates
    the cooperative."""
    _check_regulator(actor)
    note = _text(note, missing=_("Say why the sanction is lifted."))
    Cooperative.objects.select_for_update().filter(pk=sanction.cooperative_id).first()
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if not sanction.in_force:
        raise SanctionRefused(_("Only a watch list or a suspension in force can be lifted."))
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = actor
    sanction.lift_note = note
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_note"])
    if sanction.step == Step.SUSPENSION:
        cooperative = Cooperative.objects.get(pk=sanction.cooperative_id)
        if cooperative.status == Cooperative.Status.SUSPENDED:
            sellers_services.cooperative_reinstate(
                cooperative=cooperative, actor=actor, reason=note
            )
    audit_record(
        action=Action.SANCTION_LIFTED,
        actor=actor,
        cooperative_id=sanction.cooperative_id,
        subject=sanction.get_step_display(),
        detail={"sanction": sanction.pk, "note": note[:200]},
    )
    _email(sanction, "sanction_lifted")
    return sanction
