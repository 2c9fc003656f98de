"""What both benchmarks share: the environment, the database, Django's setup, statistics.

The benchmarks run on their own PostgreSQL database (``lokapasar_bench``), with
``DEBUG`` off (as in production: cached templates, manifest static files, no query
log), no Redis unless a script is given one (the settings' embedded defaults: a cache
table in the database, Celery eager) and media/static files in a folder of the
system's temporary directory that survives between runs, as the seeded database does.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "lokapasar_bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
WORK_DIR = Path(tempfile.gettempdir()) / "lokapasar-bench"
MEDIA_ROOT = WORK_DIR / "media"
STATIC_ROOT = WORK_DIR / "static"
PRIVATE_MEDIA_ROOT = WORK_DIR / "private"
# Only used by the benchmarks, on their own database; DEBUG off refuses the dev key.
BENCH_SECRET_KEY = "bench-only-" + "k3y-0f-the-l0kapasar-benchmarks-" * 2

_configured = False


def _environment(redis_url: str = "") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["MEDIA_ROOT"] = str(MEDIA_ROOT)
    os.environ["STATIC_ROOT"] = str(STATIC_ROOT)
    os.environ["PRIVATE_MEDIA_ROOT"] = str(PRIVATE_MEDIA_ROOT)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # No Redis unless asked for (settings decide on REDIS_URL): whatever the shell
    # exports, the cache is then the database's table and Celery eager.
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    for folder in (MEDIA_ROOT, STATIC_ROOT, PRIVATE_MEDIA_ROOT):
        folder.mkdir(parents=True, exist_ok=True)


def ensure_database() -> bool:
    """Create the benchmark database if it is missing; True when it was created."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return True


def setup(*, static: bool = True, redis_url: str = "") -> None:
    """Environment, database, ``django.setup()``, migrations (and collected static files,
    which the manifest storage of ``DEBUG=0`` needs to render ``{% static %}``); with
    ``redis_url``, Redis as the cache (and Celery's broker), as in production."""
    global _configured
    if _configured:
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _environment(redis_url)
    created = ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(
        f"database {DB_NAME}{' (created)' if created else ''} migrated "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if static:
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        log(f"static files collected in {time.perf_counter() - started:.1f} s")
    _configured = True


def log(message: str) -> None:
    print(f"# {message}", flush=True)


@contextmanager
def timed(label: str):
    started = time.perf_counter()
    yield
    log(f"{label}: {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p90 of 200 values is the 180th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or not base:
        return None
    return round(value / base, 2)


def print_table(headers: list[str], rows: list[list], *, align: str = "") -> None:
    """A plain-text table; ``align`` gives l/r per column (default: first left, rest right)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row):
        return "  ".join(
            cell.ljust(width) if a == "l" else cell.rjust(width)
            for cell, width, a in zip(row, widths, align, strict=True)
        ).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()


def explain_analyze(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of an already-interpolated statement, in a transaction
    that is rolled back (the statement may write)."""
    from django.db import connection, transaction

    class _Rollback(Exception):
        pass

    lines: list[str] = []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                lines = [row[0] for row in cursor.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    return "\n".join(lines)
