"""Collecting one month of taxes against its SQL floor, on a million order lines.

    python bench/tax.py          # seeds the lines the first time (in PostgreSQL, a minute)

Seeds, once, 2 000 cooperatives and 1 000 000 delivered and paid order lines (250 000
order parts of 4 lines) spread over the last 18 months, each part given the month it
completed in (as completing it does). Then measures, alternating and each in a
rolled-back transaction:

- the floor: one ``SELECT … GROUP BY cooperative`` summing the last month's sales, VAT and
  withholding over the same lines, the faster of the planner's plan and the plan
  through the indexes (the planner tends to scan every line in parallel, slower);
- ``policy.services.collection.taxes_collect(period=last month)``: it gives the month
  what completed in it without a period, lists the cooperatives, sums the returns too
  and writes the assessments, batch by batch;

then a collection followed by a rerun (how many assessment rows the rerun changed), and
the process's peak memory. Last line: ``{"tax_ratio": …, "rerun_changed": …,
"peak_rss_mb": …}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import resource
import time

from bench import common

PREFIX = "BENCH-TAX-"
COOPERATIVES, PARTS, LINES_PER_PART, MONTHS = 2_000, 250_000, 4, 18
REPETITIONS = 15

FLOOR_SQL = """
SELECT so.cooperative_id, SUM(l.unit_price * l.quantity), SUM(l.vat_amount),
       SUM(l.withholding_amount), COUNT(*)
  FROM orders_orderline l JOIN orders_sellerorder so ON so.id = l.seller_order_id
 WHERE so.tax_period = %(period)s
 GROUP BY so.cooperative_id
"""


class _Rollback(Exception):
    pass


def _seed() -> None:
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Product
    from catalog.services.categories import category_ensure
    from marketplace.models import User
    from policy.services.collection import previous_period
    from sellers.models import Cooperative

    if Cooperative.objects.filter(registration_number__startswith=PREFIX).count() == COOPERATIVES:
        return
    common.log(f"seeding {PARTS * LINES_PER_PART} order lines of {COOPERATIVES} cooperatives ...")
    started = time.perf_counter()
    with transaction.atomic():
        category = category_ensure(slug="bench-tax-goods", name="Bench tax goods")
        cooperatives = Cooperative.objects.bulk_create(
            Cooperative(
                legal_name=f"Koperasi Pajak {n}",
                slug=f"koperasi-pajak-{n}",
                registration_number=f"{PREFIX}{n:05d}",
                country="ID",
                contact_email=f"tax{n}@bench.lokapasar.test",
                tax_identifier=f"01.{n:03d}.567.8-901.000",
                status=Cooperative.Status.VERIFIED,
            )
            for n in range(COOPERATIVES)
        )
        Product.objects.bulk_create(
            Product(
                cooperative=c,
                category=category,
                sku=f"T-{c.pk}",
                title=f"Tax bench item {c.pk}",
                slug=f"tax-bench-item-{c.pk}",
                price=10000,
                stock=1,
                status="active",
            )
            for c in cooperatives
        )
        buyers = User.objects.bulk_create(
            User(email=f"taxbuyer{n}@bench.lokapasar.test", password="!")  # noqa: S106
            for n in range(1000)
        )
        last = previous_period()
        first = (last - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
        start = timezone.make_aware(timezone.datetime(first.year, first.month, 1))
        end = timezone.make_aware(timezone.datetime(last.year, last.month, 28))
        params = {
            "coops": [c.pk for c in cooperatives],
            "buyers": [b.pk for b in buyers],
            "start": start,
            "span": (end - start).total_seconds(),
            "parts": PARTS,
        }
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO orders_order (token, payment_method, ship_name, ship_phone,
                    ship_country, ship_province, ship_commune, ship_street, subtotal,
                    vat_total, total, created_at, buyer_id)
                SELECT gen_random_uuid(), 'on_delivery', 'Bench tax', '+62 812', 'ID', '',
                       '', 'Jl. Pajak 1', 0, 0, 0,
                       %(start)s + (g * %(span)s / %(parts)s) * interval '1 second',
                       (%(buyers)s::bigint[])[1 + g %% 1000]
                  FROM generate_series(0, %(parts)s - 1) AS g
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO orders_sellerorder (cooperative_name, status, subtotal, vat,
                    withholding, total, carrier, tracking_reference, cash_received_at,
                    created_at, updated_at, cooperative_id, order_id)
                SELECT 'Bench tax', 'delivered', 0, 0, 0, 0, '', '',
                       o.created_at + interval '3 days', o.created_at, o.created_at,
                       (%(coops)s::bigint[])[1 + o.id %% 2000], o.id
                  FROM orders_order o WHERE o.ship_name = 'Bench tax'
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO orders_sellerorderstatuschange (note, created_at, from_status,
                    to_status, seller_order_id)
                SELECT '', so.created_at + interval '2 days', 'shipped', 'delivered', so.id
                  FROM orders_sellerorder so WHERE so.cooperative_name = 'Bench tax'
                """
            )
            cursor.execute(
                """
                INSERT INTO orders_orderline (title, cooperative_name, cooperative_country,
                    unit, unit_price, quantity, vat_rate, vat_amount, withholding_rate,
                    withholding_amount, line_total, seller_order_id, product_id)
                SELECT 'Bench item', 'Bench tax', 'ID', 'piece', 10000 + k * 1000, k, 0.11,
                       round((10000 + k * 1000) * k * 0.11), 0.005,
                       round((10000 + k * 1000) * k * 0.005),
                       (10000 + k * 1000) * k + round((10000 + k * 1000) * k * 0.11),
                       so.id, p.id
                  FROM orders_sellerorder so CROSS JOIN generate_series(1, 4) AS k
                  JOIN catalog_product p ON p.cooperative_id = so.cooperative_id
                 WHERE so.cooperative_name = 'Bench tax'
                """
            )
            # Each sale completed when its cash came in, and was given that month.
            cursor.execute(
                """
                UPDATE orders_sellerorder so SET completed_at = so.cash_received_at,
                       tax_period = date_trunc('month',
                                               so.cash_received_at AT TIME ZONE %(zone)s)::date
                 WHERE so.cooperative_name = 'Bench tax'
                """,
                {"zone": timezone.get_current_timezone_name()},
            )
    with connection.cursor() as cursor:
        for table in (
            "orders_order",
            "orders_sellerorder",
            "orders_orderline",
            "orders_sellerorderstatuschange",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    common.log(f"seeded in {time.perf_counter() - started:.0f} s")


def _rolled_back(action):
    from django.db import transaction

    out = {}
    try:
        with transaction.atomic():
            out["value"] = action()
            raise _Rollback
    except _Rollback:
        pass
    return out["value"]


def _floor(period, *, index_only: bool = False):
    from django.db import connection

    with connection.cursor() as cursor:
        if index_only:  # the planner, left alone, may prefer a slower full scan
            cursor.execute("SET LOCAL enable_seqscan = off")
        began = time.perf_counter_ns()
        cursor.execute(FLOOR_SQL, {"period": period})
        rows = cursor.fetchall()
        return (time.perf_counter_ns() - began) / 1e6, len(rows)


def _collect(period):
    from policy.services.collection import taxes_collect

    began = time.perf_counter_ns()
    result = taxes_collect(period=period)
    return (time.perf_counter_ns() - began) / 1e6, result.cooperatives


def _rerun_changed(period) -> int:
    from policy.models import TaxAssessment
    from policy.services.collection import taxes_collect

    def run():
        taxes_collect(period=period)
        before = set(TaxAssessment.objects.filter(period=period).values_list())
        taxes_collect(period=period)
        after = set(TaxAssessment.objects.filter(period=period).values_list())
        return len(before ^ after)

    return _rolled_back(run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    args = parser.parse_args(argv)
    common.setup(static=False)
    _seed()
    from policy.services.collection import previous_period

    period = previous_period()
    planned_ms, indexed_ms, collect_ms = [], [], []
    for repetition in range(args.repetitions):
        order = ("floor", "collect") if repetition % 2 == 0 else ("collect", "floor")
        for which in order:
            if which == "floor":
                ms, groups = _rolled_back(lambda: _floor(period))
                planned_ms.append(ms)
                ms, groups = _rolled_back(lambda: _floor(period, index_only=True))
                indexed_ms.append(ms)
            else:
                ms, cooperatives = _rolled_back(lambda: _collect(period))
                collect_ms.append(ms)
    common.log(f"{period:%Y-%m}: {groups} cooperatives in the floor, {cooperatives} collected")
    changed = _rerun_changed(period)
    # The floor is the faster of the planner's own plan and the plan through the indexes.
    floor_ms = min(planned_ms, indexed_ms, key=common.median)
    floor, collect = common.median(floor_ms), common.median(collect_ms)

    def row(name, values):
        return [name, f"{common.median(values):.0f}", f"{min(values):.0f}", f"{max(values):.0f}"]

    common.print_table(
        ["", "median ms", "min ms", "max ms"],
        [
            row("floor: one GROUP BY, as planned", planned_ms),
            row("floor: one GROUP BY, through the indexes", indexed_ms),
            row("taxes_collect", collect_ms),
        ],
        align="lrrr",
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "tax_ratio": round(common.ratio(collect, floor) or 0, 2),
                "collect_ms": round(collect),
                "floor_ms": round(floor),
                "rerun_changed": changed,
                "peak_rss_mb": round(peak),
            }
        )
    )


if __name__ == "__main__":
    main()
