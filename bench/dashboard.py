"""The monitoring dashboard on a million order lines: the rollup rebuild against its SQL
floor, and the dashboard's pages against a bare page.

    python bench/dashboard.py          # reuses bench/tax.py's data (seeds it the first time)
    python bench/dashboard.py --redis redis://127.0.0.1:6379/3   # Redis as the cache

On the 1 000 000 order lines of ``bench/tax.py`` (2 000 cooperatives, 18 months; the
cooperatives are spread here over the provinces, once), measures in the same run:

- the rollup rebuild of the 18 months (``policy.services.rollups.rollups_rebuild``: the
  sales and activity rollups, and the market's and the cooperatives' rollups built from
  the sales rollup in the same transactions) against the floor of one ``INSERT …
  SELECT … GROUP BY`` day, cooperative and category over the same lines (into a table
  of the same shape; JIT off for both, as compiling costs more than the sums), each in
  a rolled-back transaction;
- the dashboard page with no filter and filtered to one province, as a signed-in
  regulator (``django.test.Client``, ``DEBUG=0``), against ``base.html`` rendered bare
  for the same visitor: the median of ``--requests`` requests each, cold (the filters
  rotate through 16 periods, and every province, no page cache) and the most queries a
  page ran (without ``--redis`` the cache is the database's table: the cached lists of
  provinces and categories cost a query each);
- the monthly report job (``policy.services.reports.report_build``: every section read
  and the report stored) for each of the last 6 whole months, against its own floor: one
  ``GROUP BY`` cooperative, province and commune of the month's sales rollup (its largest
  section, by cooperative), each in a rolled-back transaction, median of the months;
- the peak memory of the process.

Last line: ``{"rollup_ratio": …, "dashboard_ratio": …, "dashboard_filtered_ratio": …,
"dashboard_queries": …, "report_ratio": …, "peak_rss_mb": …}``.
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

FLOOR_TABLE = """
CREATE TEMPORARY TABLE bench_rollup_floor (
    day date, cooperative_id bigint, category_id bigint, province_id bigint,
    commune varchar(120), cross_border boolean, orders integer, lines integer,
    units integer, gross numeric(18, 2), vat numeric(18, 2), withholding numeric(18, 2)
)
"""
FLOOR_SQL = """
INSERT INTO bench_rollup_floor
SELECT (o.created_at AT TIME ZONE %(zone)s)::date AS day, so.cooperative_id,
       p.category_id, c.province_id, c.commune, c.country <> %(home)s AS cross_border,
       COUNT(DISTINCT so.id) AS orders, COUNT(*) AS lines, SUM(l.quantity) AS units,
       SUM(l.unit_price * l.quantity) AS gross, SUM(l.vat_amount) AS vat,
       SUM(l.withholding_amount) AS withholding
  FROM orders_orderline l
  JOIN orders_sellerorder so ON so.id = l.seller_order_id
  JOIN orders_order o ON o.id = so.order_id
  JOIN sellers_cooperative c ON c.id = so.cooperative_id
  LEFT JOIN catalog_product p ON p.id = l.product_id
 WHERE so.status <> 'cancelled' AND o.created_at >= %(start)s
 GROUP BY 1, 2, 3, 4, 5, 6
"""


class _Rollback(Exception):
    pass


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


def _data():
    """The tax benchmark's lines, with the cooperatives in provinces."""
    from django.conf import settings
    from django.db import connection

    from bench import tax
    from marketplace.models import Province
    from marketplace.services import provinces_seed

    tax._seed()
    provinces_seed(country=settings.MARKETPLACE_COUNTRY)
    with connection.cursor() as cursor:
        ids = list(
            Province.objects.filter(country=settings.MARKETPLACE_COUNTRY).values_list(
                "pk", flat=True
            )
        )
        cursor.execute(
            """
            UPDATE sellers_cooperative SET province_id = (%(ids)s::bigint[])[1 + id %% %(n)s],
                   commune = 'Desa ' || (id %% 7)
             WHERE registration_number LIKE %(prefix)s AND province_id IS NULL
            """,
            {"ids": ids, "n": len(ids), "prefix": tax.PREFIX + "%"},
        )
        if cursor.rowcount:
            cursor.execute("VACUUM (ANALYZE) sellers_cooperative")
    return ids


def _first_day():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() - timedelta(days=31 * 18 + 2)


def _rebuild():
    from policy.services.rollups import rollups_rebuild

    began = time.perf_counter()
    rollups_rebuild(first=_first_day())
    return (time.perf_counter() - began) * 1000


def _floor():
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from policy.services.rollups import _instant

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE)
        cursor.execute("SET LOCAL jit = off")  # as the rebuild does: compiling costs more
        began = time.perf_counter()
        cursor.execute(
            FLOOR_SQL,
            {
                "zone": timezone.get_current_timezone_name(),
                "home": settings.MARKETPLACE_COUNTRY,
                "start": _instant(_first_day()),
            },
        )
        return (time.perf_counter() - began) * 1000


def _client():
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from marketplace.models import User

    user, _created = User.objects.get_or_create(email="bench.regulator@bench.lokapasar.test")
    group, _created = Group.objects.get_or_create(name=settings.REGULATOR_GROUP)
    user.groups.add(group)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()
    return client


def _timed(client, urls: list[str], requests: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for n in range(requests):
        url = urls[n % len(urls)]
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = max(queries, len(captured))
    return common.median(times), queries


REPORT_FLOOR_SQL = """
SELECT cooperative_id, province_id, commune, SUM(gross), SUM(orders), SUM(refunds)
  FROM policy_salesrollup
 WHERE day >= %(start)s AND day <= %(end)s
 GROUP BY cooperative_id, province_id, commune
"""


def _report_months(count: int = 6) -> list:
    from policy.services.reports import last_month

    months = [last_month()]
    while len(months) < count:
        months.append(last_month(months[-1]))
    return months


def _report(period) -> float:
    from policy.services.reports import report_build

    began = time.perf_counter()
    report_build(period=period)
    return (time.perf_counter() - began) * 1000


def _report_floor(period) -> float:
    from django.db import connection

    from policy.selectors.reports import month_bounds

    start, end = month_bounds(period)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(REPORT_FLOOR_SQL, {"start": start, "end": end})
        cursor.fetchall()
        return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument(
        "--redis", default="", help="a Redis URL for the cache (none: the database's)"
    )
    args = parser.parse_args(argv)
    # With the static files' manifest: the pages render as in production.
    common.setup(redis_url=args.redis)
    common.log(f"cache: {'Redis' if args.redis else 'the database table'}")
    from django.test.utils import override_settings

    override_settings(ROOT_URLCONF="bench.urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]).enable()
    provinces = _data()

    floor_ms, rebuild_ms = [], []
    for repetition in range(args.repetitions):
        order = (_floor, _rebuild) if repetition % 2 == 0 else (_rebuild, _floor)
        for action in order:
            ms = _rolled_back(action)
            (floor_ms if action is _floor else rebuild_ms).append(ms)
    common.log("building the rollups the pages read ...")
    _rebuild()
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after the rebuilds
        for table in (
            "policy_salesrollup",
            "policy_activityrollup",
            "policy_marketrollup",
            "policy_cooperativerollup",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")

    client = _client()
    presets = ["last_12_months", "last_24_months", "this_month", "last_month"]
    customs = [f"period=custom&start=2025-{m:02d}-01&end=2026-{m:02d}-28" for m in range(1, 13)]
    plain = [f"/regulator/dashboard/?period={p}" for p in presets] + [
        f"/regulator/dashboard/?{c}" for c in customs
    ]
    filtered = [
        f"/regulator/dashboard/?province={pk}&period={presets[n % len(presets)]}"
        for n, pk in enumerate(provinces)
    ]
    client.get("/bench/bare/")  # the session and the caches, once
    client.get(plain[0])
    bare, _bare_queries = _timed(client, ["/bench/bare/"], args.requests)
    whole, queries = _timed(client, plain, args.requests)
    one_province, filtered_queries = _timed(client, filtered, args.requests)
    report_ms, report_floor_ms = [], []
    for repetition in range(args.repetitions):
        for month in _report_months():
            pair = (_report, _report_floor) if repetition % 2 == 0 else (_report_floor, _report)
            for action in pair:
                ms = _rolled_back(lambda action=action, month=month: action(month))
                (report_ms if action is _report else report_floor_ms).append(ms)
    report, report_floor = common.median(report_ms), common.median(report_floor_ms)
    floor, rebuild = common.median(floor_ms), common.median(rebuild_ms)
    common.print_table(
        ["", "median ms"],
        [
            ["floor: one INSERT … SELECT … GROUP BY of 18 months", f"{floor:.0f}"],
            ["rollups_rebuild of 18 months", f"{rebuild:.0f}"],
            ["bare page (regulator)", f"{bare:.1f}"],
            [f"dashboard, {len(plain)} periods rotating", f"{whole:.1f}"],
            [f"dashboard, one province, {len(filtered)} rotating", f"{one_province:.1f}"],
            ["floor: one GROUP BY of a month's sales rollup", f"{report_floor:.1f}"],
            ["report_build of a month (6 months rotating)", f"{report:.1f}"],
        ],
        align="lr",
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rollup_ratio": round(common.ratio(rebuild, floor) or 0, 2),
                "dashboard_ratio": round(common.ratio(whole, bare) or 0, 2),
                "dashboard_filtered_ratio": round(common.ratio(one_province, bare) or 0, 2),
                "dashboard_queries": max(queries, filtered_queries),
                "report_ratio": round(common.ratio(report, report_floor) or 0, 2),
                "peak_rss_mb": round(peak),
            }
        )
    )


if __name__ == "__main__":
    main()
