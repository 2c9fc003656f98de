"""Checks of the services the app depends on, for ``/healthz`` and operators."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def service_states() -> tuple[bool, dict[str, str]]:
    states: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            states[name] = check()
        except Exception as exc:  # any failure of a dependency is reported, not raised
            healthy = False
            states[name] = f"error: {exc.__class__.__name__}"
    return healthy, states
