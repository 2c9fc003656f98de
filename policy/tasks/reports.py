"""Background jobs of the monthly reports; thin wrappers over their service."""

from datetime import date

from celery import shared_task

from policy.services import reports


@shared_task(name="policy.tasks.build_report", acks_late=True)
def build_report(period: str) -> str:
    """Build one month's report (``period`` as YYYY-MM-DD, its first day)."""
    return reports.report_build(period=date.fromisoformat(period)).period.isoformat()


@shared_task(name="policy.tasks.build_last_months_report", acks_late=True)
def build_last_months_report() -> str:
    """Beat, once a month has ended: build its report."""
    return reports.report_build(period=reports.last_month()).period.isoformat()
