"""Issue 14.3: moving a category in the tree re-evaluates the listings it covers at once."""

import pytest
from django.urls import reverse

from catalog.models import Category, Product
from catalog.selectors import visible_products
from catalog.services.categories import category_ensure, category_move
from tests.factories import (
    AdminFactory,
    force_login_with_mfa,
    foreign_cooperative,
    listing,
    protect,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    household = category_ensure(slug="household-goods", name="Household goods")
    linen = category_ensure(slug="table-linen", name="Table linen", parent=household)
    protect(textiles, title="Protect textiles")
    cooperative, manager = foreign_cooperative()
    tablecloth = listing(cooperative, manager, linen, title="Tablecloth", stock=2, publish=True)
    assert tablecloth.status == Product.Status.ACTIVE
    return {"textiles": textiles, "household": household, "linen": linen, "product": tablecloth}


def test_moving_a_category_under_a_protected_one_suspends_foreign_listings_at_once(tree):
    category_move(category=tree["linen"], under=tree["textiles"])

    product = Product.objects.get(pk=tree["product"].pk)
    assert product.status == Product.Status.SUSPENDED
    assert not visible_products().filter(pk=product.pk).exists()

    category_move(category=Category.objects.get(pk=tree["linen"].pk), under=tree["household"])
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE


def test_moving_it_in_the_admin_does_the_same(client, tree):
    force_login_with_mfa(client, AdminFactory())
    response = client.post(
        reverse("admin:catalog_category_changelist") + "move/",
        {"node": tree["linen"].pk, "target": tree["textiles"].pk, "relation": "child"},
    )
    assert response.status_code == 200
    assert Category.objects.get(pk=tree["linen"].pk).path.startswith(tree["textiles"].path)
    product = Product.objects.get(pk=tree["product"].pk)
    assert product.status == Product.Status.SUSPENDED
