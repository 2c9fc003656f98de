"""With ``DATABASE_REPLICA_URL`` set, the dashboard reads a read replica: a second
PostgreSQL database stands in for it (a copy of the main one that then falls behind),
and the page shows the copy's figures while every write of the request (its session,
its user) goes to the main database; the replica's connection refuses any write."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.services.categories import category_ensure
from policy.services.rollups import rollups_rebuild
from tests.factories import UserFactory, listing, place_order, seller

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a second database needs PostgreSQL"
    ),
]

SCRIPT = """
import json, django
django.setup()
from django.db import connections, DatabaseError
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from policy.models import SalesRollup
from tests.factories import RegulatorFactory, force_login_with_mfa

setup_test_environment()
client = Client()
force_login_with_mfa(client, RegulatorFactory(email="reader@example.test"))  # to the main database
page = client.get(reverse("policy:dashboard"))
sales = page.context["headline"]["figures"][0].value
try:
    SalesRollup.objects.using("replica").filter(pk=0).delete()
    SalesRollup.objects.using("replica").update(orders=0)
    refused = ""
except DatabaseError as error:
    refused = type(error).__name__ + ": " + str(error).splitlines()[0]
print(json.dumps({"status": page.status_code, "sales": str(sales), "refused": refused}))
"""


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _psql(*args, **kwargs):
    db = connection.settings_dict
    base = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    return subprocess.run([args[0], *base, *args[1:]], check=True, capture_output=True, **kwargs)


def test_the_dashboard_reads_the_replica_and_nothing_writes_to_it():
    goods = category_ensure(slug="household-goods", name="Household goods")
    cooperative, manager = seller("ID", legal_name="Koperasi Replika")
    jar = listing(cooperative, manager, goods, title="Jar", price="10000", stock=99, publish=True)
    buyer = UserFactory()
    place_order(buyer, jar, quantity=2)
    rollups_rebuild(first=timezone.localdate())

    main = connection.settings_dict["NAME"]
    replica = f"{main}_replica"
    _psql("psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{replica}"')
    _psql("psql", "-d", "postgres", "-c", f'CREATE DATABASE "{replica}"')
    try:
        dump = _psql("pg_dump", "--no-owner", main).stdout
        _psql("psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", replica, input=dump)
        # The main database moves on; the replica has not caught up yet.
        place_order(buyer, jar, quantity=5)
        rollups_rebuild(first=timezone.localdate())

        env = {
            **os.environ,
            "DATABASE_URL": _url(main),
            "DATABASE_REPLICA_URL": _url(replica),
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        }
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        out = run.stdout.strip().splitlines()[-1]
    finally:
        connection.close()
        _psql("psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')
    result = json.loads(out)
    assert result["status"] == 200
    assert Decimal(result["sales"]) == Decimal("20000")  # the replica's figure, not 70 000
    assert "cannot execute DELETE in a read-only transaction" in result["refused"]
