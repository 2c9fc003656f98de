"""Shared test set-up: which database and broker, loud skips, clean cache, factories."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# browser tests make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _redis_url_for_this_worker(url: str) -> str:
    """Give each test process its own Redis database, so flushing it is safe.

    Databases 9 to 15 are used, never the developer's database 0. Several suites run
    side by side on one Redis (e.g. from several work trees) each set
    ``TEST_REDIS_DB_BASE`` (1 to 15) to a database of their own.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base = int(os.environ.get("TEST_REDIS_DB_BASE") or 9)
    index = 1 + (base - 1 + int(re.sub(r"\D", "", worker) or 0)) % 15
    base = re.sub(r"/\d*$", "", url.rstrip("/"))
    return f"{base}/{index}"


@pytest.fixture(scope="session", autouse=True)
def _own_redis_database():
    """Point cache and broker at this test process's own Redis database before any test
    runs (settings are loaded before this file is imported, so the environment is too
    late to change): flushing it never touches another process's or a developer's data."""
    import copy

    from django.conf import settings
    from django.test.utils import override_settings

    if not settings.REDIS_URL:
        yield
        return
    url = _redis_url_for_this_worker(settings.REDIS_URL)
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = url
    from marketplace.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = url
    with override_settings(CACHES=caches, CELERY_BROKER_URL=url, REDIS_URL=url):
        yield
    app.conf.broker_url = previous


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db['NAME']}",
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"broker: {settings.CELERY_BROKER_URL}"
        f"{' (tasks eager)' if settings.CELERY_TASK_ALWAYS_EAGER else ''}",
    ]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    skip_pg = pytest.mark.skip(reason="NEEDS POSTGRESQL: running on SQLite (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="NEEDS REDIS: tasks run in-process (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not settings.DB_IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "in-process (eager)"
    terminalreporter.write_sep("=", f"ran on database: {db}; broker and cache: {broker}")
    if not settings.DB_IS_POSTGRES:
        terminalreporter.write_sep(
            "!", "NO POSTGRESQL: PostgreSQL-only tests were SKIPPED", red=True, bold=True
        )
    if not settings.REDIS_URL:
        terminalreporter.write_sep(
            "!", "NO REDIS: tests needing a real broker were SKIPPED", red=True, bold=True
        )


@pytest.fixture(autouse=True)
def _clean_cache(request):
    """Rate-limit counters and cached state must not leak from one test to the next.

    Tests that touch no database (the cache may live in it) have nothing to clean."""
    from django.core.cache import cache

    if not request.node.get_closest_marker("django_db"):
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs ~0.3 s a password; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _private_media_root(tmp_path_factory):
    """Private documents go to one directory of the run's own, set before any fixture
    writes one (the module-scoped worlds attach licences and evidence), never to var/."""
    from django.test import override_settings

    override = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private"))
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run in the test's own process unless a test asks for ``celery_worker``,
    so that nothing is left queued in the broker for a later test's worker."""
    from marketplace.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@contextlib.contextmanager
def running_worker(app):
    """A real Celery worker, in a thread of this process, consuming ``app``'s broker."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def celery_worker(settings):
    """A real Celery worker, in a thread, consuming the real broker (Redis)."""
    from marketplace.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no stale message from an earlier run
    with running_worker(app) as worker:
        yield worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_broker_connections(app) -> None:
    """Forget pooled broker connections: the next publish connects afresh."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


class ThrowawayBroker:
    """A Redis server of the test's own, on a free port, that the test stops and starts
    again: the broker really goes away, at the address the application publishes to."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._forget_connections()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
        self._forget_connections()

    def _forget_connections(self) -> None:
        from marketplace.celery import app

        _reset_broker_connections(app)


@pytest.fixture
def throwaway_broker(settings, tmp_path):
    """Celery publishes to a throw-away Redis that the test can stop and start; tasks
    are not run in-process. Use :func:`running_worker` for a real worker on it."""
    if shutil.which("redis-server") is None:
        pytest.skip("NEEDS redis-server: the broker outage is a real server stopped")
    from marketplace.celery import app

    broker = ThrowawayBroker(tmp_path)
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = app.conf.broker_url = broker.url
    app.conf.task_always_eager = False
    broker.start()
    yield broker
    broker.stop()
    app.conf.broker_url = previous
    _reset_broker_connections(app)


def wait_until(condition, *, seconds: float = 30) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` have passed (a worker runs in
    another thread); return whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def broker_queue_empty() -> bool:
    """Every task published so far was taken by the worker."""
    from marketplace.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen("celery") == 0
