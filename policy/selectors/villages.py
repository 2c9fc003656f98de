"""Digital villages as they were last marked: the communes' figures against the
thresholds, for the dashboard and the villages page, and the label a storefront shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from marketplace.db import reports_database
from policy.models import Commune, DigitalVillage


@dataclass(frozen=True)
class Thresholds:
    """The label's thresholds (settings; Taobao-village defaults)."""

    yearly_sales: Decimal
    active_shops: int
    household_share: Decimal
    open_days: int
    orders_per_month: int

    @property
    def household_percent(self) -> Decimal:
        return (self.household_share * 100).normalize()

    def met(self, *, sales, active_shops: int, households: int | None) -> bool:
        if sales < self.yearly_sales:
            return False
        if active_shops >= self.active_shops:
            return True
        if not households:
            return False
        return active_shops >= self.household_share * households


def thresholds() -> Thresholds:
    return Thresholds(
        yearly_sales=Decimal(str(settings.DIGITAL_VILLAGE_YEARLY_SALES)),
        active_shops=settings.DIGITAL_VILLAGE_ACTIVE_SHOPS,
        household_share=Decimal(str(settings.DIGITAL_VILLAGE_HOUSEHOLD_SHARE)),
        open_days=settings.DIGITAL_VILLAGE_OPEN_DAYS,
        orders_per_month=settings.DIGITAL_VILLAGE_ORDERS_PER_MONTH,
    )


def village_key(province_id, name: str) -> tuple:
    """How a commune is matched: its province, and its name without regard to case or
    surrounding spaces (cooperatives type it)."""
    return (province_id, " ".join(name.split()).lower())


def village_years() -> list[int]:
    return list(
        DigitalVillage.objects.using(reports_database())
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def villages_of_year(*, year: int, province_id: int | None = None) -> QuerySet[DigitalVillage]:
    """A year's communes, labelled ones first, then by sales."""
    rows = (
        DigitalVillage.objects.using(reports_database())
        .filter(year=year)
        .select_related("commune", "commune__province")
    )
    if province_id:
        rows = rows.filter(commune__province_id=province_id)
    return rows.order_by("-labelled", "-sales", "commune__name")


def communes() -> QuerySet[Commune]:
    return Commune.objects.select_related("province").order_by("province__name", "name")


def commune_by_id(*, pk: int) -> Commune | None:
    return Commune.objects.filter(pk=pk).first()


LABELS_CACHE_KEY = "policy:digital-villages"


def labelled_villages() -> dict[str, int]:
    """{commune key: the latest year it was labelled}, cached until the next marking."""
    labels = cache.get(LABELS_CACHE_KEY)
    if labels is None:
        labels = {}
        for year, province_id, name in (
            DigitalVillage.objects.filter(labelled=True)
            .order_by("year")
            .values_list("year", "commune__province_id", "commune__name")
        ):
            labels["|".join(map(str, village_key(province_id, name)))] = year
        cache.set(LABELS_CACHE_KEY, labels, 24 * 3600)
    return labels


def village_label(*, province_id: int | None, commune: str) -> int | None:
    """The latest year the cooperative's commune was labelled a digital village."""
    if not province_id or not commune.strip():
        return None
    return labelled_villages().get("|".join(map(str, village_key(province_id, commune))))


def latest_villages(*, province_id: int | None = None, limit: int = 10) -> list[DigitalVillage]:
    """The last marked year's communes, labelled first (one query), for the dashboard."""
    from django.db.models import Subquery

    year = Subquery(
        DigitalVillage.objects.using(reports_database()).order_by("-year").values("year")[:1]
    )
    rows = (
        DigitalVillage.objects.using(reports_database())
        .filter(year=year)
        .select_related("commune", "commune__province")
    )
    if province_id:
        rows = rows.filter(commune__province_id=province_id)
    return list(rows.order_by("-labelled", "-sales", "commune__name")[:limit])
