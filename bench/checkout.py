"""Checkout under contention: no overselling in a race, and sustained throughput.

    python bench/checkout.py                    # race, queries per checkout, 20 s sustained
    python bench/checkout.py --seconds 60       # a longer sustained phase
    python bench/checkout.py --profile 200      # also cProfile 200 single-threaded loops
    python bench/checkout.py --statements       # also list the statements of one checkout

Runs on its own PostgreSQL database (``lokapasar_bench_checkout``, created if missing),
``DEBUG=0``, no Redis (local-memory cache, Celery eager: the outbox relay runs in the
checkout's thread once its transaction commits) and the local-memory email backend.
Every run wipes and re-creates its small data set: 2 categories (no listing rule),
3 verified local cooperatives with one manager each, 30 active products with a large
stock, one contested product with exactly 10 in stock, and buyers.

- Race: 50 buyers (threads, one connection each, released together by a barrier), each
  with 1 unit of the contested product in their cart, call ``checkout_complete``. Exactly
  10 must get an order; the others a clean ``InsufficientStock``.
- Queries per checkout: a few single-threaded checkouts of a 6-line cart from 3
  cooperatives, each ``checkout_complete`` call under ``CaptureQueriesContext``.
- Breakdown: 30 single-threaded loops with some functions of ``orders.services`` wrapped
  by a timer (in this process, restored afterwards): wall, SQL and Python ms per piece.
- Sustained: 4 worker threads for 20 s, each in a loop: 6 ``cart_add`` (2 products from
  each of the 3 cooperatives, quantity 1-2), then ``checkout_complete``; a sampler of
  ``pg_stat_activity`` says what their backends were doing.

Prints tables and, as the last line, ``{"oversold": ..., "orders_for_last_10": ...,
"checkouts_per_s": ..., "queries_per_checkout": ..., "errors": ...}``. Not a test:
nothing passes or fails here, the caller reads the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this folder comes first on sys.path and a file here could shadow
    # an app of the same name: put the repository root there instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import threading
import time
import traceback
import uuid
from collections import Counter
from decimal import Decimal

from bench import common

DB_NAME = "lokapasar_bench_checkout"
N_COOPERATIVES = 3
PRODUCTS_PER_COOPERATIVE = 10
LARGE_STOCK = 1_000_000
CONTESTED_STOCK = 10
RACE_BUYERS = 50
WORKERS = 4
SECONDS = 20.0
QUERY_SAMPLES = 5
BREAKDOWN_LOOPS = 30
LINES_PER_COOPERATIVE = 2
RANDOM_SEED = 20_251_125
SAMPLE_EVERY_S = 0.02  # pg_stat_activity sampling during the sustained phase
SHOW_TRACEBACKS = 3
PASSWORD = "bench-checkout-password"  # noqa: S105 (benchmark users on their own database)

# Everything the benchmark writes; TRUNCATE ... CASCADE also empties what refers to
# them (carts, memberships, decisions, sessions, allauth rows).
TABLES = [
    "marketplace_outgoingemail",
    "orders_sellerorderstatuschange",
    "orders_orderline",
    "orders_sellerorder",
    "orders_order",
    "orders_cartline",
    "orders_cart",
    "policy_listingrule",
    "catalog_product",
    "catalog_category",
    "sellers_membership",
    "sellers_cooperative",
    "marketplace_user",
]


def setup() -> None:
    """``bench.common``'s environment on this benchmark's own database, email in memory."""
    common.DB_NAME = DB_NAME
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    common.setup(static=False)


def _address():
    from orders.services.checkout import ShippingAddress

    return ShippingAddress(
        name="Bench Buyer",
        phone="+62 812 0000 0000",
        country="ID",
        province="Jawa Barat",
        commune="Desa Bench",
        street="Jalan Benchmark 1",
    )


# --- Data ---------------------------------------------------------------------------


class Data:
    """What the phases need: products by cooperative, the contested product, buyers."""

    def __init__(self):
        self.products_by_coop: dict[int, list[int]] = {}
        self.contested = None
        self.race_buyers: list = []
        self.workers: list = []
        self.sampler = None


def seed() -> Data:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Category, Product
    from marketplace.models import Province, User
    from marketplace.services import provinces_seed
    from orders.models import Cart, CartLine
    from policy.models import ListingRule
    from sellers.models import Cooperative, Membership

    data = Data()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    if not Province.objects.filter(country="ID").exists():
        provinces_seed(country="ID")
    province = Province.objects.filter(country="ID").order_by("code").first()
    now = timezone.now()
    password = make_password(PASSWORD)  # hashed once for every user

    with transaction.atomic():
        root = Category.objects.add_root(
            create_kwargs={"slug": "food-beverages", "name": "Food & beverages"}
        )
        leaf = Category.objects.add_child(
            Category.objects.get(pk=root.pk),
            create_kwargs={"slug": "coffee-tea", "name": "Coffee & tea"},
        )
        cooperatives = Cooperative.objects.bulk_create(
            Cooperative(
                legal_name=f"Koperasi Bench Kopi {n}",
                slug=f"koperasi-bench-kopi-{n}",
                registration_number=f"BENCH-CHK-{n:03d}",
                country="ID",
                province=province,
                commune="Desa Bench",
                member_count=25,
                status=Cooperative.Status.VERIFIED,
                status_reason="Verified (benchmark data).",
            )
            for n in range(1, N_COOPERATIVES + 1)
        )
        people = [
            ("manager", N_COOPERATIVES),
            ("racer", RACE_BUYERS),
            ("worker", WORKERS + 1),  # one more: the single-threaded sampler
        ]
        users = User.objects.bulk_create(
            User(email=f"{kind}{n}@bench.test", full_name=f"{kind.title()} {n}", password=password)
            for kind, count in people
            for n in range(1, count + 1)
        )
        managers = users[:N_COOPERATIVES]
        racers = users[N_COOPERATIVES : N_COOPERATIVES + RACE_BUYERS]
        workers = users[N_COOPERATIVES + RACE_BUYERS :]
        Membership.objects.bulk_create(
            Membership(cooperative=c, user=m, role=Membership.Role.MANAGER)
            for c, m in zip(cooperatives, managers, strict=True)
        )
        rng = random.Random(RANDOM_SEED)
        products = [
            Product(
                cooperative=cooperative,
                category=leaf,
                sku=f"BENCH-{cooperative.pk}-{i:02d}",
                title=f"Kopi arabica bench {cooperative.pk}-{i}",
                slug=f"kopi-arabica-bench-{cooperative.pk}-{i}",
                description="Benchmark product.",
                origin_province=province,
                origin_commune="Desa Bench",
                unit=Product.Unit.PACK,
                price=Decimal(rng.randrange(20, 500) * 1000),
                stock=LARGE_STOCK,
                status=Product.Status.ACTIVE,
                published_at=now,
            )
            for cooperative in cooperatives
            for i in range(PRODUCTS_PER_COOPERATIVE)
        ]
        contested = Product(
            cooperative=cooperatives[0],
            category=leaf,
            sku="BENCH-LAST-10",
            title="Kopi luwak liar, the last 10",
            slug="kopi-luwak-liar-the-last-10",
            origin_province=province,
            unit=Product.Unit.PACK,
            price=Decimal("750000"),
            stock=CONTESTED_STOCK,
            status=Product.Status.ACTIVE,
            published_at=now,
        )
        products = Product.objects.bulk_create([*products, contested])
        contested = products[-1]
        for product in products[:-1]:
            data.products_by_coop.setdefault(product.cooperative_id, []).append(product.pk)
        carts = Cart.objects.bulk_create(Cart(user=user) for user in racers + workers)
        CartLine.objects.bulk_create(
            CartLine(cart=cart, product=contested, quantity=1, unit_price_seen=contested.price)
            for cart in carts[:RACE_BUYERS]
        )
    if ListingRule.objects.exists():
        raise SystemExit("a listing rule exists on the benchmark database: expected none")
    data.contested = contested
    data.race_buyers = list(zip(racers, carts[:RACE_BUYERS], strict=True))
    data.workers = list(zip(workers[:WORKERS], carts[RACE_BUYERS:-1], strict=True))
    data.sampler = (workers[-1], carts[-1])
    _vacuum()
    common.log(
        f"seeded: {N_COOPERATIVES} cooperatives, {len(products) - 1} products "
        f"(stock {LARGE_STOCK}), 1 contested product (stock {CONTESTED_STOCK}), "
        f"{len(users)} users (one password hash)"
    )
    return data


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def restock(data: Data) -> None:
    from catalog.models import Product

    ids = [pk for ids in data.products_by_coop.values() for pk in ids]
    Product.objects.filter(pk__in=ids).update(stock=LARGE_STOCK)


# --- Helpers ------------------------------------------------------------------------


def _cart_fill(cart, data: Data, rng: random.Random) -> None:
    """6 lines: 2 products of each cooperative, quantity 1-2, through ``cart_add``."""
    from orders.services.cart import cart_add

    for ids in data.products_by_coop.values():
        for product_id in rng.sample(ids, LINES_PER_COOPERATIVE):
            cart_add(cart=cart, product_id=product_id, quantity=rng.randint(1, 2))


def _checkout(buyer, cart):
    from orders.models import Order
    from orders.services.checkout import checkout_complete

    return checkout_complete(
        buyer=buyer,
        cart=cart,
        address=_address(),
        payment_method=Order.Payment.ON_DELIVERY,
        token=uuid.uuid4(),
    )


def _cart_clear(cart) -> None:
    from orders.models import CartLine

    CartLine.objects.filter(cart=cart).delete()


class StatementRecorder:
    """An ``execute_wrapper`` that keeps each statement with its time in ms."""

    def __init__(self, into: list):
        self.into = into

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            self.into.append({"sql": sql, "ms": (time.perf_counter_ns() - started) / 1e6})


class SqlTimer:
    """An ``execute_wrapper``: the time spent inside database calls, and their count."""

    def __init__(self):
        self.ns = 0
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ns += time.perf_counter_ns() - started
            self.calls += 1


def _cpu_snapshot() -> tuple[float, float, float]:
    """(wall, this process's CPU seconds, the machine's busy CPU seconds)."""
    times = os.times()
    busy = 0.0
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        ticks = os.sysconf("SC_CLK_TCK")
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        busy = (sum(fields[:8]) - idle) / ticks
    except OSError:
        pass
    return time.perf_counter(), times.user + times.system, busy


# --- Race ---------------------------------------------------------------------------


def race(data: Data) -> dict:
    from django.db import connection

    from catalog.models import Product
    from orders.models import Order, OrderLine
    from orders.services.checkout import InsufficientStock

    n = len(data.race_buyers)
    barrier = threading.Barrier(n, timeout=60)
    outcomes: list[str | None] = [None] * n
    began = [0.0] * n
    ended = [0.0] * n
    released = [0.0]

    def run(i: int, buyer, cart) -> None:
        try:
            connection.ensure_connection()  # connect before the start, not in the race
            if barrier.wait() == 0:
                released[0] = time.perf_counter()
            began[i] = time.perf_counter()
            try:
                _checkout(buyer, cart)
                outcomes[i] = "ok"
            except InsufficientStock:
                outcomes[i] = "out of stock"
        except threading.BrokenBarrierError:
            outcomes[i] = "error: " + traceback.format_exc()
        except BaseException:
            barrier.abort()
            outcomes[i] = "error: " + traceback.format_exc()
        finally:
            ended[i] = time.perf_counter()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, buyer, cart), name=f"racer-{i}")
        for i, (buyer, cart) in enumerate(data.race_buyers)
    ]
    stop = threading.Event()
    sampler = ActivitySampler(stop)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    sampler.join()

    contested = data.contested
    lines = OrderLine.objects.filter(product=contested)
    orders = Order.objects.filter(seller_orders__lines__product=contested).distinct().count()
    units = sum(lines.values_list("quantity", flat=True))
    stock = Product.objects.values_list("stock", flat=True).get(pk=contested.pk)
    oversold = max(0, units - CONTESTED_STOCK, -stock)
    kinds = Counter(o if o in ("ok", "out of stock") else "error" for o in outcomes)
    errors = [o for o in outcomes if o not in ("ok", "out of stock")]
    for text in errors[:SHOW_TRACEBACKS]:
        common.log(f"race {text}")
    consistent = stock + units == CONTESTED_STOCK and kinds["ok"] == orders
    if not consistent:
        common.log(
            f"WARNING: inconsistent race: stock {stock} + units ordered {units} != "
            f"{CONTESTED_STOCK}, or {kinds['ok']} successful calls vs {orders} orders"
        )
    return {
        "buyers": n,
        "orders": orders,
        "units": units,
        "stock": stock,
        "oversold": oversold,
        "out_of_stock": kinds["out of stock"],
        "errors": len(errors),
        "consistent": consistent,
        "wall_ms": (max(ended) - released[0]) * 1000 if released[0] else None,
        "start_spread_ms": (max(began) - min(began)) * 1000 if all(began) else None,
        "max_lock_waiters": sampler.max_lock_waiters,
    }


# --- Queries per checkout -------------------------------------------------------------


def queries_per_checkout(data: Data, samples: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer, cart = data.sampler
    rng = random.Random(RANDOM_SEED + 99)
    counts, checkout_ms, cart_ms, last = [], [], [], []
    for _ in range(samples):
        started = time.perf_counter()
        _cart_fill(cart, data, rng)
        filled = time.perf_counter()
        statements = []
        # Django records the times of captured queries to the millisecond: time them here.
        with (
            CaptureQueriesContext(connection) as ctx,
            connection.execute_wrapper(StatementRecorder(statements)),
        ):
            _checkout(buyer, cart)
        done = time.perf_counter()
        cart_ms.append((filled - started) * 1000)
        checkout_ms.append((done - filled) * 1000)
        counts.append(len(ctx.captured_queries))
        last = statements
        transaction_commands = len(ctx.captured_queries) - len(statements)
    return {
        "counts": counts,
        "median": int(common.median(counts)),
        "statements": last,
        "transaction_commands": transaction_commands,
        "checkout_ms": common.median(checkout_ms),
        "cart_ms": common.median(cart_ms),
    }


# --- Sustained ----------------------------------------------------------------------


class ActivitySampler(threading.Thread):
    """Samples pg_stat_activity of the benchmark's database: what the workers'
    backends are doing (waiting for the client = Python, running, waiting on a lock,
    flushing WAL ...)."""

    def __init__(self, stop: threading.Event):
        super().__init__(name="pg-sampler", daemon=True)
        self.stop = stop
        self.counts: Counter = Counter()
        self.samples = 0
        self.max_lock_waiters = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(f"{common.PG_SERVER}/{DB_NAME}", autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'",
                    [DB_NAME],
                ).fetchall()
                self.samples += 1
                self.max_lock_waiters = max(
                    self.max_lock_waiters,
                    sum(1 for state, wait_type, _e, _q in rows if wait_type == "Lock"),
                )
                for state, wait_type, wait_event, query in rows:
                    if state != "active":
                        key = state or "?"
                    elif not wait_type:
                        key = "active: on CPU"
                    elif wait_type == "Lock":
                        key = f"active: Lock:{wait_event} in {_statement_kind(query)}"
                    else:
                        key = f"active: {wait_type}:{wait_event}"
                    self.counts[key] += 1
                time.sleep(SAMPLE_EVERY_S)


def _statement_kind(sql: str) -> str:
    """'INSERT orders_cartline', 'SELECT catalog_product FOR UPDATE' ..."""
    match = re.search(r'(INSERT INTO|UPDATE|DELETE FROM|FROM) "(\w+)"', sql or "")
    if not match:
        return (sql or "?").split(" ", 1)[0]
    verb = {"INSERT INTO": "INSERT", "DELETE FROM": "DELETE", "FROM": "SELECT"}.get(
        match.group(1), match.group(1)
    )
    lock = " FOR UPDATE" if re.search(r"FOR (NO KEY )?UPDATE", sql) else ""
    return f"{verb} {match.group(2)}{lock}"


def sustained(data: Data, *, workers: int, seconds: float) -> dict:
    from django.db import connection

    from orders.services.checkout import InsufficientStock

    barrier = threading.Barrier(workers + 1, timeout=60)
    results = [
        {"done": 0, "out_of_stock": 0, "errors": [], "loop": [], "cart": [], "checkout": []}
        for _ in range(workers)
    ]
    timers = [SqlTimer() for _ in range(workers)]
    ended = [0.0] * workers
    stop_at = [0.0]

    def run(k: int, buyer, cart) -> None:
        rng = random.Random(RANDOM_SEED + k)
        mine = results[k]
        try:
            connection.ensure_connection()
            with connection.execute_wrapper(timers[k]):
                barrier.wait()
                while time.perf_counter() < stop_at[0]:
                    started = time.perf_counter()
                    try:
                        _cart_fill(cart, data, rng)
                        filled = time.perf_counter()
                        _checkout(buyer, cart)
                    except InsufficientStock:
                        mine["out_of_stock"] += 1
                        _cart_clear(cart)
                        continue
                    except Exception:
                        mine["errors"].append(traceback.format_exc())
                        _cart_clear(cart)
                        continue
                    done = time.perf_counter()
                    mine["done"] += 1
                    mine["loop"].append((done - started) * 1000)
                    mine["cart"].append((filled - started) * 1000)
                    mine["checkout"].append((done - filled) * 1000)
        except BaseException:
            barrier.abort()
            mine["errors"].append(traceback.format_exc())
        finally:
            ended[k] = time.perf_counter()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(k, buyer, cart), name=f"worker-{k}")
        for k, (buyer, cart) in enumerate(data.workers[:workers])
    ]
    for thread in threads:
        thread.start()
    stop = threading.Event()
    sampler = ActivitySampler(stop)
    sampler.start()
    before = _cpu_snapshot()
    stop_at[0] = time.perf_counter() + seconds
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    after = _cpu_snapshot()
    stop.set()
    sampler.join()

    elapsed = max(ended) - started
    done = sum(r["done"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    for text in errors[:SHOW_TRACEBACKS]:
        common.log(f"sustained error: {text}")
    loops = [x for r in results for x in r["loop"]]
    carts = [x for r in results for x in r["cart"]]
    checkouts = [x for r in results for x in r["checkout"]]
    wall = after[0] - before[0]
    return {
        "workers": workers,
        "seconds": seconds,
        "elapsed": elapsed,
        "done": done,
        "per_s": done / elapsed if elapsed else 0.0,
        "out_of_stock": sum(r["out_of_stock"] for r in results),
        "errors": len(errors),
        "loop_median": common.median(loops) if loops else None,
        "loop_p90": common.percentile(loops, 0.9) if loops else None,
        "cart_median": common.median(carts) if carts else None,
        "checkout_median": common.median(checkouts) if checkouts else None,
        "checkout_p90": common.percentile(checkouts, 0.9) if checkouts else None,
        "sql_s": sum(t.ns for t in timers) / 1e9,
        "sql_calls": sum(t.calls for t in timers),
        "python_cores": (after[1] - before[1]) / wall,
        "machine_cores": (after[2] - before[2]) / wall if after[2] else None,
        "activity": sampler.counts,
        "activity_samples": sampler.samples,
    }


# --- Breakdown ----------------------------------------------------------------------

# (label, module, attribute): functions wrapped, for the breakdown only, by a timer that
# also counts the time spent in database calls. Indentation = nested inside the above.
PIECES = [
    ("6 x cart_add", "orders.services.cart", "cart_add"),
    ("checkout_complete", "orders.services.checkout", "checkout_complete"),
    ("  _place (transaction, commit, on-commit hooks)", "orders.services.checkout", "_place"),
    ("    listings_decide", "orders.services.checkout", "listings_decide"),
    ("    stock_take (UPDATE)", "catalog.services.stock", "stock_take"),
    ("    _announce_order", "orders.services.checkout", "_announce_order"),
    ("      emails_queue (render + INSERT)", "orders.services.checkout", "emails_queue"),
    ("    catalog_changed", "orders.services.checkout", "catalog_changed"),
    ("    outbox relay on commit (eager)", "marketplace.notifications", "relay_nudge"),
]


def breakdown(data: Data, loops: int) -> list[list]:
    """Single-threaded: wall and SQL time per loop in each piece of the loop."""
    import importlib

    from django.db import connection

    timer = SqlTimer()
    spent = {label: [0, 0, 0] for label, _m, _a in PIECES}  # wall ns, sql ns, DB calls
    originals = []

    def wrap(label, function):
        def timed(*args, **kwargs):
            wall, sql, calls = time.perf_counter_ns(), timer.ns, timer.calls
            try:
                return function(*args, **kwargs)
            finally:
                spent[label][0] += time.perf_counter_ns() - wall
                spent[label][1] += timer.ns - sql
                spent[label][2] += timer.calls - calls

        return timed

    for label, module_name, attribute in PIECES:
        module = importlib.import_module(module_name)
        originals.append((module, attribute, getattr(module, attribute)))
        setattr(module, attribute, wrap(label, getattr(module, attribute)))
    buyer, cart = data.sampler
    rng = random.Random(RANDOM_SEED + 5)
    try:
        with connection.execute_wrapper(timer):
            started, sql_before = time.perf_counter_ns(), timer.ns
            for _ in range(loops):
                _cart_fill(cart, data, rng)
                _checkout(buyer, cart)
            total = [time.perf_counter_ns() - started, timer.ns - sql_before]
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)
    rows = [
        [
            "whole loop",
            f"{total[0] / loops / 1e6:.1f}",
            f"{total[1] / loops / 1e6:.1f}",
            f"{(total[0] - total[1]) / loops / 1e6:.1f}",
            f"{timer.calls / loops:.1f}",
        ]
    ]
    for label, _m, _a in PIECES:
        wall, sql, calls = spent[label]
        rows.append(
            [
                label,
                f"{wall / loops / 1e6:.1f}",
                f"{sql / loops / 1e6:.1f}",
                f"{(wall - sql) / loops / 1e6:.1f}",
                f"{calls / loops:.1f}",
            ]
        )
    return rows


# --- Profile ------------------------------------------------------------------------


def profile(data: Data, loops: int) -> None:
    """cProfile of ``loops`` single-threaded iterations (cart of 6 lines + checkout)."""
    buyer, cart = data.sampler
    rng = random.Random(RANDOM_SEED + 7)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(loops):
        _cart_fill(cart, data, rng)
        _checkout(buyer, cart)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print()
    common.log(
        f"cProfile of {loops} single-threaded loops (6 cart_add + checkout_complete): "
        f"{elapsed:.2f} s, {loops / elapsed:.1f} loops/s under the profiler"
    )
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(30)
        print(out.getvalue())


# --- Main ---------------------------------------------------------------------------


def _statement_table(statements: list[dict]) -> None:
    common.print_table(
        ["#", "ms", "statement"],
        [
            [i, f"{q['ms']:.2f}", " ".join(q["sql"].split())[:120]]
            for i, q in enumerate(statements, 1)
        ],
        align="rrl",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="sustained phase length")
    parser.add_argument("--workers", type=int, default=WORKERS, help="sustained worker threads")
    parser.add_argument("--samples", type=int, default=QUERY_SAMPLES, help="captured checkouts")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N single-threaded loops"
    )
    parser.add_argument(
        "--breakdown",
        type=int,
        default=BREAKDOWN_LOOPS,
        metavar="N",
        help="time the pieces of N single-threaded loops (0: skip)",
    )
    parser.add_argument(
        "--statements", action="store_true", help="list the statements of one checkout"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= WORKERS:
        parser.error(f"--workers is from 1 to {WORKERS}")

    setup()
    from django.core import mail
    from django.db import connection

    from marketplace.models import OutgoingEmail

    with common.timed("seeding"):
        data = seed()
    common.log(f"load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    race_result = race(data)
    common.log(
        f"race: {race_result['orders']} orders, {race_result['out_of_stock']} out of stock, "
        f"{race_result['errors']} errors in {race_result['wall_ms']:.0f} ms"
    )

    restock(data)
    queries = queries_per_checkout(data, args.samples)
    common.log(
        f"queries per checkout_complete: {queries['counts']} (the last: "
        f"{len(queries['statements'])} statements + {queries['transaction_commands']} "
        "BEGIN/COMMIT)"
    )
    if args.statements:
        _statement_table(queries["statements"])

    pieces = []
    if args.breakdown:
        restock(data)
        pieces = breakdown(data, args.breakdown)

    restock(data)
    connection.close()  # the main thread holds no connection during the sustained phase
    run = sustained(data, workers=args.workers, seconds=args.seconds)
    load = os.getloadavg()
    unsent = OutgoingEmail.objects.filter(sent_at__isnull=True).count()
    common.log(
        f"outbox after the run: {OutgoingEmail.objects.count()} emails, {unsent} unsent; "
        f"{len(getattr(mail, 'outbox', []))} in the local-memory mailbox"
    )

    if args.profile:
        restock(data)
        profile(data, args.profile)

    print()
    common.log(
        f"race: {RACE_BUYERS} threads released by a barrier, 1 unit each of a product with "
        f"stock {CONTESTED_STOCK}; sustained: {run['workers']} threads x {run['seconds']:.0f} s, "
        f"loop = 6 cart_add (2 products x 3 cooperatives, qty 1-2) + checkout_complete; "
        f"DEBUG=0, Celery eager (outbox relay inside the checkout), locmem email"
    )
    common.log(f"load average at end {', '.join(f'{x:.2f}' for x in load)}")
    rows = [
        ["race", "buyers (threads)", race_result["buyers"]],
        ["race", "orders for the contested product", race_result["orders"]],
        ["race", "final stock", race_result["stock"]],
        ["race", "oversold", race_result["oversold"]],
        ["race", "clean InsufficientStock", race_result["out_of_stock"]],
        ["race", "errors", race_result["errors"]],
        ["race", "stock + units ordered == 10", race_result["consistent"]],
        ["race", "wall ms, release to last thread done", f"{race_result['wall_ms']:.0f}"],
        ["race", "ms between first and last thread start", _num(race_result["start_spread_ms"])],
        ["race", "most backends waiting on a lock at once", race_result["max_lock_waiters"]],
        ["single", "queries per checkout_complete (median)", queries["median"]],
        ["single", "checkout_complete ms (median)", f"{queries['checkout_ms']:.1f}"],
        ["single", "6 cart_add ms (median)", f"{queries['cart_ms']:.1f}"],
        ["sustained", "elapsed s", f"{run['elapsed']:.1f}"],
        ["sustained", "checkouts completed", run["done"]],
        ["sustained", "checkouts per second", f"{run['per_s']:.1f}"],
        ["sustained", "clean InsufficientStock", run["out_of_stock"]],
        ["sustained", "errors", run["errors"]],
        ["sustained", "loop ms median / p90", _pair(run["loop_median"], run["loop_p90"])],
        ["sustained", "  6 cart_add ms median", _num(run["cart_median"])],
        [
            "sustained",
            "  checkout_complete ms median / p90",
            _pair(run["checkout_median"], run["checkout_p90"]),
        ],
        [
            "sustained",
            "share of worker time inside DB calls",
            f"{run['sql_s'] / (run['elapsed'] * run['workers']):.0%}",
        ],
        ["sustained", "DB calls per loop", f"{run['sql_calls'] / max(1, run['done']):.1f}"],
        ["sustained", "CPU cores used: this Python process", f"{run['python_cores']:.2f}"],
        [
            "sustained",
            "CPU cores used: whole machine (of 2)",
            _num(run["machine_cores"], "{:.2f}"),
        ],
    ]
    common.print_table(["phase", "measure", "value"], rows, align="llr")

    if pieces:
        print()
        common.log(
            f"where a loop's time goes: {args.breakdown} single-threaded loops, ms per loop "
            "(wall, inside DB calls, the rest = Python); indented = inside the line above"
        )
        common.print_table(
            ["piece", "wall ms", "sql ms", "python ms", "DB calls"], pieces, align="lrrrr"
        )

    if run["activity_samples"]:
        print()
        common.log(
            f"what the workers' PostgreSQL backends were doing ({run['activity_samples']} "
            f"samples of pg_stat_activity, every {SAMPLE_EVERY_S * 1000:.0f} ms); 'idle' and "
            "'idle in transaction' = waiting for Python"
        )
        total = sum(run["activity"].values())
        common.print_table(
            ["backend state", "share"],
            [[k, f"{v / total:.0%}"] for k, v in run["activity"].most_common()],
        )

    errors = race_result["errors"] + run["errors"]
    print(
        json.dumps(
            {
                "oversold": race_result["oversold"],
                "orders_for_last_10": race_result["orders"],
                "checkouts_per_s": round(run["per_s"], 1),
                "queries_per_checkout": queries["median"],
                "errors": errors,
            }
        )
    )


def _num(value, fmt: str = "{:.1f}") -> str:
    return "" if value is None else fmt.format(value)


def _pair(a, b) -> str:
    return f"{_num(a)} / {_num(b)}"


if __name__ == "__main__":
    main()
