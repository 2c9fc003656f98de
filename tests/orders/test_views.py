"""The cart, the checkout and the order pages through the test client, with the tampered
ids and bad input a real user (or attacker) sends: a clear error, nothing changed, and
nobody's order reachable but by its buyer and its cooperative."""

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Product
from catalog.services.products import product_adjust_stock
from orders.models import Cart, CartLine, Order, SellerOrder, SellerOrderStatusChange
from orders.services.cart import cart_add, cart_get
from orders.services.fulfilment import seller_order_confirm
from orders.views import CHECKOUT_KEY
from sellers.models import Cooperative
from sellers.services import cooperative_suspend
from tests.factories import ProvinceFactory, RegulatorFactory, UserFactory, deliver
from tests.orders.conftest import stock_of

pytestmark = pytest.mark.django_db
Status = SellerOrder.Status


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _lines(cart) -> dict[int, int]:
    return dict(cart.lines.values_list("product_id", "quantity")) if cart else {}


def _address_form(home_province, **overrides):
    data = {
        "name": "Siti Rahayu",
        "phone": "+62 812 3456 7890",
        "country": "ID",
        "province": home_province.pk,
        "commune": "Desa Sukamaju",
        "street": "Jl. Merdeka 12",
        "payment_method": "on_delivery",
    }
    return {k: v for k, v in (data | overrides).items() if v is not None}


@pytest.fixture
def orders(shop, buyer, place):
    """The buyer's order (parts from Alpha and Beta) and a stranger's (Alpha only)."""
    mine = place(buyer, {shop["basket"]: 2, shop["pot"]: 1})
    stranger = UserFactory()
    theirs = place(stranger, {shop["basket"]: 1})
    return {
        "mine": mine,
        "my_alpha": mine.seller_orders.get(cooperative=shop["alpha"]),
        "my_beta": mine.seller_orders.get(cooperative=shop["beta"]),
        "theirs": theirs,
        "their_alpha": theirs.seller_orders.get(),
        "stranger": stranger,
    }


# --- Cart ------------------------------------------------------------------------------------


def test_the_product_page_form_adds_to_the_cart(client, shop):
    basket = shop["basket"]
    page = client.get(reverse("catalog:product", kwargs={"slug": basket.slug})).content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)" class="buy-box">(.*?)</form>', page, re.S
    )
    assert form and form.group(1) == reverse("orders:cart_add")
    assert f'name="product" value="{basket.pk}"' in form.group(2)
    assert 'name="quantity"' in form.group(2)

    response = client.post(form.group(1), {"product": basket.pk, "quantity": "2"})

    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")
    assert "Added to your cart." in _messages(response)
    cart = Cart.objects.get(session_key__isnull=False)
    assert _lines(cart) == {basket.pk: 2}
    page = client.get(reverse("orders:cart"))
    assert page.status_code == 200
    assert "Rattan basket" in page.content.decode()
    assert page.context["buyable"] is True


@pytest.mark.parametrize(
    "tamper",
    ["missing id", "draft", "blocked", "suspended cooperative", "negative id", "not a number"],
)
def test_a_tampered_or_hidden_product_is_refused_and_nothing_is_added(
    client, shop, make_product, tamper
):
    if tamper == "missing id":
        product_id = Product.objects.order_by("-pk").first().pk + 100
    elif tamper == "draft":
        product_id = make_product(cooperative=shop["alpha"], status="draft").pk
    elif tamper == "blocked":
        product_id = make_product(cooperative=shop["alpha"], category="coffee").pk
    elif tamper == "suspended cooperative":
        cooperative_suspend(cooperative=shop["beta"], actor=RegulatorFactory(), reason="Audit")
        product_id = shop["pot"].pk
    elif tamper == "negative id":
        product_id = -shop["basket"].pk
    else:
        product_id = "1; DROP TABLE orders_cart"
    response = client.post(reverse("orders:cart_add"), {"product": product_id, "quantity": "1"})
    assert response.status_code == 302
    message = _messages(response)
    assert "not for sale" in message or "Choose a quantity" in message
    assert "Added" not in message
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "2.5", "abc", "1001", "99999999999999999999", ""])
def test_a_bad_quantity_from_the_form_is_refused_and_nothing_is_added(client, shop, quantity):
    response = client.post(
        reverse("orders:cart_add"), {"product": shop["basket"].pk, "quantity": quantity}
    )
    assert response.status_code == 302
    assert "Choose a quantity from 1 to 1000." in _messages(response)
    assert not CartLine.objects.exists()


def test_the_cart_line_quantity_is_changed_and_removed_from_the_cart_page(client, shop, buyer):
    client.force_login(buyer)
    cart = cart_get(user=buyer, create=True)
    line = cart_add(cart=cart, product_id=shop["basket"].pk, quantity=1)
    response = client.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "4"})
    assert response.status_code == 302
    assert _lines(cart) == {shop["basket"].pk: 4}
    response = client.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "2.5"})
    assert "Choose a quantity from 1 to 1000." in _messages(response)
    assert _lines(cart) == {shop["basket"].pk: 4}
    client.post(reverse("orders:cart_remove", args=[line.pk]))
    assert _lines(cart) == {}


def test_another_carts_line_cannot_be_changed_or_removed(client, shop, buyer):
    theirs = cart_get(user=UserFactory(), create=True)
    their_line = cart_add(cart=theirs, product_id=shop["basket"].pk, quantity=3)
    client.force_login(buyer)
    cart_add(cart=cart_get(user=buyer, create=True), product_id=shop["mat"].pk, quantity=1)

    response = client.post(reverse("orders:cart_update", args=[their_line.pk]), {"quantity": "9"})
    assert "This line is not in your cart." in _messages(response)
    client.post(reverse("orders:cart_remove", args=[their_line.pk]))
    assert _lines(theirs) == {shop["basket"].pk: 3}


def test_a_visitor_without_a_cart_gets_404_for_a_line(client, shop):
    theirs = cart_get(user=UserFactory(), create=True)
    their_line = cart_add(cart=theirs, product_id=shop["basket"].pk, quantity=3)
    response = client.post(reverse("orders:cart_update", args=[their_line.pk]), {"quantity": "9"})
    assert response.status_code == 404
    assert _lines(theirs) == {shop["basket"].pk: 3}


def test_the_cart_page_shows_why_a_line_cannot_be_bought(client, shop, buyer):
    client.force_login(buyer)
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=shop["basket"].pk, quantity=3)
    product_adjust_stock(product=shop["basket"], actor=shop["alpha"].manager, set_to=1)
    response = client.get(reverse("orders:cart"))
    assert "Only 1 left in stock." in response.content.decode()
    assert response.context["buyable"] is False


# --- Checkout ----------------------------------------------------------------------------


@pytest.fixture
def shopper(client, shop, buyer):
    """The buyer, signed in, with a basket and a pot in the cart."""
    client.force_login(buyer)
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=shop["basket"].pk, quantity=2)
    cart_add(cart=cart, product_id=shop["pot"].pk, quantity=1)
    return cart


def _review_form(client) -> dict[str, str]:
    """The "Place the order" form's hidden fields, as the review page renders them."""
    response = client.get(reverse("orders:checkout_review"))
    assert response.status_code == 200
    page = response.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("token", "quote")
    }


def test_checkout_from_address_to_review_to_placed_order(client, shop, buyer, shopper):
    province = ProvinceFactory(name="Jawa Barat")
    response = client.get(reverse("orders:checkout"))
    assert response.status_code == 200
    assert "Rattan basket" in response.content.decode()

    response = client.post(reverse("orders:checkout"), _address_form(province))
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:checkout_review")

    review = client.get(reverse("orders:checkout_review"))
    page = review.content.decode()
    assert "Jl. Merdeka 12" in page and "Jawa Barat" in page
    assert "Koperasi Alpha" in page and "Koperasi Beta" in page
    assert review.context["buyable"] is True
    placing = _review_form(client)
    token = placing["token"]

    response = client.post(reverse("orders:checkout_place"), placing)

    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.pk])
    assert f"Thank you: your order {order.number} is placed." in _messages(response)
    assert str(order.token) == token
    assert (order.ship_province, order.ship_street) == ("Jawa Barat", "Jl. Merdeka 12")
    assert order.seller_orders.count() == 2
    assert not shopper.lines.exists()
    assert (stock_of(shop["basket"]), stock_of(shop["pot"])) == (8, 9)
    assert CHECKOUT_KEY not in client.session
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert order.number in detail.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"street": None}, "street", "This field is required."),
        ({"street": "   "}, "street", "This field is required."),
        ({"phone": "call me maybe"}, "phone", "Give a phone number: digits, spaces, + ( ) -."),
        ({"phone": "12"}, "phone", "Give a phone number"),
        ({"province": ""}, "province", "Choose the province."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"payment_method": "free"}, "payment_method", "Select a valid choice."),
    ],
    ids=["no street", "blank street", "bad phone", "short phone", "no province", "country", "pay"],
)
def test_address_errors_are_shown_beside_their_field_and_nothing_is_kept(
    client, shopper, overrides, field, message
):
    province = ProvinceFactory()
    response = client.post(reverse("orders:checkout"), _address_form(province, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    page = response.content.decode()
    errors = re.search(rf'<ul class="field__errors" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert errors and message.split(":")[0] in errors.group(1)
    assert 'value="Siti Rahayu"' in page  # what was typed stays
    assert CHECKOUT_KEY not in client.session


def test_an_address_abroad_needs_no_province(client, shopper):
    data = _address_form(ProvinceFactory(), country="FR", province="")
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    assert client.session[CHECKOUT_KEY]["country"] == "FR"


def test_a_province_of_another_country_is_refused(client, shopper):
    foreign = ProvinceFactory(country="FR", code="FR-IDF", name="Ile-de-France")
    response = client.post(reverse("orders:checkout"), _address_form(foreign))
    assert "province" in response.context["form"].errors


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, buyer):
    client.force_login(buyer)
    response = client.get(reverse("orders:checkout"))
    assert response["Location"] == reverse("orders:cart")


def _ready_to_place(client) -> dict[str, str]:
    response = client.post(reverse("orders:checkout"), _address_form(ProvinceFactory()))
    assert response.status_code == 302
    return _review_form(client)


def test_placing_twice_with_the_same_token_makes_one_order(client, buyer, shop, shopper):
    placing = _ready_to_place(client)
    first = client.post(reverse("orders:checkout_place"), placing)
    second = client.post(reverse("orders:checkout_place"), placing)
    assert first.status_code == second.status_code == 302
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert (stock_of(shop["basket"]), stock_of(shop["pot"])) == (8, 9)


def test_the_second_submission_of_a_placed_checkout_lands_on_the_order(client, buyer, shopper):
    """A double click: the second POST should find the order its token placed, not tell
    the buyer that the checkout expired."""
    placing = _ready_to_place(client)
    first = client.post(reverse("orders:checkout_place"), placing)
    second = client.post(reverse("orders:checkout_place"), placing)
    order = Order.objects.get(buyer=buyer)
    assert first["Location"] == reverse("orders:detail", args=[order.pk])
    assert second["Location"] == reverse("orders:detail", args=[order.pk])
    assert "expired" not in _messages(second)


@pytest.mark.parametrize("token", ["", "not-a-uuid", "1' OR '1'='1"])
def test_placing_without_a_valid_token_places_nothing(client, buyer, shopper, token):
    placing = _ready_to_place(client)
    response = client.post(reverse("orders:checkout_place"), {**placing, "token": token})
    assert response["Location"] == reverse("orders:checkout")
    assert "Your checkout expired" in _messages(response)
    assert not Order.objects.exists()
    assert shopper.lines.count() == 2


def test_placing_without_the_address_step_places_nothing(client, shopper):
    response = client.post(reverse("orders:checkout_place"), {"token": str(uuid.uuid4())})
    assert response["Location"] == reverse("orders:checkout")
    assert not Order.objects.exists()


def test_the_review_without_an_address_goes_back_to_the_address(client, shopper):
    assert client.get(reverse("orders:checkout_review"))["Location"] == reverse("orders:checkout")


def test_a_checkout_short_of_stock_goes_back_to_the_cart_saying_which_item(
    client, shop, buyer, shopper
):
    placing = _ready_to_place(client)
    product_adjust_stock(product=shop["basket"], actor=shop["alpha"].manager, set_to=1)
    response = client.post(reverse("orders:checkout_place"), placing)
    assert response["Location"] == reverse("orders:cart")
    assert "Rattan basket: 1 left, you asked for 2." in _messages(response)
    assert not Order.objects.exists()
    assert shopper.lines.count() == 2
    assert (stock_of(shop["basket"]), stock_of(shop["pot"])) == (1, 10)


def test_someone_elses_token_is_refused(client, buyer, orders, shopper):
    placing = _ready_to_place(client)
    before = Order.objects.count()
    response = client.post(
        reverse("orders:checkout_place"), {**placing, "token": str(orders["theirs"].token)}
    )
    assert response["Location"] == reverse("orders:cart")
    assert "someone else" in _messages(response)
    assert Order.objects.count() == before


# --- The buyer's orders --------------------------------------------------------------------


def test_my_orders_lists_only_mine(client, buyer, orders):
    client.force_login(buyer)
    page = client.get(reverse("orders:mine")).content.decode()
    assert orders["mine"].number in page
    assert orders["theirs"].number not in page


def test_another_buyers_order_is_404(client, buyer, orders):
    client.force_login(buyer)
    assert client.get(reverse("orders:detail", args=[orders["theirs"].pk])).status_code == 404
    assert client.get(reverse("orders:detail", args=[orders["mine"].pk])).status_code == 200


def test_cancelling_a_part_of_another_buyers_order_is_404_and_changes_nothing(
    client, buyer, orders
):
    client.force_login(buyer)
    theirs, their_part = orders["theirs"], orders["their_alpha"]
    for url in (
        reverse("orders:buyer_cancel", args=[theirs.pk, their_part.pk]),
        # My order's id with their part: the part must belong to the order.
        reverse("orders:buyer_cancel", args=[orders["mine"].pk, their_part.pk]),
    ):
        assert client.post(url).status_code == 404
    their_part.refresh_from_db()
    assert their_part.status == Status.PLACED


def test_the_buyer_cancels_one_part_and_its_stock_comes_back(client, buyer, shop, orders):
    client.force_login(buyer)
    part = orders["my_alpha"]
    basket_before = stock_of(shop["basket"])
    response = client.post(
        reverse("orders:buyer_cancel", args=[orders["mine"].pk, part.pk]), {"reason": "Too late"}
    )
    assert response["Location"] == reverse("orders:detail", args=[orders["mine"].pk])
    assert "This part of your order is cancelled." in _messages(response)
    part.refresh_from_db()
    assert part.status == Status.CANCELLED
    assert stock_of(shop["basket"]) == basket_before + 2
    orders["my_beta"].refresh_from_db()
    assert orders["my_beta"].status == Status.PLACED


def test_the_buyer_cannot_cancel_a_shipped_part(client, buyer, shop, orders):
    part, alpha = orders["my_alpha"], shop["alpha"]
    client.force_login(alpha.manager)
    client.post(reverse("orders:seller_order", args=[part.pk]), {"action": "confirm"})
    client.post(reverse("orders:seller_order", args=[part.pk]), {"action": "ship"})
    client.force_login(buyer)
    response = client.post(reverse("orders:buyer_cancel", args=[orders["mine"].pk, part.pk]))
    assert "cannot become cancelled" in _messages(response)
    part.refresh_from_db()
    assert part.status == Status.SHIPPED


# --- The cooperative's orders -----------------------------------------------------------------


def test_the_seller_queue_shows_only_the_cooperatives_parts(client, shop, orders):
    client.force_login(shop["beta"].member)
    response = client.get(reverse("orders:seller_queue"))
    shown = {so.pk for so in response.context["page"].items}
    assert shown == {orders["my_beta"].pk}
    client.force_login(shop["alpha"].member)
    response = client.get(reverse("orders:seller_queue"), {"status": "placed"})
    assert {so.pk for so in response.context["page"].items} == {
        orders["my_alpha"].pk,
        orders["their_alpha"].pk,
    }
    response = client.get(reverse("orders:seller_queue"), {"status": "nonsense"})
    assert response.status_code == 200 and response.context["status"] == "open"


def test_the_seller_queue_opens_on_what_needs_action(client, shop, orders):
    alpha = shop["alpha"]
    deliver(orders["their_alpha"], alpha.member)
    client.force_login(alpha.member)
    queue = reverse("orders:seller_queue")

    opened = client.get(queue)
    assert {so.pk for so in opened.context["page"].items} == {orders["my_alpha"].pk}
    assert 'aria-current="page">Needs action</a>' in opened.content.decode()
    everything = client.get(queue, {"status": "all"})
    assert {so.pk for so in everything.context["page"].items} == {
        orders["my_alpha"].pk,
        orders["their_alpha"].pk,
    }


@pytest.mark.parametrize("how", ["number", "digits", "name"])
def test_the_seller_finds_an_order_by_its_number_or_the_buyers_name(client, shop, orders, how):
    alpha, wanted = shop["alpha"], orders["theirs"]
    Order.objects.filter(pk=wanted.pk).update(ship_name="Wayan Sudarsana")
    client.force_login(alpha.member)
    query = {"number": wanted.number, "digits": str(wanted.pk), "name": "sudarS"}[how]

    found = client.get(reverse("orders:seller_queue"), {"q": query, "status": "all"})

    assert [so.pk for so in found.context["page"].items] == [orders["their_alpha"].pk]
    assert "Wayan Sudarsana" in found.content.decode()


def test_a_search_finding_nothing_says_so_and_a_long_one_is_refused(client, shop, orders):
    client.force_login(shop["alpha"].member)
    queue = reverse("orders:seller_queue")
    page = client.get(queue, {"q": "Nobody"}).content.decode()
    assert "No order matches “Nobody”" in page
    too_long = client.get(queue, {"q": "x" * 5000})
    assert too_long.status_code == 200
    assert too_long.context["search"] == ""
    assert "Ensure this value has at most 100 characters" in too_long.content.decode()


def test_the_packing_slip_gives_the_senders_address(client, shop, orders):
    alpha = shop["alpha"]
    Cooperative.objects.filter(pk=alpha.pk).update(
        commune="Desa Tenganan", contact_phone="+62 361 555 0101"
    )
    client.force_login(alpha.member)
    slip = client.get(reverse("orders:packing_slip", args=[orders["my_alpha"].pk]))
    sender = re.search(
        r'aria-labelledby="slip-from-title">(.*?)</section>', slip.content.decode(), re.S
    ).group(1)
    for part in (alpha.legal_name, "Desa Tenganan", alpha.province.name, "Indonesia"):
        assert part in sender
    assert "+62 361 555 0101" in sender


def test_a_member_moves_the_part_through_its_page(client, shop, orders):
    part, alpha = orders["my_alpha"], shop["alpha"]
    client.force_login(alpha.member)
    url = reverse("orders:seller_order", args=[part.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("orders:packing_slip", args=[part.pk])).status_code == 200
    for data, status in [
        ({"action": "confirm"}, Status.CONFIRMED),
        ({"action": "ship", "carrier": "JNE", "tracking_reference": "JNE-1"}, Status.SHIPPED),
        ({"action": "deliver"}, Status.DELIVERED),
        ({"action": "cash"}, Status.DELIVERED),
    ]:
        response = client.post(url, data)
        assert response["Location"] == url
        assert "The order is updated." in _messages(response)
        part.refresh_from_db()
        assert part.status == status
    assert (part.carrier, part.tracking_reference) == ("JNE", "JNE-1")
    assert part.cash_received_at is not None
    assert client.get(url).status_code == 200


def test_another_cooperatives_order_part_is_404_to_a_member(client, shop, orders):
    client.force_login(shop["beta"].manager)
    part = orders["my_alpha"]
    assert client.get(reverse("orders:seller_order", args=[part.pk])).status_code == 404
    assert client.get(reverse("orders:packing_slip", args=[part.pk])).status_code == 404
    for action in ("confirm", "cancel"):
        url = reverse("orders:seller_order", args=[part.pk])
        assert client.post(url, {"action": action}).status_code == 404
    part.refresh_from_db()
    assert part.status == Status.PLACED
    assert SellerOrderStatusChange.objects.filter(seller_order=part).count() == 1


def test_bulk_confirm_only_touches_the_members_own_cooperative(client, shop, orders):
    alpha_parts = [orders["my_alpha"], orders["their_alpha"]]
    beta_part = orders["my_beta"]
    seller_order_confirm(seller_order=orders["their_alpha"], actor=shop["alpha"].manager)
    client.force_login(shop["alpha"].member)
    # Another cooperative's part and an id of nothing are ignored; junk ids refuse the
    # whole list (test_bulk_confirm_refuses_ids_that_only_look_like_digits).
    ids = [str(p.pk) for p in [*alpha_parts, beta_part]] + ["999999"]
    response = client.post(reverse("orders:seller_bulk_confirm"), {"seller_orders": ids})
    assert response["Location"] == reverse("orders:seller_queue")
    messages = _messages(response)
    assert "1 order(s) confirmed." in messages
    assert "1 order(s) could not be confirmed." in messages  # already confirmed
    statuses = dict(SellerOrder.objects.values_list("pk", "status"))
    assert statuses[orders["my_alpha"].pk] == Status.CONFIRMED
    assert statuses[orders["their_alpha"].pk] == Status.CONFIRMED
    assert statuses[beta_part.pk] == Status.PLACED
    assert SellerOrderStatusChange.objects.filter(seller_order=beta_part).count() == 1


@pytest.mark.parametrize(
    "tampered",
    ["\u00b2", "\u0663", "1\u00b9", "abc", "-3", "9" * 5000],
    ids=["sup2", "arabic3", "sup1", "word", "negative", "5000-digits"],
)
def test_bulk_confirm_refuses_ids_that_only_look_like_digits(client, shop, orders, tampered):
    """``str.isdigit`` is true for "²" or "٣" and ``int()`` takes some of them: a tampered
    list is refused as a whole with a clear message, nothing confirmed, never a crash."""
    client.force_login(shop["alpha"].member)
    ids = [str(orders["my_alpha"].pk), tampered]
    response = client.post(reverse("orders:seller_bulk_confirm"), {"seller_orders": ids})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["This is not one of the choices offered."]
    orders["my_alpha"].refresh_from_db()
    assert orders["my_alpha"].status == Status.PLACED


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("ship", "An order part that is placed cannot become shipped."),
        ("deliver", "An order part that is placed cannot become delivered."),
        ("cash", "Cash is received once the parcel is delivered."),
        ("explode", "Choose an action."),
        ("", "Choose an action."),
    ],
)
def test_an_illegal_action_gives_an_error_and_changes_nothing(
    client, shop, orders, action, message
):
    part = orders["my_alpha"]
    client.force_login(shop["alpha"].manager)
    url = reverse("orders:seller_order", args=[part.pk])
    response = client.post(url, {"action": action})
    assert response["Location"] == url
    assert message in _messages(response)
    part.refresh_from_db()
    assert part.status == Status.PLACED and not part.carrier and not part.cash_received_at
    assert SellerOrderStatusChange.objects.filter(seller_order=part).count() == 1


def test_confirming_twice_from_the_page_is_refused(client, shop, orders):
    part = orders["my_alpha"]
    client.force_login(shop["alpha"].manager)
    url = reverse("orders:seller_order", args=[part.pk])
    client.post(url, {"action": "confirm"})
    response = client.post(url, {"action": "confirm"})
    assert "An order part that is confirmed cannot become confirmed." in _messages(response)
    assert SellerOrderStatusChange.objects.filter(seller_order=part).count() == 2


def test_the_cooperative_cancels_from_its_page_and_the_stock_comes_back(client, shop, orders):
    part = orders["my_alpha"]
    before = stock_of(shop["basket"])
    client.force_login(shop["alpha"].manager)
    url = reverse("orders:seller_order", args=[part.pk])
    client.post(url, {"action": "cancel", "reason": "Flooded road"})
    part.refresh_from_db()
    assert part.status == Status.CANCELLED
    assert stock_of(shop["basket"]) == before + 2
    assert part.status_changes.last().note == "Flooded road"
