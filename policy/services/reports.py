"""Monthly reports: requested by a regulator (or by beat when a month ends), built by a
job from the rollups and the regulator's records, stored whole. Building a month again
replaces its report: there is one report per month."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from policy.errors import PolicyError
from policy.models import Report
from policy.selectors.reports import month_bounds, report_sections


def last_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _check_period(period: date) -> date:
    first = period.replace(day=1)
    if first > timezone.localdate():
        raise PolicyError(_("A month that has not begun has no report."))
    return first


def report_request(*, period: date, by) -> Report:
    """Queue the month's report (again, if it exists: it is rebuilt and replaced)."""
    from policy.tasks.reports import build_report

    first = _check_period(period)
    with transaction.atomic():
        report, _created = Report.objects.update_or_create(
            period=first,
            defaults={
                "status": Report.Status.QUEUED,
                "requested_by": by,
                "requested_at": timezone.now(),
                "error": "",
            },
        )
        audit_record(action=Action.REPORT_REQUESTED, actor=by, subject=f"{first:%Y-%m}", detail={})
        transaction.on_commit(lambda: build_report.delay(first.isoformat()))
    return report


def report_build(*, period: date) -> Report:
    """Build the month's report now and store it in place of any earlier one."""
    first = _check_period(period)
    try:
        sections = report_sections(first)
    except Exception as error:
        Report.objects.filter(period=first).update(
            status=Report.Status.FAILED, error=str(error)[:500]
        )
        raise
    _first, last = month_bounds(first)
    figures = {
        "sections": [section.as_stored() for section in sections],
        "start": first.isoformat(),
        "end": last.isoformat(),
    }
    now = timezone.now()
    fields = {"status": Report.Status.READY, "figures": figures, "built_at": now, "error": ""}
    # One UPDATE (never reading the month's earlier figures back), else the first report.
    if not Report.objects.filter(period=first).update(**fields):
        try:
            with transaction.atomic():
                Report.objects.create(period=first, requested_at=now, **fields)
        except IntegrityError:  # built at the same moment by another worker: ours wins
            Report.objects.filter(period=first).update(**fields)
    report = Report.objects.defer("figures").get(period=first)
    report.figures = figures
    return report
