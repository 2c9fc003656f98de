"""The world the catalog tests live in: a category tree, the country's default listing
rules, sellers at home and abroad, and products made through the catalog services
(never by writing rows directly), so every policy check applies to them as in
production."""

import io
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.photos import photo_add
from catalog.services.products import product_create, product_publish
from policy.models import ListingRule
from policy.services.rules import rules_seed_defaults
from sellers.models import Cooperative, Membership
from tests.factories import CooperativeFactory, MembershipFactory, ProvinceFactory

# The cross-border minimum price of the seeded rules: 100 USD at 16,000 a dollar.
FOREIGN_MIN_PRICE = Decimal("1600000")


def image_bytes(width=64, height=48, color="green", fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def image_upload():
    """``image_upload(name="p.png", fmt="PNG", color=...)`` -> a fresh uploaded file."""
    counter = itertools.count()

    def make(name=None, *, fmt="PNG", color=None, width=64, height=48):
        n = next(counter)
        colors = ["green", "red", "blue", "orange", "purple", "yellow", "white", "black"]
        data = image_bytes(width, height, color or colors[n % len(colors)], fmt)
        extension = "jpg" if fmt == "JPEG" else fmt.lower()
        content_type = f"image/{'jpeg' if fmt == 'JPEG' else fmt.lower()}"
        return SimpleUploadedFile(name or f"photo-{n}.{extension}", data, content_type)

    return make


@pytest.fixture
def categories():
    """textiles-fashion > woven-sarongs, food-beverages > coffee-tea, crafts,
    household-goods > kitchenware, beauty, books."""
    textiles = category_ensure(
        slug="textiles-fashion", name="Textiles & fashion", translations={"id": "Tekstil"}
    )
    food = category_ensure(slug="food-beverages", name="Food & beverages")
    household = category_ensure(slug="household-goods", name="Household goods")
    return {
        "textiles": textiles,
        "sarongs": category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles),
        "food": food,
        "coffee": category_ensure(slug="coffee-tea", name="Coffee & tea", parent=food),
        "crafts": category_ensure(slug="crafts", name="Crafts"),
        "household": household,
        "kitchenware": category_ensure(slug="kitchenware", name="Kitchenware", parent=household),
        "beauty": category_ensure(slug="beauty", name="Beauty"),
        "books": category_ensure(slug="books", name="Books"),
    }


@pytest.fixture
def rules(categories):
    """Indonesia's default rules, as a deployment seeds them: textiles, food and crafts
    protected from cross-border sellers; a cross-border minimum price (books exempt);
    a halal certificate for food and beverages."""
    rules_seed_defaults(country="ID")
    return {rule.kind: rule for rule in ListingRule.objects.all()}


@pytest.fixture
def seller():
    """``seller(country="ID", status="verified", role="manager")`` -> (cooperative, user)."""

    def make(country="ID", *, status=Cooperative.Status.VERIFIED, role="manager", **fields):
        if country != "ID":
            fields |= {"province": None, "region": "Guangdong"}
        cooperative = CooperativeFactory(country=country, status=status, **fields)
        user = MembershipFactory(cooperative=cooperative, role=role).user
        return cooperative, user

    return make


def _actor_of(cooperative):
    membership = Membership.objects.filter(cooperative=cooperative).select_related("user").first()
    if membership is None:
        membership = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER)
    return membership.user


@pytest.fixture
def make_product(categories, rules, image_upload):
    """``make_product(cooperative=..., category="household", status="active", photos=0,
    **fields)``: created (and published, and photographed) through the services.

    ``category`` is a key of the ``categories`` fixture or a Category; a cooperative
    is made (local, verified) when none is given. ``status`` is "active" or "draft";
    a listing the policy blocks comes back blocked whatever was asked.
    """
    counter = itertools.count(1)

    def make(*, cooperative=None, category="household", status="active", photos=0, **fields):
        cooperative = cooperative or CooperativeFactory()
        actor = fields.pop("actor", None) or _actor_of(cooperative)
        n = next(counter)
        fields.setdefault("title", f"Bamboo basket {n}")
        fields.setdefault(
            "price", Decimal("150000") if not cooperative.is_cross_border else FOREIGN_MIN_PRICE
        )
        fields.setdefault("stock", 10)
        if isinstance(category, str):
            category = categories[category]
        product = product_create(cooperative=cooperative, actor=actor, category=category, **fields)
        for _ in range(photos):
            photo_add(product=product, actor=actor, upload=image_upload())
        if status == Product.Status.ACTIVE and product.status == Product.Status.DRAFT:
            product = product_publish(product=product, actor=actor)
        product.refresh_from_db()
        return product

    return make


@pytest.fixture
def province():
    return ProvinceFactory()
