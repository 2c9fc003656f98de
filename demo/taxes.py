"""The demo's tax history: a 5 % platform commission, every month of its 18 months of
orders collected, the older ones remitted to the authority and their cooperatives paid,
through the collection service."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from django.db.models import Min

from orders.models import SellerOrderStatusChange
from policy.errors import PolicyError
from policy.models import CommissionRate, Payout, TaxPeriod
from policy.services.collection import (
    commission_set,
    payout_decide,
    period_remit,
    previous_period,
    taxes_collect,
)
from sellers.models import Cooperative


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def demo_taxes_seed(*, regulator) -> int:
    """Collect each past month that has sales (idempotent); remit all but the last two.
    Returns how many months are collected."""
    if not CommissionRate.objects.exists():
        commission_set(rate=Decimal("0.05"), effective_from=date(2025, 1, 1), actor=None)
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
            # The cooperatives of a remitted month have been paid.
            for cooperative in Cooperative.objects.filter(tax_assessments__period=month).distinct():
                if not Payout.objects.filter(cooperative=cooperative, period=month).exists():
                    with contextlib.suppress(PolicyError):  # no valid tax identifier
                        payout_decide(
                            cooperative=cooperative,
                            period=month,
                            actor=regulator,
                            release=True,
                            reference=f"DEMO-TRX-{month:%Y%m}-{cooperative.pk}",
                        )
    return len(months)
