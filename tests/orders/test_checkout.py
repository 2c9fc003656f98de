"""Checkout: one order split per cooperative, lines that snapshot what was bought and its
tax, stock taken exactly once and never below zero, a checkout that cannot be filled
failing whole, and the policy judging every line again at the till. Concurrency runs on
PostgreSQL with real threads; a property test throws random carts at it."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Product
from catalog.services.products import product_update
from orders.models import (
    CartLine,
    Order,
    OrderLine,
    SellerOrder,
    SellerOrderStatusChange,
)
from orders.services.cart import CartError, cart_add, cart_get
from orders.services.checkout import (
    CheckoutError,
    EmptyCart,
    InsufficientStock,
    ItemsUnavailable,
    checkout_complete,
)
from policy.selectors.taxes import tax_rules_in_force
from sellers.services import cooperative_suspend
from tests.catalog.conftest import FOREIGN_MIN_PRICE
from tests.concurrency import run_in_threads
from tests.factories import RegulatorFactory, UserFactory
from tests.orders.conftest import address, check_out, require_national_standard, stock_of

pytestmark = pytest.mark.django_db
Status = SellerOrder.Status


def _lines(cart) -> dict[int, int]:
    return dict(cart.lines.values_list("product_id", "quantity"))


def _snapshot():
    """Everything a refused checkout must leave as it was."""
    return {
        "stock": dict(Product.objects.values_list("pk", "stock")),
        "lines": sorted(CartLine.objects.values_list("cart_id", "product_id", "quantity")),
        "orders": Order.objects.count(),
        "seller_orders": SellerOrder.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "status_changes": SellerOrderStatusChange.objects.count(),
    }


# --- The order and its lines ------------------------------------------------------------


def test_the_order_is_split_per_cooperative_with_lines_that_snapshot_the_sale(
    buyer, cooperative, make_product, cart_with
):
    alpha, beta = cooperative("Koperasi Alpha"), cooperative("Koperasi Beta")
    basket = make_product(cooperative=alpha, title="Rattan basket", price=Decimal("12345"))
    mat = make_product(cooperative=alpha, title="Pandan mat", price=Decimal("150000"), unit="kg")
    pot = make_product(cooperative=beta, title="Clay pot", price=Decimal("9999.50"), stock=4)
    cart = cart_with(buyer, {basket: 3, mat: 1, pot: 2})

    order = check_out(
        buyer,
        cart,
        token=uuid.uuid4(),
    )

    parts = {so.cooperative_id: so for so in order.seller_orders.all()}
    assert set(parts) == {alpha.pk, beta.pk}
    assert parts[alpha.pk].cooperative_name == "Koperasi Alpha"
    lines = {line.product_id: line for line in OrderLine.objects.filter(seller_order__order=order)}
    assert {line.seller_order.cooperative_id for line in lines.values()} == {alpha.pk, beta.pk}

    expected = {
        # product: (title, cooperative, unit, unit price, quantity, VAT, line total)
        basket.pk: ("Rattan basket", "Koperasi Alpha", "piece", "12345", 3, "4074", "41109"),
        mat.pk: ("Pandan mat", "Koperasi Alpha", "kg", "150000", 1, "16500", "166500"),
        pot.pk: ("Clay pot", "Koperasi Beta", "piece", "9999.50", 2, "2200", "22199"),
    }
    for product_id, (title, coop, unit, price, quantity, vat, total) in expected.items():
        line = lines[product_id]
        assert line.title == title
        assert line.cooperative_name == coop
        assert line.cooperative_country.code == "ID"
        assert line.unit == unit
        assert line.unit_price == Decimal(price)
        assert line.quantity == quantity
        assert line.vat_rate == Decimal("0.11")
        assert line.vat_amount == Decimal(vat)
        assert line.withholding_amount == 0  # switched off in Indonesia for now
        assert line.line_total == Decimal(total)

    for part in parts.values():
        part_lines = list(part.lines.all())
        assert part.subtotal == sum(line.unit_price * line.quantity for line in part_lines)
        assert part.vat == sum(line.vat_amount for line in part_lines)
        assert part.total == part.subtotal + part.vat == sum(li.line_total for li in part_lines)
        assert part.status == Status.PLACED
    assert parts[alpha.pk].total == Decimal("207609")
    assert parts[beta.pk].total == Decimal("22199")
    assert order.subtotal == Decimal("207034")
    assert order.vat_total == Decimal("22774")
    assert order.total == Decimal("229808") == sum(line.line_total for line in lines.values())
    assert order.total == sum(part.total for part in parts.values())

    assert order.buyer == buyer and order.payment_method == "on_delivery" and not order.paid_at
    assert (order.ship_name, order.ship_country.code, order.ship_street) == (
        "Siti Rahayu",
        "ID",
        "Jl. Merdeka 12",
    )
    assert (stock_of(basket), stock_of(mat), stock_of(pot)) == (7, 9, 2)
    assert not cart.lines.exists()
    changes = SellerOrderStatusChange.objects.filter(seller_order__order=order)
    assert sorted((c.seller_order.cooperative_id, c.to_status, c.actor) for c in changes) == sorted(
        [(alpha.pk, Status.PLACED, buyer), (beta.pk, Status.PLACED, buyer)]
    )


def test_a_cross_border_cooperatives_line_records_its_country(
    buyer, cooperative, make_product, place
):
    abroad = cooperative(country="CN", province=None, region="Guangdong")
    product = make_product(cooperative=abroad, price=FOREIGN_MIN_PRICE)
    order = place(buyer, {product: 1})
    line = OrderLine.objects.get(seller_order__order=order)
    assert line.cooperative_country.code == "CN"
    assert line.vat_amount == Decimal("176000")


def test_a_sandbox_payment_is_marked_paid(buyer, make_product, place):
    order = place(buyer, {make_product(): 1}, payment_method="sandbox")
    assert order.paid_at is not None


def test_later_edits_of_the_product_do_not_touch_the_order_lines(buyer, make_product, place):
    product = make_product(title="Batik runner", price=Decimal("80000"))
    order = place(buyer, {product: 2})
    product_update(
        product=product,
        actor=product.cooperative.memberships.first().user,
        title="Batik runner (new)",
        price=Decimal("95000"),
    )
    line = OrderLine.objects.get(seller_order__order=order)
    assert (line.title, line.unit_price, line.line_total) == (
        "Batik runner",
        Decimal("80000"),
        Decimal("177600"),
    )


def test_the_order_charges_the_price_of_today_not_the_one_seen(buyer, make_product, cart_with):
    product = make_product(price=Decimal("100000"))
    cart = cart_with(buyer, {product: 1})
    product_update(
        product=product, actor=product.cooperative.memberships.first().user, price=Decimal("1000")
    )
    order = check_out(buyer, cart, payment_method="sandbox")
    assert order.subtotal == Decimal("1000") and order.total == Decimal("1110")


# --- Idempotency and refusals ----------------------------------------------------------------


def test_the_same_token_twice_returns_the_same_order_and_changes_nothing(
    buyer, make_product, cart_with
):
    first, second = make_product(stock=10), make_product(stock=10)
    cart = cart_with(buyer, {first: 2})
    token = uuid.uuid4()
    order = check_out(buyer, cart, token=token)
    cart_add(cart=cart, product_id=second.pk, quantity=3)  # a new cart since then
    before = _snapshot()

    again = check_out(buyer, cart, token=token)

    assert again.pk == order.pk
    assert _snapshot() == before
    assert _lines(cart) == {second.pk: 3}


def test_another_buyers_token_is_refused(buyer, make_product, place, cart_with):
    product = make_product()
    order = place(UserFactory(), {product: 1})
    cart = cart_with(buyer, {product: 1})
    before = _snapshot()
    with pytest.raises(CheckoutError) as raised:
        check_out(buyer, cart, token=order.token)
    assert "someone else" in raised.value.message
    assert _snapshot() == before


@pytest.mark.parametrize("payment", ["", "free", "ON_DELIVERY", None, "cash'; --"])
def test_an_unknown_payment_method_is_refused(buyer, make_product, cart_with, payment):
    cart = cart_with(buyer, {make_product(): 1})
    before = _snapshot()
    with pytest.raises(CheckoutError) as raised:
        check_out(buyer, cart, payment_method=payment)
    assert "payment method" in raised.value.message
    assert _snapshot() == before


def test_an_empty_cart_cannot_be_checked_out(buyer):
    with pytest.raises(EmptyCart):
        checkout_complete(
            buyer=buyer,
            cart=cart_get(user=buyer, create=True),
            address=address(),
            payment_method="on_delivery",
            token=uuid.uuid4(),
        )
    assert not Order.objects.exists()


def test_a_checkout_one_line_short_fails_whole_and_names_the_item(
    buyer, cooperative, make_product, cart_with
):
    alpha, beta = cooperative(), cooperative()
    plenty = make_product(cooperative=alpha, title="Coconut sugar", stock=50)
    scarce = make_product(cooperative=beta, title="Ikat shawl", stock=2)
    cart = cart_with(buyer, {plenty: 5, scarce: 3})
    before = _snapshot()

    with pytest.raises(InsufficientStock) as raised:
        check_out(buyer, cart, payment_method="sandbox")

    assert raised.value.problems == ["Ikat shawl: 2 left, you asked for 3."]
    assert _snapshot() == before
    assert (stock_of(plenty), stock_of(scarce)) == (50, 2)
    assert _lines(cart) == {plenty.pk: 5, scarce.pk: 3}


def test_a_line_a_rule_forbade_after_it_entered_the_cart_is_refused_with_the_reason(
    buyer, make_product, categories, cart_with
):
    pan = make_product(category="household", title="Iron wok")
    fine = make_product(category="crafts", title="Wood carving")
    cart = cart_with(buyer, {pan: 1, fine: 1})
    require_national_standard(categories["household"])
    # The catalog has not been re-judged yet: the wok is still active.
    assert Product.objects.get(pk=pan.pk).status == Product.Status.ACTIVE
    before = _snapshot()

    with pytest.raises(ItemsUnavailable) as raised:
        check_out(buyer, cart, payment_method="sandbox")

    assert len(raised.value.problems) == 1
    problem = raised.value.problems[0]
    assert problem.startswith("Iron wok: ")
    assert "National standard for kitchen goods" in problem
    assert _snapshot() == before


def test_a_line_of_a_suspended_cooperative_is_refused(buyer, cooperative, make_product, cart_with):
    suspended = cooperative()
    product = make_product(cooperative=suspended, title="Palm wine vinegar")
    other = make_product()
    cart = cart_with(buyer, {product: 1, other: 1})
    cooperative_suspend(cooperative=suspended, actor=RegulatorFactory(), reason="Inspection")
    before = _snapshot()
    with pytest.raises(ItemsUnavailable) as raised:
        check_out(buyer, cart, payment_method="sandbox")
    assert raised.value.problems == ["Palm wine vinegar is no longer for sale."]
    assert _snapshot() == before


def test_a_line_whose_product_was_unpublished_is_refused(buyer, make_product, cart_with):
    product = make_product(title="Sea salt")
    cart = cart_with(buyer, {product: 1})
    Product.objects.filter(pk=product.pk).update(status=Product.Status.UNPUBLISHED)
    with pytest.raises(ItemsUnavailable) as raised:
        check_out(buyer, cart, payment_method="sandbox")
    assert raised.value.problems == ["Sea salt is no longer for sale."]
    assert not Order.objects.exists()


# --- Queries -------------------------------------------------------------------------------


def _count_checkout_queries(buyer, cart) -> int:
    with CaptureQueriesContext(connection) as queries:
        check_out(buyer, cart, payment_method="sandbox")
    return len(queries)


def test_the_query_count_does_not_grow_with_lines_nor_cooperatives(
    cooperative, make_product, cart_with
):
    coops = [cooperative() for _ in range(3)]
    one_coop = [make_product(cooperative=coops[0]) for _ in range(10)]
    three_coops = [make_product(cooperative=coops[i % 3]) for i in range(10)]
    single = make_product(cooperative=coops[1])
    tax_rules_in_force()  # cached, as on a running site (read again after a rule change)

    one_line = _count_checkout_queries(b := UserFactory(), cart_with(b, {single: 1}))
    ten_lines_one_coop = _count_checkout_queries(
        b := UserFactory(), cart_with(b, dict.fromkeys(one_coop, 2))
    )
    ten_lines_three_coops = _count_checkout_queries(
        b := UserFactory(), cart_with(b, dict.fromkeys(three_coops, 2))
    )

    assert SellerOrder.objects.count() == 1 + 1 + 3
    assert ten_lines_one_coop == ten_lines_three_coops == one_line
    assert one_line <= 20


# --- Concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_racing_for_the_last_five_units_never_oversell(
    make_product, cart_with, mailoutbox
):
    product = make_product(stock=5)
    carts = [(user := UserFactory(), cart_with(user, {product: 1})) for _ in range(20)]
    barrier = threading.Barrier(len(carts))
    outcomes = []

    def buy(user, cart):
        def run():
            try:
                barrier.wait(timeout=30)
                order = check_out(
                    user,
                    cart,
                    token=uuid.uuid4(),
                )
                outcomes.append(("ok", order.pk))
            except InsufficientStock as exc:
                outcomes.append(("short", exc.problems))
            except Exception as exc:  # anything else is a failure the assert shows
                outcomes.append(("error", repr(exc)))
            finally:
                connection.close()

        return run

    run_in_threads([buy(user, cart) for user, cart in carts])

    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("error") == 0, outcomes
    assert kinds.count("ok") == 5
    assert kinds.count("short") == 15
    assert stock_of(product) == 0
    assert Order.objects.count() == 5
    assert OrderLine.objects.filter(product=product).count() == 5
    # The winners' carts are empty; the others keep their line.
    assert CartLine.objects.count() == 15


def _same_token_race(buyer, cart, token):
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=30)
            order = check_out(buyer, cart, payment_method="sandbox", token=token)
            outcomes.append(order.pk)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    run_in_threads([submit, submit])
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_the_same_checkout_place_one_order(buyer, make_product, cart_with):
    product = make_product(stock=10)
    cart = cart_with(buyer, {product: 2})
    outcomes = _same_token_race(buyer, cart, uuid.uuid4())
    order = Order.objects.get()
    assert outcomes == [order.pk, order.pk]
    assert stock_of(product) == 8
    assert SellerOrder.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submission_that_takes_the_last_units_still_answers_with_the_order(
    buyer, make_product, cart_with
):
    """The second submission waits for the first's locks; by then the stock it would
    need is gone. It must still answer with the order the token placed."""
    product = make_product(stock=2)
    cart = cart_with(buyer, {product: 2})
    outcomes = _same_token_race(buyer, cart, uuid.uuid4())
    order = Order.objects.get()
    assert stock_of(product) == 0
    assert outcomes == [order.pk, order.pk]


# --- Random carts (property) ----------------------------------------------------------


class _Rollback(Exception):
    pass


JUNK_QUANTITIES = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=1001),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
)


def test_random_carts_never_oversell_nor_state_totals_unlike_their_lines(
    cooperative, make_product, place
):
    coops = [cooperative() for _ in range(3)]
    specs = [("12345", 15), ("150000", 20), ("9999.99", 0), ("1", 25), ("75500.50", 12), ("3", 5)]
    products = [
        make_product(cooperative=coops[i % 3], price=Decimal(price), stock=stock)
        for i, (price, stock) in enumerate(specs)
    ]
    buyer = UserFactory()
    cart = cart_get(user=buyer, create=True)
    someone_elses = place(UserFactory(), {products[1]: 1})
    manager = {coop.pk: coop.manager for coop in coops}
    outcomes = []

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        items=st.dictionaries(
            st.integers(0, len(products) - 1), st.integers(1, 20), min_size=1, max_size=6
        ),
        junk=st.lists(JUNK_QUANTITIES, max_size=3),
        new_prices=st.dictionaries(
            st.integers(0, len(products) - 1),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999"), places=2),
            max_size=2,
        ),
        payment=st.sampled_from(["on_delivery", "sandbox", "sandbox", "", "FREE"]),
        stolen_token=st.sampled_from([False, False, False, True]),
    )
    def check(items, junk, new_prices, payment, stolen_token):
        try:
            with transaction.atomic():
                _check_one_cart(items, junk, new_prices, payment, stolen_token)
                raise _Rollback
        except _Rollback:
            pass

    def _check_one_cart(items, junk, new_prices, payment, stolen_token):
        for quantity in junk:
            with pytest.raises(CartError):
                cart_add(cart=cart, product_id=products[0].pk, quantity=quantity)
        with pytest.raises(CartError):
            cart_add(cart=cart, product_id=-products[0].pk, quantity=1)
        assert not cart.lines.exists()
        for index, quantity in items.items():
            cart_add(cart=cart, product_id=products[index].pk, quantity=quantity)
        for index, price in new_prices.items():
            product = products[index]
            product_update(product=product, actor=manager[product.cooperative_id], price=price)
        stock = dict(Product.objects.values_list("pk", "stock"))
        price = dict(Product.objects.values_list("pk", "price"))
        wanted = {products[i].pk: q for i, q in items.items()}
        orders_before = Order.objects.count()
        fillable = all(stock[pk] >= q for pk, q in wanted.items())
        token = someone_elses.token if stolen_token else uuid.uuid4()
        try:
            order = check_out(buyer, cart, payment_method=payment, token=token)
        except CheckoutError:
            outcomes.append("refused")
            assert not (fillable and payment in Order.Payment.values and not stolen_token)
            assert dict(Product.objects.values_list("pk", "stock")) == stock
            assert Order.objects.count() == orders_before
            assert _lines(cart) == wanted
        else:
            outcomes.append("placed")
            assert fillable and payment in Order.Payment.values and not stolen_token
            after = dict(Product.objects.values_list("pk", "stock"))
            assert after == {pk: s - wanted.get(pk, 0) for pk, s in stock.items()}
            lines = list(OrderLine.objects.filter(seller_order__order=order))
            assert {line.product_id: line.quantity for line in lines} == wanted
            assert all(line.unit_price == price[line.product_id] for line in lines)
            assert all(line.vat_amount >= 0 and line.line_total > 0 for line in lines)
            assert order.total == sum(line.line_total for line in lines)
            assert order.subtotal == sum(line.unit_price * line.quantity for line in lines)
            assert order.vat_total == sum(line.vat_amount for line in lines)
            for part in order.seller_orders.all():
                part_lines = [line for line in lines if line.seller_order_id == part.pk]
                assert part.total == sum(line.line_total for line in part_lines) >= 0
            assert not cart.lines.exists()
        assert not Product.objects.filter(stock__lt=0).exists()
        assert not Order.objects.filter(total__lt=0).exists()

    check()
    assert {"placed", "refused"} <= set(outcomes)  # both paths were exercised
    assert Order.objects.count() == 1  # every example was rolled back
    assert stock_of(products[1]) == 19
