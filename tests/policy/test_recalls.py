"""Recalls (issue 10): a regulator takes one product, or a whole cooperative's, off the
market at once; carts, unshipped orders and recent buyers follow; the notice is public
with an Atom feed; closing it leaves the products for their seller to publish again."""

from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from catalog.selectors import visible_products
from catalog.services.categories import category_ensure
from catalog.services.products import product_archive, product_publish
from marketplace.models import AuditEvent, OutgoingEmail, User
from marketplace.notifications import outbox_relay
from orders.models import CartLine, SellerOrder
from orders.services.cart import cart_add, cart_get
from policy.errors import NotAllowed, RecallRefused
from policy.models import Recall, RecallProduct
from policy.services.recalls import recall_close, recall_open
from tests.factories import (
    RegulatorFactory,
    UserFactory,
    deliver,
    force_login_with_mfa,
    listing,
    place_order,
    seller,
)

pytestmark = pytest.mark.django_db

NOTICE = {
    "hazard": "Aflatoxin above the legal limit in batch 12.",
    "risk": Recall.Risk.SERIOUS,
    "measures": "Withdrawn from sale; batch destroyed.",
    "buyer_action": Recall.BuyerAction.DISPOSE,
}


@pytest.fixture
def regulator():
    return RegulatorFactory()


@pytest.fixture
def gayo():
    cooperative, manager = seller("ID", legal_name="Koperasi Kopi Gayo")
    coffee = category_ensure(slug="coffee", name="Coffee")
    products = [
        listing(cooperative, manager, coffee, title=title, price="85000", stock=50, publish=True)
        for title in ("Gayo arabica", "Gayo robusta", "Gayo peaberry")
    ]
    return cooperative, manager, products


def test_recalling_a_product_takes_it_off_the_market_and_tells_whom_it_concerns(
    gayo, regulator, mailoutbox
):
    _cooperative, manager, (arabica, robusta, _peaberry) = gayo
    received, waiting, shopping = UserFactory(), UserFactory(), UserFactory()
    delivered = place_order(received, arabica).seller_orders.get()
    deliver(delivered, manager)
    unshipped = place_order(waiting, arabica).seller_orders.get()
    other = place_order(waiting, robusta).seller_orders.get()
    cart = cart_get(user=shopping, create=True)
    cart_add(cart=cart, product_id=arabica.pk, quantity=2)
    cart_add(cart=cart, product_id=robusta.pk, quantity=1)

    recall = recall_open(actor=regulator, product=arabica, **NOTICE)

    assert recall.number == f"RC-{recall.pk:06d}"
    assert (recall.scope, recall.product_count, recall.status) == ("product", 1, "open")
    arabica.refresh_from_db()
    assert arabica.status == Product.Status.RECALLED
    assert not visible_products().filter(pk=arabica.pk).exists()
    assert visible_products().filter(pk=robusta.pk).exists()  # the rest stays on sale
    assert list(CartLine.objects.filter(cart=cart).values_list("product_id", flat=True)) == [
        robusta.pk
    ]
    unshipped.refresh_from_db()
    other.refresh_from_db()
    assert (unshipped.status, other.status) == (SellerOrder.Status.ON_HOLD, "placed")
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECALL_OPENED)
    assert event.detail["orders_held"] == 1 and event.detail["buyers_emailed"] == 1
    assert event.detail["cart_lines_removed"] == 1
    # The buyer who received it learns what to do (rendered by the relay, in one row).
    warning = OutgoingEmail.objects.get(to=[received.email], template__isnull=False)
    assert warning.body == ""
    outbox_relay()
    (sent,) = [m for m in mailoutbox if m.to == [received.email] and "recall" in m.subject]
    assert "Aflatoxin above the legal limit" in sent.body
    assert "Dispose of it safely" in sent.body
    assert "Serious" in sent.body
    assert delivered.order.number in sent.body
    assert reverse("recalls:detail", args=[recall.pk]) in sent.body
    managers = [m for m in mailoutbox if m.to == [manager.email] and recall.number in m.subject]
    assert managers and "on hold" in managers[0].body


def test_a_product_already_under_an_open_recall_or_archived_is_refused(gayo, regulator):
    _cooperative, manager, (arabica, robusta, _peaberry) = gayo
    recall_open(actor=regulator, product=arabica, **NOTICE)
    with pytest.raises(RecallRefused, match="already under an open recall"):
        recall_open(actor=regulator, product=arabica, **NOTICE)
    product_archive(product=robusta, actor=manager)
    with pytest.raises(RecallRefused, match="archived"):
        recall_open(actor=regulator, product=robusta, **NOTICE)
    assert Recall.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hazard", "   ", "Describe the hazard"),
        ("measures", "", "measures"),
        ("risk", "catastrophic", "risk level"),
        ("buyer_action", "eat it", "what buyers should do"),
        ("hazard", "x\x00y", "control characters"),
        ("hazard", "x" * 5000, "under 4000 characters"),
    ],
)
def test_a_recall_with_a_bad_field_changes_nothing(gayo, regulator, field, value, message):
    _cooperative, _manager, (arabica, *_rest) = gayo
    with pytest.raises(RecallRefused, match=message):
        recall_open(actor=regulator, product=arabica, **{**NOTICE, field: value})
    arabica.refresh_from_db()
    assert arabica.status == Product.Status.ACTIVE
    assert not Recall.objects.exists()


def test_only_a_regulator_recalls(gayo):
    _cooperative, manager, (arabica, *_rest) = gayo
    with pytest.raises(NotAllowed):
        recall_open(actor=manager, product=arabica, **NOTICE)
    assert not Recall.objects.exists()


def test_a_cooperative_recall_covers_what_is_not_archived_nor_already_recalled(gayo, regulator):
    cooperative, manager, (arabica, robusta, peaberry) = gayo
    first = recall_open(actor=regulator, product=arabica, **NOTICE)
    product_archive(product=peaberry, actor=manager)
    draft = listing(cooperative, manager, robusta.category, title="Gayo honey process")
    wide = recall_open(actor=regulator, cooperative=cooperative, **NOTICE)
    assert wide.scope == "cooperative" and wide.product is None
    assert set(RecallProduct.objects.filter(recall=wide).values_list("product_id", flat=True)) == {
        robusta.pk,
        draft.pk,
    }
    assert wide.product_count == 2
    assert RecallProduct.objects.get(product=arabica, open=True).recall == first
    with pytest.raises(RecallRefused, match="no product left"):
        recall_open(actor=regulator, cooperative=cooperative, **NOTICE)


def test_closing_a_recall_keeps_its_history_and_leaves_the_products_for_the_seller(
    gayo, regulator, mailoutbox
):
    _cooperative, manager, (arabica, *_rest) = gayo
    recall = recall_open(actor=regulator, product=arabica, **NOTICE)
    with pytest.raises(RecallRefused, match="why the recall is closed"):
        recall_close(recall=recall, actor=regulator, note="  ")
    recall = recall_close(recall=recall, actor=regulator, note="Batch 12 destroyed, lab clear.")
    assert recall.status == Recall.Status.CLOSED and recall.closed_by == regulator
    arabica.refresh_from_db()
    assert arabica.status == Product.Status.UNPUBLISHED  # not back on sale by itself
    assert not RecallProduct.objects.filter(open=True).exists()
    assert RecallProduct.objects.filter(recall=recall, product=arabica).exists()
    with pytest.raises(RecallRefused, match="already closed"):
        recall_close(recall=recall, actor=regulator, note="again")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECALL_CLOSED).count() == 1
    # The seller publishes it again, and the policy decides as for any listing.
    assert product_publish(product=arabica, actor=manager).status == Product.Status.ACTIVE
    # A closed recall no longer blocks a new one.
    assert recall_open(actor=regulator, product=arabica, **NOTICE).pk != recall.pk


def test_a_cooperative_recall_takes_the_same_queries_for_many_products(regulator):
    coffee = category_ensure(slug="coffee", name="Coffee")

    def opened(size, name):
        cooperative, manager = seller("ID", legal_name=name)
        buyer = UserFactory()
        for n in range(size):
            product = listing(
                cooperative, manager, coffee, title=f"{name} {n}", stock=9, publish=True
            )
            part = place_order(buyer, product).seller_orders.get()
            if n % 2:
                deliver(part, manager)
        actor = User.objects.get(pk=regulator.pk)  # its role not yet read, each time
        with CaptureQueriesContext(connection) as queries:
            recall_open(actor=actor, cooperative=cooperative, **NOTICE)
        assert Product.objects.filter(cooperative=cooperative, status="recalled").count() == size
        return len(queries)

    assert opened(4, "Small") == opened(24, "Large")


def _bulk_cooperative(name: str, *, products: int, held: int, delivered: int):
    """A verified cooperative with ``products`` listings and order parts holding them,
    inserted in bulk (the way bench/recall.py seeds its 5 000)."""
    from decimal import Decimal

    from django.utils import timezone

    from orders.models import Order, OrderLine, SellerOrderStatusChange
    from tests.factories import CooperativeFactory

    cooperative = CooperativeFactory(legal_name=name)
    category = category_ensure(slug="bulk-goods", name="Bulk goods")
    rows = Product.objects.bulk_create(
        Product(
            cooperative=cooperative,
            category=category,
            sku=f"{name[:3]}-{n}",
            title=f"{name} jar {n}",
            slug=f"{name.lower()}-jar-{n}",
            price=Decimal("25000"),
            stock=10,
            status="active",
            published_at=timezone.now(),
        )
        for n in range(products)
    )
    buyers = User.objects.bulk_create(
        User(email=f"{name.lower()}{n}@example.test", password="!") for n in range(held + delivered)
    )
    money = {"subtotal": Decimal("25000"), "total": Decimal("25000")}
    orders = Order.objects.bulk_create(
        Order(
            buyer=buyer,
            payment_method="on_delivery",
            ship_name="Siti",
            ship_phone="+62 812 0000 0000",
            ship_street="Jl. Merdeka 1",
            vat_total=Decimal("0"),
            **money,
        )
        for buyer in buyers
    )
    parts = SellerOrder.objects.bulk_create(
        SellerOrder(
            order=order,
            cooperative=cooperative,
            cooperative_name=name,
            status="placed" if n < held else "delivered",
            vat=Decimal("0"),
            **money,
        )
        for n, order in enumerate(orders)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            seller_order=part,
            product=rows[n % products],
            title=rows[n % products].title,
            cooperative_name=name,
            unit="piece",
            unit_price=Decimal("25000"),
            quantity=1,
            vat_rate=Decimal("0"),
            vat_amount=Decimal("0"),
            line_total=Decimal("25000"),
        )
        for n, part in enumerate(parts)
    )
    SellerOrderStatusChange.objects.bulk_create(
        SellerOrderStatusChange(seller_order=part, from_status="shipped", to_status="delivered")
        for part in parts[held:]
    )
    return cooperative


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite splits bulk inserts")
def test_a_recall_of_thousands_takes_the_queries_of_a_recall_of_a_few(regulator):
    """5 products and 3 order parts against 2 500 products and 1 000 order parts (past
    the thresholds where ids go as one array and the outbox uses COPY)."""

    def queries_for(cooperative):
        actor = User.objects.get(pk=regulator.pk)
        with CaptureQueriesContext(connection) as queries:
            recall = recall_open(actor=actor, cooperative=cooperative, **NOTICE)
        return len(queries), recall

    few, small = queries_for(_bulk_cooperative("Few", products=5, held=2, delivered=1))
    many, large = queries_for(_bulk_cooperative("Many", products=2500, held=700, delivered=300))
    assert few == many
    assert (small.product_count, large.product_count) == (5, 2500)
    assert (
        SellerOrder.objects.filter(cooperative=large.cooperative, status="on_hold").count() == 700
    )
    assert OutgoingEmail.objects.filter(template__isnull=False).count() == 1003  # deferred


def _regulator_client(regulator):
    client = Client()
    force_login_with_mfa(client, regulator)
    return client


def test_the_regulator_recalls_through_the_form_and_bad_input_changes_nothing(gayo, regulator):
    cooperative, _manager, (arabica, *_rest) = gayo
    client = _regulator_client(regulator)
    url = reverse("policy:recall_product", args=[arabica.pk])
    assert client.get(url).status_code == 200
    for bad in (
        {**NOTICE, "risk": "catastrophic"},
        {**NOTICE, "hazard": "nul\x00byte"},
        {**NOTICE, "measures": "m" * 10_000},
        {**NOTICE, "buyer_action": ""},
    ):
        response = client.post(url, bad)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Recall.objects.exists()
    response = client.post(url, NOTICE)
    recall = Recall.objects.get()
    assert response.url == reverse("policy:recall_detail", args=[recall.pk])
    # The same product again: a clear error on the form.
    response = client.post(url, NOTICE)
    assert "already under an open recall" in response.content.decode()
    assert client.get(reverse("policy:recall_product", args=[999_999])).status_code == 404
    wide = client.post(reverse("policy:recall_cooperative", args=[cooperative.pk]), NOTICE)
    assert wide.status_code == 302
    detail = reverse("policy:recall_detail", args=[recall.pk])
    assert client.post(detail, {"note": ""}).status_code == 200
    assert client.post(detail, {"note": "Lab results clear."}).status_code == 302
    recall.refresh_from_db()
    assert recall.status == Recall.Status.CLOSED
    listing_page = client.get(reverse("policy:recalls") + "?q=Gayo arabica").content.decode()
    assert reverse("policy:recall_product", args=[arabica.pk]) in listing_page


def test_the_public_page_and_feed_list_open_recalls_newest_first(gayo, regulator):
    cooperative, manager, (arabica, robusta, _peaberry) = gayo
    crafts = category_ensure(slug="crafts", name="Crafts")
    basket = listing(cooperative, manager, crafts, title="Rattan basket", publish=True)
    older = recall_open(actor=regulator, product=arabica, **NOTICE)
    newer = recall_open(actor=regulator, product=basket, **{**NOTICE, "risk": "low"})
    closed = recall_open(actor=regulator, product=robusta, **NOTICE)
    recall_close(recall=closed, actor=regulator, note="Done")
    anonymous = Client()
    page = anonymous.get(reverse("recalls:list"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["page"].object_list] == [newer.pk, older.pk]
    html = page.content.decode()
    assert "Aflatoxin above the legal limit" in html and "Dispose of it safely" in html
    assert "Koperasi Kopi Gayo" in html
    only = anonymous.get(reverse("recalls:list"), {"risk": "serious"})
    assert [r.pk for r in only.context["page"].object_list] == [older.pk]
    crafted = anonymous.get(reverse("recalls:list"), {"category": "crafts"})
    assert [r.pk for r in crafted.context["page"].object_list] == [newer.pk]
    history = anonymous.get(reverse("recalls:list"), {"show": "closed"})
    assert [r.pk for r in history.context["page"].object_list] == [closed.pk]
    # A tampered filter is ignored rather than an error.
    assert anonymous.get(reverse("recalls:list"), {"risk": "\x00", "page": "x"}).status_code == 200
    detail = anonymous.get(reverse("recalls:detail", args=[closed.pk]))
    assert detail.status_code == 200 and "Done" in detail.content.decode()

    feed = anonymous.get(reverse("recalls:feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(feed.content).findall(f"{atom}entry")  # noqa: S314 (our own feed)
    links = [entry.find(f"{atom}link").get("href") for entry in entries]
    assert [link.rsplit("/", 2)[-2] for link in links] == [str(newer.pk), str(older.pk)]
    assert links[0].startswith("http")
