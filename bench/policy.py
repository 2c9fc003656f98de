"""Re-evaluating the catalog after a protected-category rule, against its SQL floor.

    python bench/policy.py              # seeds the catalog first if needed (bench/catalog.py)
    python bench/policy.py --explain    # also EXPLAIN ANALYZE each statement of the run

On the benchmark catalog (100 000 products, 10% of the cooperatives abroad), a rule
protects one top category from cross-border sellers. Compares, in the same run and
alternating, two ways of suspending exactly the same listings, each in a transaction
that is rolled back (so every repetition starts from the same catalog):

- the floor: the one ``UPDATE catalog_product SET status = 'suspended' ...`` that
  would suspend them;
- ``policy.services.closure.listings_reevaluate()``, which also records one
  decision per suspended listing and looks for listings to release.

Prints a table and, as the last line, ``{"reevaluate_ratio": ..., "suspended": ...}``.
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

from bench import common

CATEGORY_CANDIDATES = ("household-goods", "beauty")
REPETITIONS = 7

FLOOR_SQL = """
UPDATE catalog_product AS p
   SET status = 'suspended', updated_at = %(now)s
 WHERE p.status = 'active'
   AND p.cooperative_id IN (SELECT c.id FROM sellers_cooperative AS c WHERE c.country <> %(home)s)
   AND p.category_id IN (SELECT g.id FROM catalog_category AS g WHERE g.path LIKE ANY(%(paths)s))
   AND NOT EXISTS (SELECT 1 FROM policy_exemption AS e
                    WHERE e.product_id = p.id AND e.rule_id = %(rule)s)
"""


class _Rollback(Exception):
    """Raised at the end of each measured block: its transaction is rolled back."""


def _protected_category():
    """The first candidate category where cross-border sellers have active listings."""
    from django.conf import settings

    from catalog.models import Category, Product

    for slug in CATEGORY_CANDIDATES:
        category = Category.objects.get(slug=slug)
        listed = (
            Product.objects.filter(
                status=Product.Status.ACTIVE, category__path__startswith=category.path
            )
            .exclude(cooperative__country=settings.MARKETPLACE_COUNTRY)
            .count()
        )
        if listed:
            return category, listed
    raise SystemExit(f"no cross-border active listing in {CATEGORY_CANDIDATES}: reseed the catalog")


def _rule_in_force(category):
    """Inside the caller's (rolled-back) transaction: the protected-category rule, and
    no other rule in force that could move a listing."""
    from django.utils import timezone

    from policy.models import ListingRule

    ListingRule.objects.filter(is_active=True).update(is_active=False)
    rule = ListingRule.objects.create(
        kind=ListingRule.Kind.PROTECTED_CATEGORY,
        title=f"Benchmark: {category.name} protected for local producers",
        legal_reference="BENCH-1",
        effective_from=timezone.localdate() - timedelta(days=1),
    )
    rule.categories.set([category])
    return rule


def _floor_params(rule) -> dict:
    from django.conf import settings
    from django.utils import timezone

    return {
        "now": timezone.now(),
        "home": settings.MARKETPLACE_COUNTRY,
        "paths": [f"{category.path}%" for category in rule.categories.all()],
        "rule": rule.pk,
    }


def _floor(rule) -> tuple[float, int]:
    from django.db import connection

    params = _floor_params(rule)
    with connection.cursor() as cursor:
        started = time.perf_counter_ns()
        cursor.execute(FLOOR_SQL, params)
        elapsed = (time.perf_counter_ns() - started) / 1e6
        return elapsed, cursor.rowcount


def _reevaluate(rule) -> tuple[float, int]:
    from policy.services.closure import listings_reevaluate

    started = time.perf_counter_ns()
    result = listings_reevaluate()
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if result.released:
        common.log(f"WARNING: the re-evaluation also released {result.released} listings")
    return elapsed, result.suspended


def _rolled_back(category, action):
    """Run ``action(rule)`` in a transaction with the rule in force, then roll back.

    ``listings_reevaluate`` schedules its emails with ``transaction.on_commit``: the
    rollback discards them (and Celery is eager anyway, no Redis)."""
    from django.db import transaction

    out = {}
    try:
        with transaction.atomic():
            rule = _rule_in_force(category)
            out["value"] = action(rule)
            out["extra"] = _suspended_ids()
            raise _Rollback
    except _Rollback:
        pass
    return out["value"], out["extra"]


def _vacuum() -> None:
    """Outside any transaction: clear what the previous rolled-back run left behind."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) catalog_product, policy_listingdecision")


def _suspended_ids() -> set[int]:
    from catalog.models import Product

    return set(Product.objects.filter(status=Product.Status.SUSPENDED).values_list("pk", flat=True))


def _breakdown(category, *, explain: bool) -> None:
    """One more rolled-back run of ``listings_reevaluate`` with its statements captured
    (timings include Django's query logging), optionally EXPLAIN ANALYZEd in order."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from policy.services.closure import listings_reevaluate

    try:
        with transaction.atomic():
            _rule_in_force(category)
            with CaptureQueriesContext(connection) as ctx:
                listings_reevaluate()
            raise _Rollback
    except _Rollback:
        pass
    statements = [
        q
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    print()
    common.log(f"listings_reevaluate(): {len(statements)} statements (one captured run)")
    common.print_table(
        ["#", "ms", "statement"],
        [
            [i, f"{float(q['time']) * 1000:.1f}", q["sql"][:110]]
            for i, q in enumerate(statements, 1)
        ],
        align="rrl",
    )
    if not explain:
        return
    try:
        with transaction.atomic():
            _rule_in_force(category)
            with connection.cursor() as cursor:
                for i, query in enumerate(statements, 1):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    print(f"\n== statement {i}:\n{query['sql']}")
                    print(f"-- EXPLAIN (ANALYZE, BUFFERS):\n{plan}")
            raise _Rollback
    except _Rollback:
        pass
    try:
        with transaction.atomic():
            rule = _rule_in_force(category)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + FLOOR_SQL, _floor_params(rule))
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n== floor:{FLOOR_SQL}-- EXPLAIN (ANALYZE, BUFFERS):\n{plan}")
            raise _Rollback
    except _Rollback:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every statement")
    args = parser.parse_args(argv)

    from bench import catalog as bench_catalog

    common.setup(static=False)
    bench_catalog.seed()
    common.log(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    category, listed = _protected_category()
    common.log(
        f"rule: cross-border sellers may not list in {category.slug!r} "
        f"({listed} cross-border active listings there)"
    )

    # Warm-up once each, and check that both suspend the very same listings.
    _vacuum()
    (_, floor_count), after_floor = _rolled_back(category, _floor)
    _vacuum()
    (_, suspended), after_reevaluate = _rolled_back(category, _reevaluate)
    same = after_floor == after_reevaluate and suspended == floor_count == len(after_floor)
    common.log(
        f"floor suspends {floor_count} listings, listings_reevaluate {suspended}: "
        f"{'the same rows' if same else 'NOT THE SAME ROWS'}"
    )

    # Alternating, and which goes first alternates too; each run starts from a vacuumed
    # table, so neither pays for the dead rows the other's rollback left behind.
    floor_ms, reevaluate_ms = [], []
    for repetition in range(args.repetitions):
        order = ("floor", "reevaluate") if repetition % 2 == 0 else ("reevaluate", "floor")
        for name in order:
            _vacuum()
            if name == "floor":
                (elapsed, count), _ = _rolled_back(category, _floor)
                floor_ms.append(elapsed)
            else:
                (elapsed, count), _ = _rolled_back(category, _reevaluate)
                reevaluate_ms.append(elapsed)
            if count != suspended:
                common.log(f"WARNING: {name} suspended {count} listings, not {suspended}")

    _vacuum()
    _breakdown(category, explain=args.explain)

    floor_median = common.median(floor_ms)
    reevaluate_median = common.median(reevaluate_ms)
    print()
    common.log(
        f"{args.repetitions} repetitions each, alternating, each in a rolled-back "
        "transaction after a VACUUM; wall-clock time of the statement(s) only"
    )
    common.print_table(
        ["operation", "median ms", "min ms", "max ms", "rows suspended", "x floor"],
        [
            [
                "floor: one UPDATE",
                f"{floor_median:.1f}",
                f"{min(floor_ms):.1f}",
                f"{max(floor_ms):.1f}",
                floor_count,
                "1.00",
            ],
            [
                "listings_reevaluate()",
                f"{reevaluate_median:.1f}",
                f"{min(reevaluate_ms):.1f}",
                f"{max(reevaluate_ms):.1f}",
                suspended,
                f"{reevaluate_median / floor_median:.2f}",
            ],
        ],
    )
    print(
        json.dumps(
            {
                "reevaluate_ratio": common.ratio(reevaluate_median, floor_median),
                "suspended": suspended,
            }
        )
    )


if __name__ == "__main__":
    main()
