"""Tax collection: for a period (a month), every cooperative's completed sales, returns
netted, VAT charged and tax withheld, summed in the database into one assessment per
cooperative, period and kind of tax.

The run goes through the cooperatives in batches; each batch is one transaction that
marks the order parts and returns the period covers (``orders.services.assessment``) and
recomputes the batch's assessments from every line the period holds. So a rerun
changes nothing, and a run killed half-way leaves whole batches behind it: the rerun
does the rest and ends with the totals of an uninterrupted run. A remitted period is
frozen: a late sale goes to the next open period.

Rounding, once: an assessment's tax is the sum of its lines' rounded taxes, less the
returns' prorated taxes rounded once per assessment (``marketplace.money.money_round``).
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from marketplace.celery import task_nudge
from marketplace.identifiers import tax_identifier_valid
from marketplace.models import User
from marketplace.money import money_round
from marketplace.roles import user_is_regulator
from orders.selectors import period_totals
from orders.services.assessment import cooperatives_with_work, period_mark
from policy.errors import NotAllowed, TaxRuleRefused
from policy.models import CommissionRate, Payout, TaxAssessment, TaxPeriod, TaxRule
from policy.selectors.taxes import cooperative_statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Collection:
    period: date
    cooperatives: int
    parts: int
    returns: int


def period_bounds(period: date) -> tuple[date, datetime, datetime]:
    """The period's first day and its [start, end) instants in the site's time zone."""
    first = period.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone)
    return first, start, end


def period_parse(text: str) -> date:
    """``2026-10`` -> 1 October 2026; raises ValueError on anything else."""
    year, month = text.strip().split("-")
    return date(int(year), int(month), 1)


def _assess(cooperative_ids: list[int], period: date) -> None:
    totals = period_totals(period=period, cooperative_ids=cooperative_ids)
    now = timezone.now()
    rows = []
    for cooperative_id, t in totals.items():
        for kind, tax, back in (
            (TaxRule.Kind.VAT, t["vat"], t["vat_back"]),
            (TaxRule.Kind.WITHHOLDING, t["withholding"], t["withholding_back"]),
        ):
            rows.append(
                TaxAssessment(
                    cooperative_id=cooperative_id,
                    period=period,
                    kind=kind,
                    gross=money_round(t["gross"]),
                    returned=money_round(t["returned"]),
                    tax=money_round(tax) - money_round(back),
                    lines=t["lines"],
                    computed_at=now,
                )
            )
    # Only what changed is written: a rerun leaves every row as it was.
    existing = {
        (a.cooperative_id, a.kind): (a.gross, a.returned, a.tax, a.lines)
        for a in TaxAssessment.objects.filter(period=period, cooperative_id__in=cooperative_ids)
    }
    rows = [
        row
        for row in rows
        if existing.get((row.cooperative_id, row.kind))
        != (row.gross, row.returned, row.tax, row.lines)
    ]
    if not rows:
        return
    TaxAssessment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cooperative", "period", "kind"],
        update_fields=["gross", "returned", "tax", "lines", "computed_at"],
    )


def taxes_collect(
    *, period: date, actor: User | None = None, batch: int | None = None
) -> Collection:
    """Collect ``period`` (idempotent). Refused for a remitted period."""
    batch = batch or settings.TAX_COLLECTION_BATCH
    first, _start, end = period_bounds(period)
    if end > timezone.now():
        raise TaxRuleRefused(_("A period is collected once it has ended."))
    record, _created = TaxPeriod.objects.get_or_create(period=first)
    if record.status == TaxPeriod.Status.REMITTED:
        raise TaxRuleRefused(
            _("This period is remitted and frozen: later sales go to the next open period.")
        )
    ids = cooperatives_with_work(period=first, end=end)
    parts = returns = 0
    for at in range(0, len(ids), batch):
        chunk = ids[at : at + batch]
        with transaction.atomic():
            marked_parts, marked_returns = period_mark(cooperative_ids=chunk, period=first, end=end)
            _assess(chunk, first)
        parts += marked_parts
        returns += marked_returns
    if parts or returns or record.collected_at is None:  # a rerun that finds nothing writes nothing
        TaxPeriod.objects.filter(pk=record.pk).update(collected_at=timezone.now())
        audit_record(
            action=Action.TAX_COLLECTED,
            actor=actor,
            subject=f"{first:%Y-%m}",
            detail={"cooperatives": len(ids), "parts": parts, "returns": returns},
        )
    log.info("taxes collected for %s: %s cooperatives, %s order parts", first, len(ids), parts)
    return Collection(period=first, cooperatives=len(ids), parts=parts, returns=returns)


def previous_period(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@transaction.atomic
def period_remit(*, period: date, actor: User, reference: str) -> TaxPeriod:
    """Mark a collected period remitted to the authority, with the payment reference:
    it is frozen from then on."""
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can record a remittance."))
    reference = (reference or "").strip()
    if not reference or len(reference) > 80 or "\x00" in reference:
        raise TaxRuleRefused(_("Give the payment reference (80 characters at most)."))
    record = TaxPeriod.objects.select_for_update().filter(period=period.replace(day=1)).first()
    if record is None or record.collected_at is None:
        raise TaxRuleRefused(_("Collect the period before remitting it."))
    if record.status == TaxPeriod.Status.REMITTED:
        raise TaxRuleRefused(_("This period is already remitted."))
    record.status = TaxPeriod.Status.REMITTED
    record.remitted_at = timezone.now()
    record.remitted_by = actor
    record.reference = reference
    record.save(update_fields=["status", "remitted_at", "remitted_by", "reference"])
    audit_record(
        action=Action.TAX_REMITTED,
        actor=actor,
        subject=f"{record.period:%Y-%m}",
        detail={"reference": reference},
    )
    return record


def collection_request(*, period: date, actor: User) -> TaxPeriod:
    """A regulator asks, from the page, for a period's collection: a worker runs it
    (``policy.tasks.collect_taxes``); the page shows it waiting until it is done."""
    from policy.tasks import taxes as tax_tasks  # here: the task module imports this one

    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can collect taxes."))
    first, _start, end = period_bounds(period)
    if end > timezone.now():
        raise TaxRuleRefused(_("A period is collected once it has ended."))
    with transaction.atomic():
        record, _created = TaxPeriod.objects.select_for_update().get_or_create(period=first)
        if record.status == TaxPeriod.Status.REMITTED:
            raise TaxRuleRefused(
                _("This period is remitted and frozen: later sales go to the next open period.")
            )
        record.requested_at = timezone.now()
        record.save(update_fields=["requested_at"])
        transaction.on_commit(
            lambda: task_nudge(tax_tasks.collect_taxes, f"{first:%Y-%m}", actor.pk)
        )
    return record


@transaction.atomic
def commission_set(*, rate, effective_from: date, actor: User | None) -> None:
    """Set the platform's commission from a date (audited)."""
    rate = Decimal(rate)
    if not Decimal("0") <= rate <= Decimal("0.5"):
        raise TaxRuleRefused(_("The commission is a fraction from 0 to 0.5."))
    CommissionRate.objects.update_or_create(
        effective_from=effective_from, defaults={"rate": rate, "set_by": actor}
    )
    audit_record(
        action=Action.COMMISSION_CHANGED,
        actor=actor,
        subject=str(rate),
        detail={"rate": str(rate), "effective_from": effective_from.isoformat()},
    )


@transaction.atomic
def payout_decide(
    *, cooperative, period: date, actor: User, release: bool, reference: str = "", note: str = ""
):
    """Release a cooperative's payout for a collected period (with the payment's
    reference; never without a valid tax identifier on file), or hold it with a note."""
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can release or hold payouts."))
    period = period.replace(day=1)
    statement = cooperative_statement(cooperative_id=cooperative.pk, period=period)
    if statement is None:
        raise TaxRuleRefused(_("This cooperative has no assessed sales in the period."))
    reference, note = (reference or "").strip(), (note or "").strip()
    if "\x00" in reference + note or len(reference) > 80 or len(note) > 2000:
        raise TaxRuleRefused(_("Keep the reference under 80 characters and the note short."))
    payout, _created = Payout.objects.select_for_update().get_or_create(
        cooperative=cooperative, period=period
    )
    if payout.status == Payout.Status.RELEASED:
        raise TaxRuleRefused(_("This payout is already released."))
    if release:
        if not tax_identifier_valid(
            country=cooperative.country.code, value=cooperative.tax_identifier
        ):
            raise TaxRuleRefused(
                _(
                    "No payout is released without a valid tax identifier on the "
                    "cooperative's profile."
                )
            )
        if not reference:
            raise TaxRuleRefused(_("Give the payment's reference."))
        payout.status, payout.reference = Payout.Status.RELEASED, reference
    else:
        if not note:
            raise TaxRuleRefused(_("Say why the payout is held."))
        payout.status, payout.note = Payout.Status.HELD, note
    payout.amount = statement.payout
    payout.decided_at = timezone.now()
    payout.decided_by = actor
    payout.save()
    audit_record(
        action=Action.PAYOUT_DECIDED,
        actor=actor,
        cooperative_id=cooperative.pk,
        subject=f"{period:%Y-%m}",
        detail={"status": payout.status, "amount": str(payout.amount), "reference": reference},
    )
    return payout
