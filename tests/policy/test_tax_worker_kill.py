"""A real Celery worker, in its own process, is killed (SIGKILL) half-way through a
month's tax collection: the rerun completes it with exactly the totals of a run that
was never interrupted."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from orders.models import SellerOrder
from orders.services.fulfilment import seller_order_cash_received
from policy.models import TaxAssessment
from policy.services.collection import taxes_collect
from policy.services.taxes import taxes_seed_defaults
from tests.factories import UserFactory, completed_on, deliver, listing, place_order, seller

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a second process needs PostgreSQL"
    ),
]

OCTOBER = date(2026, 10, 1)
COOPERATIVES = 40


def _october_sales():
    """40 cooperatives, each with one completed October sale of n x 10 000 (VAT 11 %)."""
    from catalog.services.categories import category_ensure

    taxes_seed_defaults(country="ID")
    goods = category_ensure(slug="household-goods", name="Household goods")
    buyer = UserFactory()
    when = timezone.make_aware(datetime(2026, 10, 12, 9))
    expected = {}
    for n in range(1, COOPERATIVES + 1):
        cooperative, manager = seller("ID", legal_name=f"Koperasi {n:02d}")
        product = listing(
            cooperative, manager, goods, title=f"Jar {n}", price="10000", stock=50, publish=True
        )
        part = deliver(place_order(buyer, product, quantity=n).seller_orders.get(), manager)
        seller_order_cash_received(seller_order=part, actor=manager)
        completed_on(part, when)
        expected[cooperative.pk] = (Decimal(n * 10000), Decimal(n * 1100))
    return expected


def _worker(broker_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "TAX_COLLECTION_BATCH": "1",  # one cooperative per transaction: a kill lands mid-way
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_half_way_leaves_a_collection_the_rerun_completes(throwaway_broker):
    from policy.tasks.taxes import collect_taxes

    expected = _october_sales()
    worker = _worker(throwaway_broker.url)
    try:
        collect_taxes.apply_async(args=["2026-10"])
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline:
            done = TaxAssessment.objects.filter(period=OCTOBER, kind="vat").count()
            if done >= 3:
                break
            time.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed_at = TaxAssessment.objects.filter(period=OCTOBER, kind="vat").count()
    assert 3 <= killed_at < COOPERATIVES, killed_at  # it did die half-way

    taxes_collect(period=OCTOBER)

    got = {
        a.cooperative_id: (a.gross, a.tax)
        for a in TaxAssessment.objects.filter(period=OCTOBER, kind="vat")
    }
    assert got == expected
    assert set(SellerOrder.objects.values_list("tax_period", flat=True)) == {OCTOBER}
