"""Tax collection: for a period (a month), every cooperative's completed sales, returns
netted, VAT charged and tax withheld, summed in the database into one assessment per
cooperative, period and kind of tax.

Each sale and each accepted return is given its period when it completes
(``orders.services.assessment``), so a period's lines are known before it is collected.
A run first gives the period whatever completed before its end without one, sums the
month in one query into a temporary table of the connection's own, then writes the
assessments from it in batches of cooperatives, each one transaction and one statement
that leaves unchanged rows alone. So a rerun changes nothing, and a run killed half-way
leaves whole batches behind it: the rerun sums again and ends with the totals of an
uninterrupted run. A remitted period is frozen: a late sale goes to the next open
period.

Rounding, once: an assessment's tax is the sum of its lines' rounded taxes, less the
returns' prorated taxes rounded once per assessment, half away from zero to the
currency's unit (as ``marketplace.money.money_round``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from marketplace.celery import task_nudge
from marketplace.identifiers import tax_identifier_valid
from marketplace.models import User
from marketplace.money import currency_digits
from marketplace.roles import user_is_regulator
from orders.selectors import period_counts, period_totals_sql
from orders.services.assessment import period_mark
from policy.errors import NotAllowed, TaxRuleRefused
from policy.models import CommissionRate, Payout, TaxAssessment, TaxPeriod, TaxRule
from policy.selectors.taxes import cooperative_statement, period_bounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Collection:
    period: date
    cooperatives: int
    parts: int  # order parts the period counts
    returns: int  # returns it nets
    changed: int  # assessment rows written (none on a rerun)


def period_parse(text: str) -> date:
    """``2026-10`` -> 1 October 2026; raises ValueError on anything else."""
    year, month = text.strip().split("-")
    return date(int(year), int(month), 1)


# The period's sums, per cooperative, while a run writes them (one connection's own).
SUMS = "policy_tax_collection_sums"


def _sums_keep(period: date) -> list[int]:
    """Sum what ``period`` holds, per cooperative, into the connection's temporary
    ``SUMS`` table (one query over the month's lines, which PostgreSQL runs in parallel
    where an ``INSERT … SELECT`` may not); returns the cooperatives' ids, in order."""
    sql, params = period_totals_sql(
        period=period, places=currency_digits(settings.MARKETPLACE_CURRENCY)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {SUMS} AS {sql}", params)
        cursor.execute(f"SELECT cooperative_id FROM {SUMS} ORDER BY cooperative_id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _sums_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")


def _assess(cooperative_ids: list[int], period: date) -> int:
    """Write, from ``SUMS``, the assessments of these cooperatives (ids in order) for
    ``period``: one ``INSERT … SELECT … ON CONFLICT`` that leaves a row alone when its
    figures are unchanged. Returns how many rows it wrote."""
    if not cooperative_ids:
        return 0
    quote = connection.ops.quote_name
    table = quote(TaxAssessment._meta.db_table)
    column = {f.name: quote(f.column) for f in TaxAssessment._meta.concrete_fields}
    vat, withholding = TaxRule.Kind.VAT.value, TaxRule.Kind.WITHHOLDING.value
    figures = ("gross", "returned", "tax", "lines")
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"{table}.{column[f]} {differs} excluded.{column[f]}" for f in figures)
    sql = f"""
        INSERT INTO {table} ({column["cooperative"]}, {column["period"]}, {column["kind"]},
                             {column["gross"]}, {column["returned"]}, {column["tax"]},
                             {column["lines"]}, {column["computed_at"]})
        SELECT s.cooperative_id, %s, k.kind, s.gross, s.returned,
               CASE k.kind WHEN '{vat}' THEN s.vat ELSE s.withholding END, s.lines, %s
          FROM {SUMS} AS s
         CROSS JOIN (SELECT '{vat}' AS kind UNION ALL SELECT '{withholding}') AS k
         WHERE s.cooperative_id BETWEEN %s AND %s
        ON CONFLICT ({column["cooperative"]}, {column["period"]}, {column["kind"]}) DO UPDATE
           SET {", ".join(f"{column[f]} = excluded.{column[f]}" for f in (*figures, "computed_at"))}
         WHERE {changed}
    """  # noqa: S608 (names from the model, the kinds from its choices)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                connection.ops.adapt_datefield_value(period),
                connection.ops.adapt_datetimefield_value(timezone.now()),
                cooperative_ids[0],
                cooperative_ids[-1],
            ],
        )
        return cursor.rowcount


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
    with transaction.atomic():
        late_parts, late_returns = period_mark(period=first, end=end)
    parts, returns = period_counts(period=first)
    ids = _sums_keep(first)
    changed = 0
    for at in range(0, len(ids), batch):
        with transaction.atomic():
            changed += _assess(ids[at : at + batch], first)
    _sums_drop()  # (left behind by a run that fails: the next one replaces it)
    if changed or late_parts or late_returns or record.collected_at is None:
        # A rerun that finds nothing new writes nothing.
        TaxPeriod.objects.filter(pk=record.pk).update(collected_at=timezone.now())
        audit_record(
            action=Action.TAX_COLLECTED,
            actor=actor,
            subject=f"{first:%Y-%m}",
            detail={
                "cooperatives": len(ids),
                "parts": parts,
                "returns": returns,
                "assessments_written": changed,
            },
        )
    log.info("taxes collected for %s: %s cooperatives, %s order parts", first, len(ids), parts)
    return Collection(
        period=first, cooperatives=len(ids), parts=parts, returns=returns, changed=changed
    )


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
def commission_set(*, rate, effective_from: date, actor: User | None) -> CommissionRate:
    """Set the platform's commission from a date (audited)."""
    rate = Decimal(rate)
    if not Decimal("0") <= rate <= Decimal("0.5"):
        raise TaxRuleRefused(_("The commission is a fraction from 0 to 0.5."))
    commission, _created = CommissionRate.objects.update_or_create(
        effective_from=effective_from, defaults={"rate": rate, "set_by": actor}
    )
    audit_record(
        action=Action.COMMISSION_CHANGED,
        actor=actor,
        subject=str(rate),
        detail={"rate": str(rate), "effective_from": effective_from.isoformat()},
    )
    return commission


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
