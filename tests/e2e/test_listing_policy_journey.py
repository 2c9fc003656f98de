"""A local cooperative lists a woven sarong that buyers find; a foreign one is blocked,
sees why, and appeals; the regulator protects "Beauty" and foreign beauty listings go."""

import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.products import product_create, product_publish
from marketplace.services import provinces_seed
from policy.models import Appeal
from policy.services.rules import rules_seed_defaults
from sellers.models import Membership
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def market(tmp_path):
    provinces_seed(country="ID")
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles)
    category_ensure(slug="food-beverages", name="Food & beverages")
    category_ensure(slug="crafts", name="Crafts")
    beauty = category_ensure(slug="beauty", name="Beauty")
    soaps = category_ensure(slug="soaps-oils", name="Soaps & oils", parent=beauty)
    category_ensure(slug="books", name="Books")
    regulator = RegulatorFactory(email="inspector@example.test")
    rules_seed_defaults(country="ID", actor=regulator)

    local = CooperativeFactory(legal_name="Koperasi Tenun Sumba", country="ID")
    MembershipFactory(
        cooperative=local,
        role=Membership.Role.MANAGER,
        user=UserFactory(email="weaver@example.test"),
    )
    foreign = CooperativeFactory(
        legal_name="Overseas Trading", country="CN", province=None, region="Guangdong"
    )
    foreign_manager = UserFactory(email="trader@example.test")
    MembershipFactory(cooperative=foreign, role=Membership.Role.MANAGER, user=foreign_manager)
    oil = product_create(
        cooperative=foreign,
        actor=foreign_manager,
        category=soaps,
        title="Imported rose facial oil",
        price=Decimal("1750000"),
        stock=5,
    )
    product_publish(product=oil, actor=foreign_manager)

    photo = tmp_path / "sarong.jpg"
    image = Image.new("RGB", (800, 600), (30, 60, 140))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    return {"photo": photo, "oil": oil}


def _list_sarong(page, title):
    page.goto("/catalog/workspace/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Category").select_option(label="— Woven sarongs")
    page.get_by_label("Price", exact=False).first.fill("850000")
    page.get_by_label("Stock").fill("4")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r".*/catalog/workspace/\d+/$"))


def test_listing_policy_journey(market, browser_context_for, log_in, artifacts, assert_accessible):
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"policy-{name}.png"), full_page=True
    )

    # A local cooperative lists a woven sarong with a photo; buyers find it.
    weaver = browser_context_for()
    log_in("weaver@example.test", PASSWORD, context_page=weaver)
    _list_sarong(weaver, "Hinggi ikat sarong, indigo")
    weaver.get_by_label("Add a photo").set_input_files(str(market["photo"]))
    weaver.get_by_role("button", name="Upload the photo").click()
    weaver.get_by_text("Photo added.").wait_for()
    weaver.get_by_role("button", name="Publish").click()
    weaver.get_by_text(re.compile("now active", re.I)).wait_for()
    assert_accessible(weaver)
    shot(weaver, "1-local-sarong-published")

    buyer = browser_context_for(width=390)
    buyer.goto("/catalog/search/?q=hinggi")
    buyer.get_by_role("link", name=re.compile("Hinggi ikat sarong")).first.wait_for()
    assert_accessible(buyer)
    shot(buyer, "2-search-finds-it-phone")

    # A foreign cooperative tries the same: blocked, with the rule and the reason.
    trader = browser_context_for()
    log_in("trader@example.test", PASSWORD, context_page=trader)
    _list_sarong(trader, "Polyester sarong")
    panel = trader.get_by_text("Protected clusters for local MSMEs").first
    panel.wait_for()
    assert trader.get_by_text(re.compile("may not sell in .Woven sarongs")).first.is_visible()
    assert_accessible(trader)
    shot(trader, "3-foreign-sarong-blocked")
    statement = trader.get_by_label(re.compile("Why should the block be lifted")).first
    statement.fill("Our sarongs are woven by a partner cooperative in Sumba.")
    trader.get_by_role("button", name=re.compile("Appeal to the regulator")).first.click()
    trader.get_by_text("Your appeal is sent to the regulator.").wait_for()
    shot(trader, "4-appeal-sent")
    assert Appeal.objects.filter(status="pending").count() == 1
    assert Product.objects.get(title="Polyester sarong").status == "blocked"

    # The regulator protects Beauty: the foreign beauty listing is suspended.
    regulator = browser_context_for()
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=regulator)
    regulator.goto("/regulator/rules/")
    assert_accessible(regulator)
    regulator.get_by_role("link", name="Protected clusters for local MSMEs").click()
    regulator.get_by_label("Beauty", exact=True).check()
    assert_accessible(regulator)
    regulator.get_by_role("button", name="Save the rule").click()
    regulator.get_by_text(re.compile("Listings are being re-evaluated")).wait_for()
    shot(regulator, "5-rule-edited")
    market["oil"].refresh_from_db()
    assert market["oil"].status == "suspended"

    buyer.goto("/catalog/search/?q=rose")
    assert buyer.get_by_role("link", name=re.compile("rose facial oil")).count() == 0
    trader.goto(f"/catalog/workspace/{market['oil'].pk}/")
    trader.get_by_text(re.compile("may not sell in .Soaps")).first.wait_for()
    shot(trader, "6-beauty-listing-suspended")
