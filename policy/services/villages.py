"""Marking digital villages: once a year (and on demand), each commune's sales in the
year and its active cooperatives, from the rollups and the cooperatives' register,
against the thresholds. A year's marks are rewritten whole; regulators give communes
their household counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import Action, audit_record
from policy.errors import PolicyError
from policy.models import Commune, DigitalVillage, SalesRollup
from policy.selectors.villages import LABELS_CACHE_KEY, thresholds, village_key
from sellers.selectors import commune_cooperatives

# "The last three months" of the definition, in days.
RECENT_DAYS = 91
MAX_HOUSEHOLDS = 10_000_000


def _communes(cooperatives: list[dict]) -> dict[tuple, Commune]:
    """Every commune cooperatives name, created on first sight."""
    known = {village_key(c.province_id, c.name): c for c in Commune.objects.all()}
    new: dict[tuple, Commune] = {}
    for row in cooperatives:
        key = village_key(row["province_id"], row["commune"])
        if key not in known and key not in new:
            new[key] = Commune(
                province_id=row["province_id"], name=" ".join(row["commune"].split())
            )
    if new:
        Commune.objects.bulk_create(new.values(), ignore_conflicts=True)
        known = {village_key(c.province_id, c.name): c for c in Commune.objects.all()}
    return known


def villages_mark(*, year: int, today: date | None = None) -> int:
    """Mark the year's digital villages (to today, for the year under way); returns how
    many communes earned the label."""
    today = today or timezone.localdate()
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    if end < start:
        raise PolicyError(_("A year that has not begun has no digital villages."))
    limits = thresholds()
    cooperatives = commune_cooperatives()
    communes = _communes(cooperatives)
    sales: dict[tuple, Decimal] = {}
    for province_id, name, gross in (
        SalesRollup.objects.filter(day__gte=start, day__lte=end, province__isnull=False)
        .exclude(commune="")
        .values_list("province_id", "commune")
        .annotate(Sum("gross"))
        .order_by()
    ):
        key = village_key(province_id, name)
        sales[key] = sales.get(key, Decimal("0")) + (gross or 0)
    recent = dict(
        SalesRollup.objects.filter(day__gt=end - timedelta(days=RECENT_DAYS), day__lte=end)
        .values_list("cooperative_id")
        .annotate(Sum("orders"))
        .order_by()
    )
    opened_by = end - timedelta(days=limits.open_days)
    shops: dict[tuple, list[int]] = {}
    for row in cooperatives:
        entry = shops.setdefault(village_key(row["province_id"], row["commune"]), [0, 0])
        entry[0] += 1
        opened = timezone.localtime(row["opened"]).date()
        if opened <= opened_by and recent.get(row["id"], 0) >= 3 * limits.orders_per_month:
            entry[1] += 1
    now = timezone.now()
    rows = []
    for key in set(shops) | set(sales):
        commune = communes.get(key)
        if commune is None:  # sales of a commune no verified cooperative names any more
            continue
        count, active = shops.get(key, [0, 0])
        amount = sales.get(key, Decimal("0"))
        rows.append(
            DigitalVillage(
                year=year,
                commune=commune,
                sales=amount,
                shops=count,
                active_shops=active,
                households=commune.households,
                labelled=limits.met(
                    sales=amount, active_shops=active, households=commune.households
                ),
                built_at=now,
            )
        )
    with transaction.atomic():
        DigitalVillage.objects.filter(year=year).delete()
        DigitalVillage.objects.bulk_create(rows, batch_size=1000)
        transaction.on_commit(lambda: cache.delete(LABELS_CACHE_KEY))
    return sum(row.labelled for row in rows)


def commune_households_set(*, commune: Commune, households: int | None, by) -> Commune:
    """A regulator gives a commune its household count (the next marking uses it)."""
    if households is not None and not 0 < households <= MAX_HOUSEHOLDS:
        raise PolicyError(_("Give a number of households between 1 and 10 000 000."))
    with transaction.atomic():
        before = commune.households
        commune.households = households
        commune.households_set_by = by
        commune.households_set_at = timezone.now()
        commune.save(update_fields=["households", "households_set_by", "households_set_at"])
        audit_record(
            action=Action.HOUSEHOLDS_SET,
            actor=by,
            subject=str(commune)[:200],
            detail={"commune": commune.pk, "from": before, "to": households},
        )
    return commune
