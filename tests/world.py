"""One world of objects for the tests that walk every URL (the role x URL matrix, the
POST fuzz): built once per module inside a transaction that is rolled back at its end,
each test running in a savepoint of its own.

    world = module_world()   # at module level: a module-scoped fixture named "world"
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
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
from policy.models import Commune, ListingDecision, ListingRule, TaxRule
from policy.services.api_tokens import api_token_issue
from policy.services.appeals import appeal_file
from policy.services.certification import certificate_award
from policy.services.inspections import inspection_record
from policy.services.recalls import recall_open
from policy.services.reports import report_build
from policy.services.rules import rules_seed_defaults
from policy.services.sanctions import sanction_issue
from policy.services.taxes import taxes_seed_defaults
from policy.services.villages import villages_mark
from sellers.models import Invitation, Membership
from tests.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    place_order,
)


class _RolledBack(Exception):
    pass


def module_world():
    """A module-scoped ``world`` fixture: :func:`build_world` in a transaction the end
    of the module rolls back (tests using it also need ``django_db``)."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            try:
                with transaction.atomic():
                    yield build_world()
                    raise _RolledBack
            except _RolledBack:
                pass

    return world


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
    taxes_seed_defaults(country="ID")
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


def build_world() -> dict:
    """Cooperative A (registered abroad, with a licence, a manager, a member, an
    invitation, a catalog and orders), cooperative B with its own manager, a buyer, a
    regulator, a staff user without a second factor and an administrator with one."""
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
    regulator = RegulatorFactory()
    certificate = certificate_award(
        product=catalog["product_a"],
        actor=regulator,
        number="OCOP-WORLD-1",
        level="province",
        score_community=30,
        score_marketing=20,
        score_quality=25,
        issued_on=timezone.localdate(),
    )
    kettle = product_create(
        cooperative=coop_a,
        actor=manager_a.user,
        category=catalog["product_a"].category,
        title="Enamel kettle",
        price=Decimal("2000000"),
        stock=2,
    )
    recall = recall_open(
        actor=regulator,
        product=kettle,
        hazard="Lead in the enamel.",
        risk="serious",
        measures="Withdrawn from sale.",
        buyer_action="return",
    )
    inspection = inspection_record(
        actor=regulator,
        product=catalog["product_a"],
        inspected_on=timezone.localdate(),
        findings=["labelling"],
        outcome="sanction",
        notes="Internal remark.",
        evidence=[_png()],
    )
    sanction = sanction_issue(
        cooperative=coop_a,
        actor=regulator,
        step=2,
        reason="Repeated labelling faults.",
        skip_reason="Third visit with the same fault.",
    )
    api_token, _secret = api_token_issue(system="Statistics office", by=regulator)
    report_build(period=date(2026, 10, 1))
    villages_mark(year=timezone.localdate().year)
    buyer = UserFactory()
    return {
        "coop_a": coop_a,
        "manager_a_membership": manager_a,
        "member_a": member_a,
        "invitation_a": invitation,
        "certificate_a": certificate,
        "recall_a": recall,
        "inspection_a": inspection,
        "evidence_a": inspection.evidence.get(),
        "sanction_a": sanction,
        "api_token_a": api_token,
        "commune_a": Commune.objects.order_by("pk").first(),
        "tax_rule_a": TaxRule.objects.order_by("pk").first(),
        **catalog,
        **_orders_of(buyer, catalog["product_a"], manager_a.user),
        "users": {
            "anonymous": None,
            "buyer": buyer,
            "member": member_a.user,
            "manager": manager_a.user,
            "other_manager": manager_b.user,
            "regulator": regulator,
            "staff": UserFactory(is_staff=True),
            "admin": AdminFactory(),
        },
    }
