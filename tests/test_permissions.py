"""The role x URL matrix: every page of the project's apps, for every kind of visitor.

Each named URL of marketplace/, sellers/, catalog/, orders/ and policy/ must appear in
MATRIX (a new page without an entry fails ``test_every_app_url_is_in_the_matrix``).
The visitors: anonymous, a buyer, a member and a manager of cooperative A, the manager
of another cooperative B (who must never reach A's objects), and a regulator.
Object ids in the URLs belong to cooperative A.
"""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from catalog.services.categories import category_ensure
from catalog.services.photos import photo_add
from catalog.services.products import product_create, product_publish
from orders.services.aftersales import return_request, review_create
from orders.services.cart import cart_add, cart_get
from orders.services.fulfilment import (
    seller_order_confirm,
    seller_order_deliver,
    seller_order_ship,
)
from policy.models import ListingDecision, ListingRule
from policy.services.appeals import appeal_file
from policy.services.rules import rules_seed_defaults
from sellers.models import Invitation, Membership
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

VISITORS = ["anonymous", "buyer", "member", "manager", "other_manager", "regulator"]
LOGIN = "login"

APP_NAMESPACES = {"sellers", "catalog", "orders", "policy"}
PROJECT_NAMES = {"home", "healthz", "account_home"}


def _expect(**codes):
    """Expected answer per visitor; unnamed visitors get ``default``."""
    default = codes.pop("default", None)
    return {visitor: codes.get(visitor, default) for visitor in VISITORS}


PUBLIC = _expect(default=200)
SIGNED_IN = _expect(anonymous=LOGIN, default=200)
MEMBERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=200, manager=200, other_manager=200
)
MANAGERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=403, manager=200, other_manager=200
)
REGULATORS = _expect(anonymous=LOGIN, default=403, regulator=200)
# A workspace action on one of A's products: done (and redirected) for A's members;
# B's manager works in B, where the product does not exist.
ON_A_PRODUCT = {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404}
# The buyer's own order (one part from A): everyone else gets 404, never a hint.
BUYERS_OWN = _expect(anonymous=LOGIN, default=404, buyer=200)
# One of A's order parts, from A's order pages: B's manager works in B, where it is not.
ON_A_ORDER = {**MEMBERS, "other_manager": 404}
ON_A_ORDER_ACTION = {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404}


def _product_a(w):
    return {"pk": w["product_a"].pk}


def _photo_a(w):
    return {"pk": w["product_a"].pk, "photo_pk": w["photo_a"].pk}


# name -> (method, kwargs builder, expected per visitor)
MATRIX = {
    "home": ("get", None, PUBLIC),
    "healthz": ("get", None, PUBLIC),
    "account_home": ("get", None, SIGNED_IN),
    "orders:mine": ("get", None, SIGNED_IN),
    "policy:home": ("get", None, REGULATORS),
    "sellers:directory": ("get", None, PUBLIC),
    "sellers:storefront": ("get", lambda w: {"slug": w["coop_a"].slug}, PUBLIC),
    "sellers:onboard": ("get", None, SIGNED_IN),
    "sellers:workspace": ("get", None, MEMBERS),
    "sellers:profile": ("get", None, MANAGERS),
    "sellers:members": ("get", None, MEMBERS),
    # The workspace's document is the visitor's own cooperative's: B has none.
    "sellers:licence": ("get", None, {**MEMBERS, "other_manager": 404}),
    "sellers:switch": (
        "post",
        None,
        {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404},
    ),
    "sellers:resubmit": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:invite": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:member_role": (
        "post",
        lambda w: {"pk": w["member_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:member_remove": (
        "post",
        lambda w: {"pk": w["manager_a_membership"].pk},
        # A member may only remove itself; B's manager cannot see A's members.
        {**MEMBERS, "member": 403, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation_revoke": (
        "post",
        lambda w: {"pk": w["invitation_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation": ("get", lambda w: {"token": w["invitation_a"].token}, SIGNED_IN),
    "sellers:verification_queue": ("get", None, REGULATORS),
    "sellers:verification_detail": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "sellers:verification_licence": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "catalog:browse": ("get", None, PUBLIC),
    "catalog:search": ("get", None, PUBLIC),
    "catalog:category": ("get", lambda w: {"slug": "household-goods"}, PUBLIC),
    "catalog:product": ("get", lambda w: {"slug": w["product_a"].slug}, PUBLIC),
    "catalog:workspace_products": ("get", None, MEMBERS),
    "catalog:product_create": ("get", None, MEMBERS),
    "catalog:product_import": ("get", None, MEMBERS),
    "catalog:product_edit": ("get", _product_a, {**MEMBERS, "other_manager": 404}),
    "catalog:product_publish": ("post", lambda w: {"pk": w["blocked_a"].pk}, ON_A_PRODUCT),
    "catalog:product_unpublish": ("post", _product_a, ON_A_PRODUCT),
    "catalog:product_archive": ("post", _product_a, ON_A_PRODUCT),
    "catalog:product_stock": ("post", _product_a, ON_A_PRODUCT),
    "policy:appeal_file": ("post", lambda w: {"pk": w["blocked_a"].pk}, ON_A_PRODUCT),
    "catalog:photo_add": ("post", _product_a, ON_A_PRODUCT),
    "catalog:photo_move": ("post", _photo_a, ON_A_PRODUCT),
    "catalog:photo_main": ("post", _photo_a, ON_A_PRODUCT),
    "catalog:photo_delete": ("post", _photo_a, ON_A_PRODUCT),
    # Cart pages are public; an action redirects to the cart.
    "orders:cart": ("get", None, PUBLIC),
    "orders:cart_add": ("post", None, _expect(default=302)),
    # The buyer's own line; a visitor without a cart has no line to change (404); the
    # buyer's update and anyone's removal (which only ever removes from their own cart)
    # end on the cart page.
    "orders:cart_update": (
        "post",
        lambda w: {"line_id": w["cart_line"].pk},
        _expect(default=404, buyer=302),
    ),
    "orders:cart_remove": ("post", lambda w: {"line_id": w["cart_line"].pk}, _expect(default=302)),
    # Checkout needs an account; an empty cart (everyone but the buyer) goes back to the
    # cart, and review and place without the address step go back to the address.
    "orders:checkout": ("get", None, _expect(anonymous=LOGIN, default=302, buyer=200)),
    "orders:checkout_review": ("get", None, _expect(anonymous=LOGIN, default=302)),
    "orders:checkout_place": ("post", None, _expect(anonymous=LOGIN, default=302)),
    "orders:detail": ("get", lambda w: {"pk": w["order"].pk}, BUYERS_OWN),
    "orders:buyer_cancel": (
        "post",
        lambda w: {"pk": w["order"].pk, "part": w["seller_order_a"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:return_create": (
        "post",
        lambda w: {"pk": w["delivered"].pk, "part": w["delivered_a"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:review_create": (
        "post",
        lambda w: {"line_id": w["delivered_line"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:seller_queue": ("get", None, MEMBERS),
    # B's manager may post A's ids: they are ignored (B's queue), hence 302 too.
    "orders:seller_bulk_confirm": (
        "post",
        None,
        {**MEMBERS, "member": 302, "manager": 302, "other_manager": 302},
    ),
    "orders:seller_order": ("get", lambda w: {"pk": w["seller_order_a"].pk}, ON_A_ORDER),
    "orders:packing_slip": ("get", lambda w: {"pk": w["seller_order_a"].pk}, ON_A_ORDER),
    "orders:return_decide": (
        "post",
        lambda w: {"pk": w["delivered_a"].pk, "return_pk": w["return_a"].pk},
        ON_A_ORDER_ACTION,
    ),
    "orders:review_reply": ("post", lambda w: {"review_pk": w["review_a"].pk}, ON_A_ORDER_ACTION),
    "policy:rules": ("get", None, REGULATORS),
    "policy:rule_create": ("get", None, REGULATORS),
    "policy:rule_edit": ("get", lambda w: {"pk": w["rule"].pk}, REGULATORS),
    "policy:appeals": ("get", None, REGULATORS),
    "policy:appeal_detail": ("get", lambda w: {"pk": w["appeal_a"].pk}, REGULATORS),
    "policy:audit": ("get", None, REGULATORS),
    "policy:audit_export": ("get", None, REGULATORS),
}


def _app_url_names() -> set[str]:
    names = set()

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}{entry.name}")

    walk(get_resolver())
    return {n for n in names if n.split(":")[0] in APP_NAMESPACES or n in PROJECT_NAMES}


def test_every_app_url_is_in_the_matrix():
    assert _app_url_names() - set(MATRIX) == set()


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")


def _catalog_of(cooperative, actor):
    """A's listings under Indonesia's default rules (A is registered abroad): an active
    household product (priced above the cross-border minimum) with a photo, and a
    woven sarong blocked as a protected category, whose block A has appealed."""
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    sarongs = category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles)
    household = category_ensure(slug="household-goods", name="Household goods")
    category_ensure(slug="food-beverages", name="Food & beverages")
    rules_seed_defaults(country="ID")
    product = product_create(
        cooperative=cooperative,
        actor=actor,
        category=household,
        title="Enamel cooking pot",
        price=Decimal("2000000"),
        stock=5,
    )
    photo = photo_add(product=product, actor=actor, upload=_png())
    product = product_publish(product=product, actor=actor)
    blocked = product_create(
        cooperative=cooperative,
        actor=actor,
        category=sarongs,
        title="Songket sarong",
        price=Decimal("2000000"),
        stock=1,
    )
    decision = blocked.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    appeal = appeal_file(decision=decision, actor=actor, statement="Woven in Indonesia.")
    assert product.status == "active" and blocked.status == "blocked"
    return {
        "product_a": product,
        "photo_a": photo,
        "blocked_a": blocked,
        "decision_a": decision,
        "appeal_a": appeal,
        "rule": ListingRule.objects.get(kind=ListingRule.Kind.PROTECTED_CATEGORY),
    }


def _orders_of(buyer, product, manager):
    """The buyer's orders of one unit of A's product (so one part each, A's): one just
    placed; one delivered, with a return asked for and a review; and one more unit of the
    product left in the buyer's cart."""
    order = place_order(buyer, product)
    delivered = place_order(buyer, product)
    part = delivered.seller_orders.get()
    for move in (seller_order_confirm, seller_order_ship, seller_order_deliver):
        move(seller_order=part, actor=manager)
    line = part.lines.get()
    line_left = cart_add(cart=cart_get(user=buyer), product_id=product.pk, quantity=1)
    return {
        "order": order,
        "seller_order_a": order.seller_orders.get(),
        "cart_line": line_left,
        "delivered": delivered,
        "delivered_a": part,
        "delivered_line": line,
        "return_a": return_request(
            seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Cracked"
        ),
        "review_a": review_create(order_line=line, buyer=buyer, rating=4, text="Sturdy pot."),
    }


@pytest.fixture
def world():
    coop_a = CooperativeFactory(country="CN", province=None, region="Guangdong")
    coop_a.business_licence.save(
        "licence.pdf", SimpleUploadedFile("l.pdf", b"%PDF-1.4 test"), save=True
    )
    manager_a = MembershipFactory(cooperative=coop_a, role=Membership.Role.MANAGER)
    member_a = MembershipFactory(cooperative=coop_a, role=Membership.Role.MEMBER)
    coop_b = CooperativeFactory()
    manager_b = MembershipFactory(cooperative=coop_b, role=Membership.Role.MANAGER)
    invitation = Invitation.objects.create(
        cooperative=coop_a, email="invitee@example.test", invited_by=manager_a.user
    )
    catalog = _catalog_of(coop_a, manager_a.user)
    buyer = UserFactory()
    return {
        "coop_a": coop_a,
        "manager_a_membership": manager_a,
        "member_a": member_a,
        "invitation_a": invitation,
        **catalog,
        **_orders_of(buyer, catalog["product_a"], manager_a.user),
        "users": {
            "anonymous": None,
            "buyer": buyer,
            "member": member_a.user,
            "manager": manager_a.user,
            "other_manager": manager_b.user,
            "regulator": RegulatorFactory(),
        },
    }


POST_BODIES = {
    "sellers:switch": lambda w: {"cooperative": w["coop_a"].pk},
    "sellers:member_role": lambda w: {"role": "manager"},
    "sellers:invite": lambda w: {"email": "someone@example.test", "role": "member"},
    "catalog:product_stock": lambda w: {"set_to": "7"},
    "policy:appeal_file": lambda w: {"decision": w["decision_a"].pk, "statement": "Again"},
    "catalog:photo_move": lambda w: {"direction": "down"},
    "orders:cart_add": lambda w: {"product": w["product_a"].pk, "quantity": "1"},
    "orders:cart_update": lambda w: {"quantity": "2"},
    "orders:seller_bulk_confirm": lambda w: {"seller_orders": [w["seller_order_a"].pk]},
    "orders:return_decide": lambda w: {"decision": "accept", "restock": "on", "response": ""},
    "orders:review_reply": lambda w: {"reply": "Thank you!"},
}

CASES = [(name, visitor) for name in MATRIX for visitor in VISITORS]


@pytest.mark.parametrize(("name", "visitor"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_role_url_matrix(client, world, name, visitor):
    method, kwargs, expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    body = POST_BODIES.get(name, lambda w: {})(world)
    response = getattr(client, method)(url, body)
    want = expected[visitor]
    if want == LOGIN:
        assert response.status_code == 302, f"{visitor} {method} {url}"
        assert response["Location"].startswith(reverse("account_login")), url
    else:
        assert response.status_code == want, f"{visitor} {method} {url}"
