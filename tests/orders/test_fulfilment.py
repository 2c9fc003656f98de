"""A seller order's life: placed, confirmed, shipped, delivered, cash received; each move
recorded with its actor and announced to the buyer and the cooperative's managers; the
moves the rules forbid refused with nothing changed; cancellation returning the stock
exactly; nobody but the buyer and the cooperative touching an order part."""

import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import ProtectedError

from catalog.models import Product
from marketplace.models import OutgoingEmail
from orders.models import OrderLine, SellerOrder, SellerOrderStatusChange
from orders.services.fulfilment import (
    InvalidTransition,
    NotAllowed,
    seller_order_cancel,
    seller_order_cash_received,
    seller_order_confirm,
    seller_order_deliver,
    seller_order_ship,
)
from tests.factories import MembershipFactory, UserFactory
from tests.orders.conftest import stock_of

pytestmark = pytest.mark.django_db
Status = SellerOrder.Status


@dataclass
class Placed:
    buyer: object
    alpha: object
    beta: object
    basket: Product
    mat: Product
    pot: Product
    part: SellerOrder  # alpha's part
    other_part: SellerOrder  # beta's part


@pytest.fixture
def placed(buyer, cooperative, make_product, place):
    """The buyer's order: 3 baskets and 2 mats from Alpha, 1 pot from Beta (10 of each
    in stock before)."""
    alpha, beta = cooperative("Koperasi Alpha"), cooperative("Koperasi Beta")
    basket = make_product(cooperative=alpha, title="Rattan basket", price=Decimal("50000"))
    mat = make_product(cooperative=alpha, title="Pandan mat", price=Decimal("20000"))
    pot = make_product(cooperative=beta, title="Clay pot", price=Decimal("30000"))
    order = place(buyer, {basket: 3, mat: 2, pot: 1})
    parts = {so.cooperative_id: so for so in order.seller_orders.all()}
    OutgoingEmail.objects.all().delete()  # the order's own emails: see test_outbox
    return Placed(buyer, alpha, beta, basket, mat, pot, parts[alpha.pk], parts[beta.pk])


def _trail(part):
    return [
        (c.from_status, c.to_status, c.actor)
        for c in SellerOrderStatusChange.objects.filter(seller_order=part)
    ]


def _state(placed):
    """What a refused move must leave as it was."""
    parts = SellerOrder.objects.filter(pk__in=[placed.part.pk, placed.other_part.pk])
    return {
        "parts": sorted(
            parts.values_list(
                "pk", "status", "carrier", "tracking_reference", "cash_received_at", "updated_at"
            )
        ),
        "changes": SellerOrderStatusChange.objects.count(),
        "emails": OutgoingEmail.objects.count(),
        "stock": dict(Product.objects.values_list("pk", "stock")),
    }


def _emails():
    return list(OutgoingEmail.objects.order_by("id").values_list("to", "subject", "body"))


def _assert_announced(placed, status_label, *, since=0):
    emails = _emails()[since:]
    recipients = sorted(tuple(to) for to, _subject, _body in emails)
    assert recipients == sorted([(placed.buyer.email,), (placed.alpha.manager.email,)])
    for _to, subject, body in emails:
        assert status_label in subject
        assert f"is now: {status_label}" in body
    return emails


def test_an_order_part_goes_from_placed_to_cash_received_recorded_and_announced(placed):
    part, alpha = placed.part, placed.alpha

    seller_order_confirm(seller_order=part, actor=alpha.member)
    part.refresh_from_db()
    assert part.status == Status.CONFIRMED
    _assert_announced(placed, "Confirmed")
    sent = len(_emails())

    seller_order_ship(
        seller_order=part, actor=alpha.manager, carrier=" JNE ", tracking_reference="JNE-0042 "
    )
    part.refresh_from_db()
    assert (part.status, part.carrier, part.tracking_reference) == (
        Status.SHIPPED,
        "JNE",
        "JNE-0042",
    )
    shipped = _assert_announced(placed, "Shipped", since=sent)
    assert all("Carrier: JNE, tracking: JNE-0042" in body for _to, _s, body in shipped)
    sent = len(_emails())

    seller_order_deliver(seller_order=part, actor=alpha.member)
    part.refresh_from_db()
    assert part.status == Status.DELIVERED
    _assert_announced(placed, "Delivered", since=sent)

    seller_order_cash_received(seller_order=part, actor=alpha.manager)
    part.refresh_from_db()
    assert part.status == Status.DELIVERED and part.cash_received_at is not None

    assert _trail(part) == [
        ("", Status.PLACED, placed.buyer),
        (Status.PLACED, Status.CONFIRMED, alpha.member),
        (Status.CONFIRMED, Status.SHIPPED, alpha.manager),
        (Status.SHIPPED, Status.DELIVERED, alpha.member),
        (Status.DELIVERED, Status.DELIVERED, alpha.manager),
    ]
    assert SellerOrderStatusChange.objects.filter(seller_order=part).last().note == (
        "Payment received."
    )
    # Beta's part of the same order is its own business.
    placed.other_part.refresh_from_db()
    assert placed.other_part.status == Status.PLACED
    assert len(_trail(placed.other_part)) == 1


def test_cash_received_is_announced_to_the_buyer_and_the_managers(placed):
    """Every step of the part's life is announced, the last one (the cooperative has the
    money) included."""
    part, alpha = placed.part, placed.alpha
    seller_order_confirm(seller_order=part, actor=alpha.manager)
    seller_order_ship(seller_order=part, actor=alpha.manager)
    seller_order_deliver(seller_order=part, actor=alpha.manager)
    sent = len(_emails())
    seller_order_cash_received(seller_order=part, actor=alpha.manager)
    recipients = sorted(tuple(to) for to, _subject, _body in _emails()[sent:])
    assert recipients == sorted([(placed.buyer.email,), (alpha.manager.email,)])


def test_cash_received_twice_is_recorded_once(placed):
    part, alpha = placed.part, placed.alpha
    for move in (seller_order_confirm, seller_order_ship, seller_order_deliver):
        move(seller_order=part, actor=alpha.manager)
    first = seller_order_cash_received(seller_order=part, actor=alpha.manager).cash_received_at
    again = seller_order_cash_received(seller_order=part, actor=alpha.member).cash_received_at
    assert again == first
    assert len(_trail(part)) == 5


# --- Moves the rules forbid ------------------------------------------------------------------


def _confirm(p):
    seller_order_confirm(seller_order=p.part, actor=p.alpha.manager)


def _ship(p):
    seller_order_ship(seller_order=p.part, actor=p.alpha.manager, carrier="JNE")


def _deliver(p):
    seller_order_deliver(seller_order=p.part, actor=p.alpha.manager)


def _cash(p):
    seller_order_cash_received(seller_order=p.part, actor=p.alpha.manager)


def _seller_cancel(p):
    seller_order_cancel(seller_order=p.part, actor=p.alpha.manager, reason="No more stock")


def _buyer_cancel(p):
    seller_order_cancel(seller_order=p.part, actor=p.buyer, reason="Changed my mind")


ILLEGAL = {
    # name: (moves made first, the refused move)
    "ship before confirming": ([], _ship),
    "deliver before shipping": ([], _deliver),
    "deliver a confirmed part": ([_confirm], _deliver),
    "confirm twice": ([_confirm], _confirm),
    "confirm a shipped part": ([_confirm, _ship], _confirm),
    "ship twice": ([_confirm, _ship], _ship),
    "buyer cancels after shipping": ([_confirm, _ship], _buyer_cancel),
    "seller cancels after shipping": ([_confirm, _ship], _seller_cancel),
    "cancel after delivery": ([_confirm, _ship, _deliver], _seller_cancel),
    "deliver twice": ([_confirm, _ship, _deliver], _deliver),
    "cash before delivery": ([_confirm, _ship], _cash),
    "confirm a cancelled part": ([_buyer_cancel], _confirm),
    "cancel twice": ([_buyer_cancel], _seller_cancel),
    "ship a cancelled part": ([_seller_cancel], _ship),
}


@pytest.mark.parametrize("case", list(ILLEGAL))
def test_a_move_the_rules_forbid_is_refused_and_changes_nothing(placed, case):
    before_moves, refused = ILLEGAL[case]
    for move in before_moves:
        move(placed)
    before = _state(placed)
    with pytest.raises(InvalidTransition) as raised:
        refused(placed)
    assert raised.value.message
    assert _state(placed) == before


def test_the_refusal_says_where_the_part_stands(placed):
    _confirm(placed)
    _ship(placed)
    with pytest.raises(InvalidTransition) as raised:
        _buyer_cancel(placed)
    assert raised.value.message == "An order part that is shipped cannot become cancelled."


# --- Cancellation ----------------------------------------------------------------------------


def test_the_buyer_cancelling_a_part_returns_its_stock_exactly(placed):
    assert (stock_of(placed.basket), stock_of(placed.mat), stock_of(placed.pot)) == (7, 8, 9)
    seller_order_cancel(seller_order=placed.part, actor=placed.buyer, reason=" Changed my mind ")
    placed.part.refresh_from_db()
    assert placed.part.status == Status.CANCELLED
    assert (stock_of(placed.basket), stock_of(placed.mat), stock_of(placed.pot)) == (10, 10, 9)
    change = SellerOrderStatusChange.objects.filter(seller_order=placed.part).last()
    assert (change.from_status, change.to_status, change.actor, change.note) == (
        Status.PLACED,
        Status.CANCELLED,
        placed.buyer,
        "Changed my mind",
    )
    _assert_announced(placed, "Cancelled")
    placed.other_part.refresh_from_db()
    assert placed.other_part.status == Status.PLACED


def test_the_cooperative_cancelling_a_confirmed_part_returns_its_stock_exactly(placed):
    _confirm(placed)
    seller_order_cancel(seller_order=placed.part, actor=placed.alpha.member, reason="Flooded")
    assert (stock_of(placed.basket), stock_of(placed.mat), stock_of(placed.pot)) == (10, 10, 9)


def test_cancelling_returns_stock_onto_what_was_restocked_since(placed):
    Product.objects.filter(pk=placed.basket.pk).update(stock=100)
    _seller_cancel(placed)
    assert stock_of(placed.basket) == 103


def test_a_line_whose_product_was_deleted_is_skipped_by_the_restock(placed):
    # A listing with a trail is archived, never deleted; a line can still have lost its
    # product (kept from before the trail was protected): the restock skips it.
    with pytest.raises(ProtectedError):
        placed.mat.delete()
    OrderLine.objects.filter(product=placed.mat).update(product=None)
    _buyer_cancel(placed)
    assert stock_of(placed.basket) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_buyer_and_cooperative_cancelling_at_once_return_the_stock_once(placed):
    barrier = threading.Barrier(2)
    outcomes = []

    def cancel(actor):
        def run():
            try:
                barrier.wait(timeout=30)
                seller_order_cancel(seller_order=placed.part, actor=actor)
                outcomes.append("cancelled")
            except InvalidTransition:
                outcomes.append("refused")
            except Exception as exc:
                outcomes.append(repr(exc))
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=cancel(a)) for a in (placed.buyer, placed.alpha.manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["cancelled", "refused"]
    assert (stock_of(placed.basket), stock_of(placed.mat)) == (10, 10)
    assert SellerOrderStatusChange.objects.filter(to_status=Status.CANCELLED).count() == 1


# --- Who may ------------------------------------------------------------------------------


def _other_coop_member(p):
    return MembershipFactory(cooperative=p.beta).user


OUTSIDERS = {
    "the other cooperative's manager": lambda p: p.beta.manager,
    "the other cooperative's member": _other_coop_member,
    "another buyer": lambda p: UserFactory(),
}
SELLER_MOVES = {
    "confirm": lambda p, actor: seller_order_confirm(seller_order=p.part, actor=actor),
    "ship": lambda p, actor: seller_order_ship(seller_order=p.part, actor=actor),
    "deliver": lambda p, actor: seller_order_deliver(seller_order=p.part, actor=actor),
    "cash": lambda p, actor: seller_order_cash_received(seller_order=p.part, actor=actor),
    "cancel": lambda p, actor: seller_order_cancel(seller_order=p.part, actor=actor),
}


@pytest.mark.parametrize("who", list(OUTSIDERS))
@pytest.mark.parametrize("move", list(SELLER_MOVES))
def test_an_outsider_cannot_move_an_order_part(placed, who, move):
    actor = OUTSIDERS[who](placed)
    if move in {"ship", "deliver", "cash"}:  # so that only the actor is wrong
        _confirm(placed)
    if move in {"deliver", "cash"}:
        _ship(placed)
    if move == "cash":
        _deliver(placed)
    before = _state(placed)
    with pytest.raises(NotAllowed):
        SELLER_MOVES[move](placed, actor)
    assert _state(placed) == before


@pytest.mark.parametrize("move", ["confirm", "ship", "deliver", "cash"])
def test_the_buyer_can_only_cancel(placed, move):
    before = _state(placed)
    with pytest.raises(NotAllowed):
        SELLER_MOVES[move](placed, placed.buyer)
    assert _state(placed) == before


def test_a_recall_puts_unshipped_parts_on_hold_for_the_cooperative_to_resolve(placed):
    from orders.services.fulfilment import seller_orders_hold_for_recall

    held = seller_orders_hold_for_recall(
        product_ids=[placed.basket.pk], reason="Recall: lead in the glaze"
    )
    assert held == [placed.part.pk]
    placed.part.refresh_from_db()
    placed.other_part.refresh_from_db()
    assert placed.part.status == Status.ON_HOLD
    assert placed.other_part.status == Status.PLACED  # it holds no basket
    assert _trail(placed.part)[-1][1] == Status.ON_HOLD
    # The cooperative then cancels it (stock returns) or confirms it again.
    seller_order_cancel(seller_order=placed.part, actor=placed.alpha.manager)
    placed.part.refresh_from_db()
    assert placed.part.status == Status.CANCELLED


def test_a_recall_tells_each_buyer_once_which_orders_are_held(placed, mailoutbox):
    """The held buyer gets one email naming the order, rendered by the relay (the hold
    itself stores it unrendered, in one INSERT)."""
    from marketplace.notifications import outbox_relay
    from orders.services.fulfilment import seller_orders_hold_for_recall

    seller_orders_hold_for_recall(
        product_ids=Product.objects.filter(pk__in=[placed.basket.pk, placed.mat.pk]).values("pk"),
        reason="Recall: lead in the glaze",
    )
    (email,) = OutgoingEmail.objects.all()
    assert email.to == [placed.buyer.email] and email.body == "" and email.template
    assert outbox_relay() == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert placed.part.order.number in email.subject
    assert "Recall: lead in the glaze" in email.body and "Koperasi Alpha" in email.body
    assert mailoutbox[0].body == email.body


def test_holding_for_a_recall_takes_the_same_queries_for_many_orders(
    buyer, cooperative, make_product, place, django_assert_max_num_queries
):
    from orders.services.fulfilment import seller_orders_hold_for_recall

    alpha = cooperative("Koperasi Alpha")
    products = [make_product(cooperative=alpha, title=f"Jar {n}") for n in range(3)]
    for product in products:
        for _ in range(4):
            place(buyer, {product: 1})
    ids = Product.objects.filter(cooperative=alpha).values("pk")
    # Lock and read, update, history, languages, outbox (and the savepoint).
    with django_assert_max_num_queries(7):
        held = seller_orders_hold_for_recall(product_ids=ids, reason="Recall")
    assert len(held) == 12
    assert set(SellerOrder.objects.filter(pk__in=held).values_list("status", flat=True)) == {
        Status.ON_HOLD
    }
    assert (
        SellerOrderStatusChange.objects.filter(
            seller_order__in=held, to_status=Status.ON_HOLD
        ).count()
        == 12
    )
    # Nothing shipped or cancelled is held, and a second hold finds nothing left.
    assert seller_orders_hold_for_recall(product_ids=ids, reason="Recall") == []


def test_a_recall_finds_who_received_the_product_and_clears_it_from_carts(placed, cart_with, buyer):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import CartLine
    from orders.selectors import recent_receivers
    from orders.services.cart import cart_lines_remove_products
    from orders.services.fulfilment import seller_order_confirm, seller_order_deliver

    manager = placed.alpha.manager
    seller_order_confirm(seller_order=placed.part, actor=manager)
    seller_order_ship(seller_order=placed.part, actor=manager)
    seller_order_deliver(seller_order=placed.part, actor=manager)
    since = timezone.now() - timedelta(days=365)
    receivers = recent_receivers(product_ids=[placed.basket.pk], since=since)
    assert receivers == {
        buyer.email: [
            {
                "title": "Rattan basket",
                "number": placed.part.order.number,
                "order_id": placed.part.order_id,
            }
        ]
    }
    # Beta's pot was not delivered; a delivery older than the window does not count.
    assert recent_receivers(product_ids=[placed.pot.pk], since=since) == {}
    assert recent_receivers(product_ids=[placed.basket.pk], since=timezone.now()) == {}

    other = UserFactory()
    cart_with(other, {placed.basket: 2, placed.pot: 1})
    assert cart_lines_remove_products(product_ids=[placed.basket.pk]) == 1
    assert list(CartLine.objects.filter(cart__user=other).values_list("product_id", flat=True)) == [
        placed.pot.pk
    ]
