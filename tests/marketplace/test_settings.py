"""Settings in both modes, and `check --deploy` clean under production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'cache': s.CACHES['default']['BACKEND'], 'sessions': s.SESSION_ENGINE, "
    "'broker': s.CELERY_BROKER_URL, "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'email': s.EMAIL_BACKEND, "
    "'country': s.MARKETPLACE_COUNTRY, 'currency': s.MARKETPLACE_CURRENCY}))"
)


def _clean_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "CELERY_BROKER_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    env.update(extra)
    return env


def _probe(tmp_path, **extra) -> dict:
    import json

    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_clean_env(VAR_DIR=str(tmp_path), **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_no_services(tmp_path):
    conf = _probe(tmp_path)
    assert conf["engine"] == "django.db.backends.sqlite3"
    # Shared by every web process: no per-process cache for sessions or rate limits.
    assert conf["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert conf["sessions"] == "django.contrib.sessions.backends.db"
    assert conf["eager"] is True
    assert conf["email"].endswith("console.EmailBackend")
    assert (conf["country"], conf["currency"]) == ("ID", "IDR")


def test_real_stack_from_environment(tmp_path):
    conf = _probe(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.internal:5432/lokapasar",
        REDIS_URL="redis://cache.internal:6379/2",
        MARKETPLACE_COUNTRY="vn",
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert conf["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert conf["broker"] == "redis://cache.internal:6379/2"
    assert conf["eager"] is False
    assert (conf["country"], conf["currency"]) == ("VN", "VND")


def _production_env(tmp_path) -> dict:
    return _clean_env(
        VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY="k3y-" + "x7Qp9Lm2Zr8Vt4Wn6Ys1Bd5Hc3Jf0Ga" * 2,
        ALLOWED_HOSTS="lokapasar.example",
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_development_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
