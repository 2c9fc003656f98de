"""A cooperative-wide recall against its SQL floor.

    python bench/recall.py              # seeds its cooperative the first time
    python bench/recall.py --breakdown  # also lists the recall's statements and their times

In the benchmark database, one verified cooperative has 5 000 listings (4 900 active,
100 archived) and 2 000 order parts holding them: 1 500 placed or confirmed (the recall
puts them on hold) and 500 delivered within the last year (their 500 buyers are
emailed). Compares, in the same run and alternating, each in a transaction that is
rolled back (every repetition starts from the same data, vacuumed):

- the floor: the one ``UPDATE catalog_product SET status = 'recalled' ...`` of the same
  listings;
- ``policy.services.recalls.recall_open(cooperative=...)``, which also locks and holds
  the order parts, writes the status history, the recall's rows, clears carts, finds
  and emails the buyers and the managers, and audits.

Prints a table and, as the last line, ``{"recall_ratio": ..., "products": ...}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this folder comes first on sys.path and this file would
    # shadow the ``policy`` app: put the repository root there instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import time
from datetime import timedelta
from decimal import Decimal

from bench import common

REGISTRATION = "BENCH-RECALL-1"
PRODUCTS, ARCHIVED = 5_000, 100
HELD, DELIVERED = 1_500, 500
REPETITIONS = 7

FLOOR_SQL = """
UPDATE catalog_product SET status = 'recalled', updated_at = %(now)s
 WHERE cooperative_id = %(cooperative)s AND status <> 'archived'
"""

NOTICE = {
    "hazard": "Aflatoxin above the legal limit in every batch of the season.",
    "risk": "serious",
    "measures": "Withdrawn from sale; production stopped pending inspection.",
    "buyer_action": "dispose",
}


class _Rollback(Exception):
    """Raised at the end of each measured block: its transaction is rolled back."""


def _seed():
    """The recall's cooperative, listings, buyers and orders (once; bulk inserts)."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Category, Product
    from marketplace.models import User
    from orders.models import Order, OrderLine, SellerOrder, SellerOrderStatusChange
    from sellers.models import Cooperative, Membership

    existing = Cooperative.objects.filter(registration_number=REGISTRATION).first()
    regulator, _created = User.objects.get_or_create(email="regulator@bench-recall.test")
    regulator.groups.add(Group.objects.get_or_create(name=settings.REGULATOR_GROUP)[0])
    if existing is not None:
        return existing, regulator
    common.log(f"seeding the recall cooperative: {PRODUCTS} listings, {HELD + DELIVERED} orders")
    now = timezone.now()
    with transaction.atomic():
        category = Category.add_root(name="Bench recall goods", slug="bench-recall-goods")
        cooperative = Cooperative.objects.create(
            legal_name="Koperasi Benchmark Recall",
            slug="koperasi-benchmark-recall",
            registration_number=REGISTRATION,
            country="ID",
            contact_email="recall@bench.lokapasar.test",
            status=Cooperative.Status.VERIFIED,
        )
        manager = User.objects.create(email="manager@bench-recall.test")
        Membership.objects.create(
            cooperative=cooperative, user=manager, role=Membership.Role.MANAGER
        )
        products = Product.objects.bulk_create(
            Product(
                cooperative=cooperative,
                category=category,
                sku=f"R-{n:05d}",
                title=f"Recall bench jar {n}",
                slug=f"recall-bench-jar-{n}",
                price=Decimal("25000"),
                stock=100,
                status="archived" if n < ARCHIVED else "active",
                published_at=now,
            )
            for n in range(PRODUCTS)
        )
        buyers = User.objects.bulk_create(
            User(email=f"buyer{n}@bench-recall.test", password="!")  # noqa: S106 (unusable)
            for n in range(HELD + DELIVERED)
        )
        orders = Order.objects.bulk_create(
            Order(
                buyer=buyer,
                payment_method="on_delivery",
                ship_name="Siti",
                ship_phone="+62 812 0000 0000",
                ship_street="Jl. Merdeka 1",
                subtotal=Decimal("25000"),
                vat_total=Decimal("0"),
                total=Decimal("25000"),
            )
            for buyer in buyers
        )
        parts = SellerOrder.objects.bulk_create(
            SellerOrder(
                order=order,
                cooperative=cooperative,
                cooperative_name=cooperative.legal_name,
                status=("placed" if n % 2 else "confirmed") if n < HELD else "delivered",
                subtotal=Decimal("25000"),
                vat=Decimal("0"),
                total=Decimal("25000"),
            )
            for n, order in enumerate(orders)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                seller_order=part,
                product=products[ARCHIVED + n % (PRODUCTS - ARCHIVED)],
                title=f"Recall bench jar {ARCHIVED + n % (PRODUCTS - ARCHIVED)}",
                cooperative_name=cooperative.legal_name,
                unit="piece",
                unit_price=Decimal("25000"),
                quantity=1,
                vat_rate=Decimal("0"),
                vat_amount=Decimal("0"),
                line_total=Decimal("25000"),
            )
            for n, part in enumerate(parts)
        )
        SellerOrderStatusChange.objects.bulk_create(
            SellerOrderStatusChange(
                seller_order=part,
                from_status="shipped",
                to_status="delivered",
                created_at=now - timedelta(days=30),
            )
            for part in parts[HELD:]
        )
    return cooperative, regulator


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "catalog_product",
            "catalog_productstatuschange",
            "orders_sellerorder",
            "orders_sellerorderstatuschange",
            "policy_recallproduct",
            "marketplace_outgoingemail",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


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


def _floor(cooperative):
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        started = time.perf_counter_ns()
        cursor.execute(FLOOR_SQL, {"now": timezone.now(), "cooperative": cooperative.pk})
        return (time.perf_counter_ns() - started) / 1e6, cursor.rowcount


def _recall(cooperative, regulator):
    from marketplace.models import User
    from policy.services.recalls import recall_open

    actor = User.objects.get(pk=regulator.pk)
    started = time.perf_counter_ns()
    recall = recall_open(actor=actor, cooperative=cooperative, **NOTICE)
    return (time.perf_counter_ns() - started) / 1e6, recall.product_count


def _breakdown(cooperative, regulator) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def captured():
        with CaptureQueriesContext(connection) as ctx:
            _recall(cooperative, regulator)
        return ctx.captured_queries

    statements = [
        q
        for q in _rolled_back(captured)
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    common.log(f"recall_open(): {len(statements)} statements (one captured run)")
    common.print_table(
        ["#", "ms", "statement"],
        [
            [i, f"{float(q['time']) * 1000:.1f}", q["sql"][:110]]
            for i, q in enumerate(statements, 1)
        ],
        align="rrl",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--breakdown", action="store_true", help="list the recall's statements")
    args = parser.parse_args(argv)

    common.setup(static=False)
    cooperative, regulator = _seed()
    common.log(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _vacuum()
    _, floor_count = _rolled_back(lambda: _floor(cooperative))
    _vacuum()
    _, recalled = _rolled_back(lambda: _recall(cooperative, regulator))
    common.log(f"the floor moves {floor_count} listings, the recall {recalled}")

    floor_ms, recall_ms = [], []
    for repetition in range(args.repetitions):
        order = ("floor", "recall") if repetition % 2 == 0 else ("recall", "floor")
        for which in order:
            _vacuum()
            if which == "floor":
                floor_ms.append(_rolled_back(lambda: _floor(cooperative))[0])
            else:
                recall_ms.append(_rolled_back(lambda: _recall(cooperative, regulator))[0])
    floor, recall = common.median(floor_ms), common.median(recall_ms)
    common.print_table(
        ["", "median ms", "min ms", "max ms"],
        [
            ["floor: one UPDATE", f"{floor:.1f}", f"{min(floor_ms):.1f}", f"{max(floor_ms):.1f}"],
            ["recall_open", f"{recall:.1f}", f"{min(recall_ms):.1f}", f"{max(recall_ms):.1f}"],
        ],
        align="lrrr",
    )
    if args.breakdown:
        _vacuum()
        _breakdown(cooperative, regulator)
    print(
        json.dumps(
            {
                "recall_ratio": round(common.ratio(recall, floor) or 0, 2),
                "recall_ms": round(recall, 1),
                "floor_ms": round(floor, 1),
                "products": recalled,
                "orders_held": HELD,
                "buyers_emailed": DELIVERED,
            }
        )
    )


if __name__ == "__main__":
    main()
