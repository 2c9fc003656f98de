"""With ``DATABASE_REPLICA_URL`` set, the data API reads its figures and registers from
the read replica (a second PostgreSQL database, a copy of the main one that then falls
behind), while its tokens are read from the main database (a revocation holds at once)
and its one write, a token's last use, goes there too: the replica's connection refuses
any write, and the request still succeeds."""

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
from tests.factories import CooperativeFactory, UserFactory, listing, place_order, seller
from tests.policy.test_dashboard_replica import _psql, _url

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
from django.test import Client
from django.test.utils import setup_test_environment
from policy.models import ApiToken
from policy.services.api_tokens import api_token_issue
from tests.factories import RegulatorFactory

setup_test_environment()
# Issued now, on the main database: the replica has never seen this token.
issuer = RegulatorFactory(email="issuer@example.test")
token, secret = api_token_issue(system="Statistics office", by=issuer)
client = Client(headers={"Authorization": "Bearer " + secret})
headline = client.get("/api/v1/figures/headline")
cooperatives = client.get("/api/v1/cooperatives")
token.refresh_from_db()
print(json.dumps({
    "status": [headline.status_code, cooperatives.status_code],
    "sales": headline.json()["figures"][0]["value"],
    "cooperatives": cooperatives.json()["count"],
    "used": token.last_used_at is not None,
    "replica_tokens": ApiToken.objects.using("replica").count(),
}))
"""


def test_the_api_reads_the_replica_and_writes_only_to_the_main_database():
    goods = category_ensure(slug="household-goods", name="Household goods")
    cooperative, manager = seller("ID", legal_name="Koperasi Replika")
    jar = listing(cooperative, manager, goods, title="Jar", price="10000", stock=99, publish=True)
    buyer = UserFactory()
    place_order(buyer, jar, quantity=2)
    rollups_rebuild(first=timezone.localdate())

    main = connection.settings_dict["NAME"]
    replica = f"{main}_api_replica"
    _psql("psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{replica}"')
    _psql("psql", "-d", "postgres", "-c", f'CREATE DATABASE "{replica}"')
    try:
        dump = _psql("pg_dump", "--no-owner", main).stdout
        _psql("psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", replica, input=dump)
        # The main database moves on; the replica has not caught up yet.
        place_order(buyer, jar, quantity=5)
        CooperativeFactory(legal_name="Koperasi Baru")
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
    assert result["status"] == [200, 200]
    assert Decimal(result["sales"]) == Decimal("20000")  # the replica's figure, not 70 000
    assert result["cooperatives"] == 1  # the replica's register: not yet the new one
    assert result["used"] is True  # written to the main database
    assert result["replica_tokens"] == 0
