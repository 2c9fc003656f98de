"""Issue 14.1: a listing write racing a rule change, with two real PostgreSQL
connections. Whichever commits first, no violating listing stays live."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from catalog.models import Product
from catalog.services.products import product_publish
from policy.models import ListingRule
from policy.services.closure import listings_reevaluate
from tests.factories import (
    foreign_cooperative,
    listing,
    textiles_and_sarongs,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _foreign_draft():
    textiles, sarongs = textiles_and_sarongs()
    cooperative, manager = foreign_cooperative()
    product = listing(cooperative, manager, sarongs, title="Sarong", stock=3)
    return textiles, product, manager


def _protect(textiles):
    # Committed straight away, as the regulator's form does; the job comes after.
    return ListingRule.objects.create(
        kind=ListingRule.Kind.PROTECTED_CATEGORY, title="Protect textiles", legal_reference="R1"
    ), textiles


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
            [pid],
        )
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _run(target, results, key):
    def body():
        try:
            results[key] = target()
        except Exception as exc:  # surfaced by the assertions below
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def _wait_until(condition, limit=200):
    for _ in range(limit):
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_publish_that_commits_after_the_reevaluation_started_is_still_judged():
    """The publish decided before the rule existed and is still open when the
    re-evaluation starts: the re-evaluation waits for it, then suspends it."""
    textiles, product, manager = _foreign_draft()
    decided, commit = threading.Event(), threading.Event()
    pids, results = {}, {}

    def publish():
        with transaction.atomic():
            pids["publish"] = _backend_pid()
            published = product_publish(product=product, actor=manager)
            decided.set()
            commit.wait(10)
        return published.status

    publisher = _run(publish, results, "publish")
    assert decided.wait(10)
    rule, textiles = _protect(textiles)
    rule.categories.set([textiles])

    def reevaluate():
        pids["reevaluate"] = _backend_pid()
        return listings_reevaluate().suspended

    reevaluator = _run(reevaluate, results, "reevaluate")
    assert _wait_until(lambda: "reevaluate" in pids and _waiting_for_a_lock(pids["reevaluate"]))
    commit.set()
    publisher.join(10)
    reevaluator.join(10)

    assert results == {"publish": Product.Status.ACTIVE, "reevaluate": 1}
    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED


def test_publish_that_starts_during_a_reevaluation_decides_after_it():
    """The re-evaluation holds the policy first: the publish waits for it to commit,
    then decides against the rule it enforced."""
    textiles, product, manager = _foreign_draft()
    rule, textiles = _protect(textiles)
    rule.categories.set([textiles])
    reevaluated, commit = threading.Event(), threading.Event()
    pids, results = {}, {}

    def reevaluate():
        with transaction.atomic():
            result = listings_reevaluate()
            reevaluated.set()
            commit.wait(10)
        return result.suspended

    def publish():
        pids["publish"] = _backend_pid()
        try:
            product_publish(product=product, actor=manager)
        except Exception as exc:
            return type(exc).__name__
        return "published"

    reevaluator = _run(reevaluate, results, "reevaluate")
    assert reevaluated.wait(10)
    publisher = _run(publish, results, "publish")
    assert _wait_until(lambda: "publish" in pids and _waiting_for_a_lock(pids["publish"]))
    commit.set()
    reevaluator.join(10)
    publisher.join(10)

    assert results == {"reevaluate": 0, "publish": "ListingBlocked"}
    product.refresh_from_db()
    assert product.status == Product.Status.BLOCKED


def test_an_order_placed_while_a_recall_waits_for_the_product_is_held_too():
    """A checkout holds the product's lock when the recall starts: the recall's first
    pass cannot see its order yet, waits for the product, and its second pass holds the
    order the checkout committed."""
    from catalog.services.categories import category_ensure
    from orders.models import SellerOrder
    from policy.services.recalls import recall_open
    from tests.factories import RegulatorFactory, UserFactory, place_order, seller

    cooperative, manager = seller("ID", legal_name="Koperasi Kopi Gayo")
    coffee = category_ensure(slug="coffee", name="Coffee")
    product = listing(cooperative, manager, coffee, title="Gayo arabica", price="85000", stock=9)
    product = product_publish(product=product, actor=manager)
    buyer, regulator = UserFactory(), RegulatorFactory()
    placed, commit = threading.Event(), threading.Event()
    pids, results = {}, {}

    def checkout():
        with transaction.atomic():
            part = place_order(buyer, product).seller_orders.get()
            placed.set()
            commit.wait(10)
        return part.pk

    def recall():
        pids["recall"] = _backend_pid()
        return recall_open(
            actor=regulator,
            product=product,
            hazard="Aflatoxin",
            risk="serious",
            measures="Withdrawn",
            buyer_action="dispose",
        ).pk

    buying = _run(checkout, results, "checkout")
    assert placed.wait(10)
    recalling = _run(recall, results, "recall")
    assert _wait_until(lambda: "recall" in pids and _waiting_for_a_lock(pids["recall"]))
    commit.set()
    buying.join(10)
    recalling.join(10)

    assert isinstance(results["recall"], int), results
    assert SellerOrder.objects.get(pk=results["checkout"]).status == SellerOrder.Status.ON_HOLD
    product.refresh_from_db()
    assert product.status == Product.Status.RECALLED
