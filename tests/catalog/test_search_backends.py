"""PostgreSQL's vector and the embedded defaults' FTS5 index search the same fields
(title, description, story, category names in every language, cooperative name) and
find the same listings for the same queries."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog import search_world

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "kopi": ["Roasted robusta", "Arabica beans"],
    "café": ["Roasted robusta", "Arabica beans"],
    "coffee": ["Roasted robusta", "Arabica beans"],
    "arabica": ["Arabica beans"],
    "volcanic": ["Arabica beans"],
    "grandmother": ["Roasted robusta"],
    "Kintamani": ["Roasted robusta", "Arabica beans"],
    "kopi arabica": ["Arabica beans"],
    "kopi -arabica": ["Roasted robusta"],
    "TENUN": ["Ikat sarong"],
    "nothing-like-this": [],
    "'\"&|!():*<-> ": [],
}

SQLITE_RUN = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.catalog import search_world
search_world.build()
print(json.dumps(search_world.results()))
"""


def _sqlite_results(tmp_path) -> dict[str, list[str]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env |= {"DJANGO_SETTINGS_MODULE": "marketplace.settings", "VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_RUN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_this_back_end_searches_every_field():
    search_world.build()
    assert search_world.results() == EXPECTED


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_and_the_embedded_sqlite_find_the_same_listings(tmp_path):
    search_world.build()
    on_postgresql = search_world.results()
    on_sqlite = _sqlite_results(tmp_path)
    assert on_postgresql == EXPECTED
    assert on_sqlite == on_postgresql
