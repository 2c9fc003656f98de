"""The demo's tax history: every month of its 18 months of orders collected, the older
ones remitted to the authority, through the collection service."""

from __future__ import annotations

from datetime import date

from django.db.models import Min

from orders.models import SellerOrderStatusChange
from policy.models import TaxPeriod
from policy.services.collection import period_remit, previous_period, taxes_collect


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def demo_taxes_seed(*, regulator) -> int:
    """Collect each past month that has sales (idempotent); remit all but the last two.
    Returns how many months are collected."""
    start = SellerOrderStatusChange.objects.filter(to_status="delivered").aggregate(
        first=Min("created_at")
    )["first"]
    if start is None:
        return 0
    last = previous_period()
    months = list(_months(start.date(), last))
    for month in months:
        record = TaxPeriod.objects.filter(period=month).first()
        if record is None or record.status != TaxPeriod.Status.REMITTED:
            taxes_collect(period=month)
    for month in months[:-2]:
        if TaxPeriod.objects.filter(period=month, status=TaxPeriod.Status.OPEN).exists():
            period_remit(period=month, actor=regulator, reference=f"DEMO-SSP-{month:%Y%m}")
    return len(months)
