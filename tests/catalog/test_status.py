"""A listing's status moves only through ``catalog.services.status``: the transition
table says which move and by whom, and each move leaves exactly one history row."""

import contextlib
import itertools
import threading

import pytest
from django.db import connection

from catalog.models import TRANSITIONS, Product, ProductStatusChange
from catalog.services.errors import InvalidTransition
from catalog.services.products import product_archive, product_publish, product_unpublish
from catalog.services.status import product_status_set, products_status_set
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.django_db

S = Product.Status
T = ProductStatusChange.Trigger


def test_the_table_gives_sellers_exactly_their_moves():
    seller_moves = {move for move, triggers in TRANSITIONS.items() if T.SELLER in triggers}
    assert seller_moves == {
        (S.DRAFT, S.ACTIVE),
        (S.UNPUBLISHED, S.ACTIVE),
        (S.BLOCKED, S.ACTIVE),
        (S.ACTIVE, S.UNPUBLISHED),
        *((status, S.ARCHIVED) for status in S if status != S.ARCHIVED),
    }


def test_archived_is_final_and_only_a_recall_recalls():
    assert not [move for move in TRANSITIONS if move[0] == S.ARCHIVED]
    assert {move for move, triggers in TRANSITIONS.items() if T.RECALL in triggers} == {
        *((status, S.RECALLED) for status in S if status not in {S.RECALLED, S.ARCHIVED}),
        (S.RECALLED, S.UNPUBLISHED),
    }
    # The policy never publishes a draft nor suspends a listing that is not live.
    assert T.POLICY not in TRANSITIONS.get((S.DRAFT, S.ACTIVE), ())
    assert (S.DRAFT, S.SUSPENDED) not in TRANSITIONS


def test_a_move_the_table_refuses_changes_nothing_and_leaves_no_row(make_product):
    product = make_product()
    before = product.status_changes.count()
    with pytest.raises(InvalidTransition):
        product_status_set(product=product, to_status=S.RECALLED, actor=None, trigger=T.SELLER)
    with pytest.raises(InvalidTransition):
        product_status_set(product=product, to_status=S.DRAFT, actor=None, trigger=T.POLICY)
    assert Product.objects.get(pk=product.pk).status == S.ACTIVE
    assert product.status_changes.count() == before


def test_each_move_writes_one_history_row_with_its_trigger_and_actor(make_product):
    product = make_product(status="draft")
    manager = product.cooperative.memberships.first().user
    assert not product.status_changes.exists()

    product_publish(product=product, actor=manager)
    product_unpublish(product=product, actor=manager)
    product_status_set(
        product=product, to_status=S.RECALLED, actor=None, trigger=T.RECALL, reason="Lead paint"
    )
    product_archive(product=product, actor=manager)

    moves = list(
        product.status_changes.order_by("created_at", "id").values_list(
            "from_status", "to_status", "trigger", "actor", "reason"
        )
    )
    assert moves == [
        (S.DRAFT, S.ACTIVE, T.SELLER, manager.pk, ""),
        (S.ACTIVE, S.UNPUBLISHED, T.SELLER, manager.pk, ""),
        (S.UNPUBLISHED, S.RECALLED, T.RECALL, None, "Lead paint"),
        (S.RECALLED, S.ARCHIVED, T.SELLER, manager.pk, ""),
    ]
    assert Product.objects.get(pk=product.pk).status == S.ARCHIVED


def test_a_move_to_the_current_status_is_no_move(make_product):
    product = make_product()
    rows = product.status_changes.count()
    assert (
        product_status_set(product=product, to_status=S.ACTIVE, actor=None, trigger=T.POLICY)
        is None
    )
    assert product.status_changes.count() == rows


def test_publishing_sets_the_first_publication_date_once(make_product):
    product = make_product()
    first = product.published_at
    assert first is not None
    product_status_set(product=product, to_status=S.SUSPENDED, actor=None, trigger=T.POLICY)
    products_status_set(
        products=Product.objects.filter(pk=product.pk),
        to_status=S.ACTIVE,
        actor=None,
        trigger=T.POLICY,
    )
    assert Product.objects.get(pk=product.pk).published_at == first


def test_a_policy_block_at_publication_is_recorded_as_its_move(make_product, categories, seller):
    """A cross-border seller publishing in a protected category: the block is a move
    (draft → blocked, by the policy) in the same trail as the seller's own moves."""
    foreign, _user = seller(country="CN")
    product = make_product(cooperative=foreign, category="crafts", status="draft")
    assert product.status == S.BLOCKED
    assert list(product.status_changes.values_list("from_status", "to_status", "trigger")) == [
        (S.DRAFT, S.BLOCKED, T.POLICY)
    ]


def test_the_set_based_twin_writes_one_row_per_product_moved_and_none_for_the_rest(
    make_product, django_assert_max_num_queries
):
    live = [make_product() for _ in range(3)]
    already = make_product()
    product_status_set(product=already, to_status=S.RECALLED, actor=None, trigger=T.RECALL)
    archived = make_product()
    product_archive(product=archived, actor=archived.cooperative.memberships.first().user)
    everyone = Product.objects.filter(pk__in=[p.pk for p in [*live, already, archived]])
    rows_before = {p.pk: p.status_changes.count() for p in everyone}

    with django_assert_max_num_queries(6):
        moves = products_status_set(
            products=everyone, to_status=S.RECALLED, actor=None, trigger=T.RECALL, reason="Lead"
        )

    assert moves.count == len(live)
    changes = ProductStatusChange.objects.filter(created_at=moves.at)
    assert sorted(change.product_id for change in changes) == sorted(p.pk for p in live)
    for product in everyone:
        added = product.status_changes.count() - rows_before[product.pk]
        assert added == (1 if product.pk in {p.pk for p in live} else 0)
    assert set(
        ProductStatusChange.objects.filter(pk__in=[c.pk for c in changes]).values_list(
            "from_status", "to_status", "trigger", "reason"
        )
    ) == {(S.ACTIVE, S.RECALLED, T.RECALL, "Lead")}
    statuses = dict(everyone.values_list("pk", "status"))
    assert statuses[archived.pk] == S.ARCHIVED
    assert {statuses[p.pk] for p in live} == {S.RECALLED}

    # Run again: nothing left to move, nothing written.
    again = products_status_set(
        products=everyone, to_status=S.RECALLED, actor=None, trigger=T.RECALL
    )
    assert (again.count, bool(again)) == (0, False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_the_same_listings_leave_one_consistent_trail(make_product):
    """A closure, a recall and sellers unpublishing race on the same listings: each
    status is re-read under the row lock (taken in primary-key order, so no deadlock),
    and every listing's trail is one unbroken chain ending at its status."""
    products = [make_product() for _ in range(4)]
    everyone = Product.objects.filter(pk__in=[p.pk for p in products])
    barrier = threading.Barrier(4)
    errors = []

    def run(move):
        def target():
            try:
                barrier.wait(timeout=30)
                move()
            except InvalidTransition:
                pass  # a seller's move the table refuses once the listing was suspended
            except Exception as exc:  # a deadlock or anything else fails the assert
                errors.append(repr(exc))
            finally:
                connection.close()

        return target

    def unpublish_all():
        for product in reversed(products):
            with contextlib.suppress(InvalidTransition):
                product_unpublish(
                    product=product, actor=product.cooperative.memberships.first().user
                )

    targets = [
        run(
            lambda: products_status_set(
                products=everyone, to_status=S.SUSPENDED, actor=None, trigger=T.POLICY
            )
        ),
        run(
            lambda: products_status_set(
                products=everyone, to_status=S.RECALLED, actor=None, trigger=T.RECALL
            )
        ),
        run(unpublish_all),
        run(
            lambda: products_status_set(
                products=list(reversed([p.pk for p in products])),
                to_status=S.ACTIVE,
                actor=None,
                trigger=T.POLICY,
            )
        ),
    ]
    run_in_threads(targets)
    assert errors == []

    for product in everyone:
        trail = list(product.status_changes.order_by("id").values_list("from_status", "to_status"))
        assert trail[0] == (S.DRAFT, S.ACTIVE)
        for (_before, after), (next_before, _next_after) in itertools.pairwise(trail):
            assert next_before == after
        assert trail[-1][1] == product.status
        assert all(before != after for before, after in trail)
