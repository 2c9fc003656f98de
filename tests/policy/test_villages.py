"""Digital villages (issue 12): communes marked against the thresholds from the rollups
and the register of cooperatives (active: open long enough, an order a month over the
last three months), the household route, regulators' household counts, the label on the
dashboard and on the storefronts of cooperatives in a labelled commune."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.services.categories import category_ensure
from marketplace.models import AuditEvent
from policy.models import Commune, DigitalVillage
from policy.services.rollups import rollups_rebuild
from policy.services.villages import villages_mark
from sellers.models import Cooperative, CooperativeStatusChange
from tests.factories import (
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
    force_login_with_mfa,
    listing,
    place_order,
    seller,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(settings):
    """Ubud (Bali): three verified cooperatives, two of them open for months with three
    orders each of 50 000 in the last three months, one opened last week (it sold too);
    Garut (Java): one cooperative open for months with a single order."""
    settings.DIGITAL_VILLAGE_YEARLY_SALES = Decimal("200000")
    settings.DIGITAL_VILLAGE_ACTIVE_SHOPS = 2
    bali = ProvinceFactory(code="ID-BA", name="Bali")
    java = ProvinceFactory(code="ID-JB", name="Jawa Barat")
    food = category_ensure(slug="food-and-beverages", name="Food & beverages")
    buyer = UserFactory()
    made = {}
    for name, province, commune, orders in (
        ("Koperasi Satu", bali, "Ubud", 3),
        ("Koperasi Dua", bali, " ubud ", 3),  # typed differently: the same commune
        ("Koperasi Baru", bali, "UBUD", 3),
        ("Koperasi Garut", java, "Garut", 1),
    ):
        cooperative, manager = seller("ID", legal_name=name, province=province, commune=commune)
        product = listing(
            cooperative,
            manager,
            food,
            title=f"{name} coffee",
            price="50000",
            stock=100,
            publish=True,
        )
        for _n in range(orders):
            place_order(buyer, product, quantity=1)
        made[name] = cooperative
    long_ago = timezone.now() - timedelta(days=120)
    for name in ("Koperasi Satu", "Koperasi Dua", "Koperasi Garut"):
        Cooperative.objects.filter(pk=made[name].pk).update(created_at=long_ago)
        CooperativeStatusChange.objects.filter(cooperative=made[name]).update(created_at=long_ago)
    Cooperative.objects.filter(pk=made["Koperasi Baru"].pk).update(
        created_at=timezone.now() - timedelta(days=7)
    )
    CooperativeStatusChange.objects.filter(cooperative=made["Koperasi Baru"]).update(
        created_at=timezone.now() - timedelta(days=7)
    )
    rollups_rebuild(first=timezone.localdate())
    return {"bali": bali, "java": java, **made}


def _regulator():
    client = Client()
    force_login_with_mfa(client, RegulatorFactory())
    return client


def _village(name):
    return DigitalVillage.objects.get(commune__name__iexact=name.strip())


def test_a_commune_with_enough_sales_and_active_cooperatives_earns_the_label(communes):
    year = timezone.localdate().year
    assert villages_mark(year=year) == 1
    ubud = _village("Ubud")
    # Three cooperatives typed three ways are one commune; the one opened last week
    # is not active yet; 9 orders of 50 000 before VAT.
    assert Commune.objects.filter(name__iexact="ubud").count() == 1
    assert (ubud.shops, ubud.active_shops, ubud.sales, ubud.labelled) == (
        3,
        2,
        Decimal("450000"),
        True,
    )
    garut = _village("Garut")
    assert (garut.shops, garut.active_shops, garut.labelled) == (1, 0, False)
    # A second marking of the year replaces the first.
    villages_mark(year=year)
    assert DigitalVillage.objects.filter(year=year).count() == 2


def test_the_household_route_needs_a_household_count(communes, settings):
    settings.DIGITAL_VILLAGE_ACTIVE_SHOPS = 100
    year = timezone.localdate().year
    assert villages_mark(year=year) == 0
    client = _regulator()
    commune = Commune.objects.get(name__iexact="ubud")
    response = client.post(
        reverse("policy:commune_households", args=[commune.pk]), {"households": "20"}
    )
    assert response.status_code == 302
    commune.refresh_from_db()
    assert commune.households == 20
    event = AuditEvent.objects.get(action="households_set")
    assert event.detail == {"commune": commune.pk, "from": None, "to": 20}
    # Two active cooperatives in 20 households: 10 %, the threshold.
    assert villages_mark(year=year) == 1 and _village("Ubud").households == 20


@pytest.mark.parametrize("value", ["-1", "0", "abc", "x\x00", "9" * 30, "10000001", "2.5"])
def test_a_bad_household_count_gets_a_clear_error_and_changes_nothing(communes, value):
    villages_mark(year=timezone.localdate().year)
    commune = Commune.objects.get(name__iexact="ubud")
    client = _regulator()
    response = client.post(
        reverse("policy:commune_households", args=[commune.pk]),
        {"households": value, "year": "x\x00"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Give a number of households between 1 and 10" in response.content.decode()
    commune.refresh_from_db()
    assert commune.households is None
    assert (
        client.post(
            reverse("policy:commune_households", args=[999999]), {"households": "5"}
        ).status_code
        == 404
    )


def test_the_label_shows_on_the_dashboard_the_villages_page_and_the_storefronts(communes):
    client = _regulator()
    response = client.post(reverse("policy:villages_mark"), {"year": timezone.localdate().year})
    assert response.status_code == 302
    page = client.get(reverse("policy:villages")).content.decode()
    assert "Ubud" in page and "Garut" in page
    dashboard = client.get(reverse("policy:dashboard")).content.decode()
    assert f"Digital villages of {timezone.localdate().year}" in dashboard
    storefront = (
        Client()
        .get(reverse("sellers:storefront", args=[communes["Koperasi Dua"].slug]))
        .content.decode()
    )
    assert f"In a digital village ({timezone.localdate().year})" in storefront
    other = (
        Client()
        .get(reverse("sellers:storefront", args=[communes["Koperasi Garut"].slug]))
        .content.decode()
    )
    assert "In a digital village" not in other


def test_a_tampered_year_marks_nothing(communes):
    client = _regulator()
    for year in ("1999", "3000", "x\x00", "9" * 40):
        response = client.post(reverse("policy:villages_mark"), {"year": year}, follow=True)
        assert "Choose a year from the list." in response.content.decode()
    assert not DigitalVillage.objects.exists()


def test_the_command_marks_a_year_and_refuses_one_not_begun(communes, capsys):
    year = timezone.localdate().year
    call_command("mark_digital_villages", "--year", str(year))
    assert f"digital villages of {year}: 1 communes labelled" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not begun"):
        call_command("mark_digital_villages", "--year", str(year + 1))
    with pytest.raises(CommandError, match="2026"):
        call_command("mark_digital_villages", "--year", "12")
