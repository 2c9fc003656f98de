"""The data API: a regulator issues a token to another government system (the
secret shown once, only its hash kept, audited) and revokes it; with it the system reads
the dashboard's figures for the same filters as the page, and the cooperatives, recalls
and certificates with their public fields; without a valid one, or beyond its rate, it is
refused; hostile queries get a 4xx in JSON, never a server error; no buyer's data in any
answer; the queries stay the same in number whatever the rows."""

import hashlib
import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalog.services.categories import category_ensure
from marketplace.models import AuditEvent
from policy.forms.dashboard import DashboardFilterForm
from policy.models import ApiToken
from policy.selectors import dashboard
from policy.services.api_tokens import api_token_issue, api_token_revoke, api_token_touch
from policy.services.certification import certificate_award
from policy.services.recalls import recall_open
from policy.services.rollups import rollups_rebuild
from tests.factories import (
    CooperativeFactory,
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
    deliver,
    force_login_with_mfa,
    listing,
    place_order,
    seller,
)

pytestmark = pytest.mark.django_db

BUYER_EMAIL = "siti.rahayu@example.test"
BUYER_NAME = "Siti Rahayu"
BUYER_PHONE = "+62 812 3456 7890"
COOP_CONTACT = "kontak.alpha@example.test"
COOP_PHONE = "+62 361 555 0101"


@pytest.fixture
def market():
    """Alpha (Bali) sells 3 x 10 000 and a 25 000 pot in one order, delivered; Beta
    (Java) 2 x 40 000; a cooperative abroad 1 x 50 000. Beta's coffee is recalled, Alpha's
    jar certified; the buyer's name, email, phone and address are in the orders."""
    from orders.services.cart import cart_add, cart_get
    from orders.services.checkout import ShippingAddress, checkout_complete
    from policy.services.taxes import taxes_seed_defaults

    taxes_seed_defaults(country="ID")
    bali = ProvinceFactory(code="ID-BA", name="Bali")
    java = ProvinceFactory(code="ID-JB", name="Jawa Barat")
    food = category_ensure(slug="food-and-beverages", name="Food & beverages")
    honey = category_ensure(slug="honey", name="Honey", parent=food)
    crafts = category_ensure(slug="crafts", name="Crafts")
    alpha, alpha_manager = seller(
        "ID",
        legal_name="Koperasi Alpha",
        province=bali,
        commune="Ubud",
        contact_email=COOP_CONTACT,
        contact_phone=COOP_PHONE,
        tax_identifier="01.234.567.8-901.000",
        payout_account="BRI 0123 4567 8901",
    )
    beta, beta_manager = seller("ID", legal_name="Koperasi Beta", province=java, commune="Garut")
    abroad, abroad_manager = seller("CN", legal_name="Guangzhou Crafts Ltd")
    buyer = UserFactory(email=BUYER_EMAIL, full_name=BUYER_NAME)

    def product(cooperative, manager, category, title, price):
        return listing(
            cooperative, manager, category, title=title, price=price, stock=50, publish=True
        )

    jar = product(alpha, alpha_manager, honey, "Jar", "10000")
    pot = product(alpha, alpha_manager, crafts, "Pot", "25000")
    sack = product(beta, beta_manager, food, "Coffee sack", "40000")
    vase = product(abroad, abroad_manager, crafts, "Vase", "50000")
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=jar.pk, quantity=3)
    cart_add(cart=cart, product_id=pot.pk, quantity=1)
    address = ShippingAddress(
        name=BUYER_NAME,
        phone=BUYER_PHONE,
        country="ID",
        province="Bali",
        commune="Ubud",
        street="Jl. Raya Kedewatan 17",
    )
    order = checkout_complete(
        buyer=buyer, cart=cart, address=address, payment_method="on_delivery", token=uuid.uuid4()
    )
    deliver(order.seller_orders.get(), alpha_manager)
    place_order(buyer, sack, quantity=2)
    place_order(buyer, vase, quantity=1)
    regulator = RegulatorFactory()
    recall = recall_open(
        actor=regulator,
        product=sack,
        hazard="Mould in the beans.",
        risk="high",
        measures="Withdrawn from sale.",
        buyer_action="dispose",
    )
    certificate = certificate_award(
        product=jar,
        actor=regulator,
        number="OCOP-BA-0001",
        level="province",
        score_community=35,
        score_marketing=20,
        score_quality=30,
        issued_on=timezone.localdate(),
    )
    rollups_rebuild(first=timezone.localdate() - timedelta(days=1))
    return {
        "bali": bali,
        "food": food,
        "crafts": crafts,
        "alpha": alpha,
        "beta": beta,
        "abroad": abroad,
        "buyer": buyer,
        "regulator": regulator,
        "recall": recall,
        "certificate": certificate,
    }


def _regulator_client(user=None):
    client = Client()
    force_login_with_mfa(client, user or RegulatorFactory())
    return client


@pytest.fixture
def system():
    """A client of the API, as another government system is: no session, a token."""
    token, secret = api_token_issue(system="Tax office: monthly returns", by=RegulatorFactory())
    return Client(headers={"Authorization": f"Bearer {secret}"}), token, secret


def _api(name, **kwargs):
    return reverse(f"api-v1:{name}", kwargs=kwargs or None)


# --- Issuing and revoking, by a regulator --------------------------------------------


def test_issuing_shows_the_secret_once_and_keeps_only_its_hash():
    regulator = RegulatorFactory()
    client = _regulator_client(regulator)
    page = client.post(reverse("policy:api_tokens"), {"system": "  Statistics office  "})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    secret = re.search(r'id="api-secret">(lkp_[\w-]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.system == "Statistics office"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) == 12
    row = json.dumps(ApiToken.objects.values().get(), default=str)
    assert secret not in row and secret[len(token.prefix) :] not in row
    assert not any(secret in str(value) for value in client.session.values())
    # The list never shows it again, only its first characters.
    listing_page = client.get(reverse("policy:api_tokens")).content.decode()
    assert secret not in listing_page and f"{token.prefix}…" in listing_page
    assert "Statistics office" in listing_page
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_ISSUED)
    assert event.actor == regulator and event.subject == "Statistics office"
    assert secret not in json.dumps(event.detail)
    # And it opens the API.
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(_api("recalls")).status_code == 200


@pytest.mark.parametrize(
    "system", ["", "   ", "Tax\x00office", "x" * 121, "9" * 5000, "x" * 100_000]
)
def test_a_bad_system_name_is_a_form_error_and_issues_nothing(system):
    page = _regulator_client().post(reverse("policy:api_tokens"), {"system": system})
    assert page.status_code == 200
    assert page.context["form"].errors["system"]
    assert not ApiToken.objects.exists()


def test_the_revoke_is_audited_and_shuts_the_door_at_once(system):
    client, token, _secret = system
    assert client.get(_api("cooperatives")).status_code == 200
    regulator = RegulatorFactory()
    page = _regulator_client(regulator).post(
        reverse("policy:api_token_revoke", args=[token.pk]), {"confirm": "revoke"}, follow=True
    )
    assert page.status_code == 200 and "is revoked" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == regulator
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert event.actor == regulator and event.detail["token"] == token.pk
    assert client.get(_api("cooperatives")).status_code == 401
    # A second revoke says so, and writes no second audit row.
    again = _regulator_client(regulator).post(
        reverse("policy:api_token_revoke", args=[token.pk]), {"confirm": "revoke"}, follow=True
    )
    assert "already revoked" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


def test_a_revoke_without_its_button_changes_nothing(system):
    _client, token, _secret = system
    client = _regulator_client()
    for body in ({}, {"confirm": "a\x00b"}, {"confirm": "9" * 5000}):
        client.post(reverse("policy:api_token_revoke", args=[token.pk]), body)
    assert client.get(reverse("policy:api_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_non_regulators_cannot_reach_the_token_pages_nor_revoke(system):
    _client, token, _secret = system
    pages = [reverse("policy:api_tokens"), reverse("policy:api_token_revoke", args=[token.pk])]
    anonymous = Client()
    for url in pages:
        response = anonymous.post(url, {"confirm": "revoke", "system": "Mine"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")
    buyer = Client()
    buyer.force_login(UserFactory())
    for url in pages:
        assert buyer.post(url, {"confirm": "revoke", "system": "Mine"}).status_code == 403
        assert buyer.get(url).status_code == 403
    # A regulator without a second factor is sent to set one up first.
    unenrolled = Client()
    unenrolled.force_login(RegulatorFactory(mfa=False))
    response = unenrolled.post(pages[1], {"confirm": "revoke"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_the_services_refuse_anyone_but_a_regulator(system):
    from policy.errors import NotAllowed

    _client, token, _secret = system
    with pytest.raises(NotAllowed):
        api_token_issue(system="Mine", by=UserFactory())
    with pytest.raises(NotAllowed):
        api_token_revoke(token=token, by=UserFactory())


# --- Access: tokens and rate ---------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer lkp_wrong",
        "Bearer " + "lkp_" + "x" * 43,
        "Basic dXNlcjpwYXNz",
        "Bearer lkp_" + "x" * 5000,
        "Bearer lkp_\u00e9t\u00e9",
    ],
)
def test_without_a_valid_token_the_api_answers_401_in_json(market, header):
    client = Client(headers={"Authorization": header} if header else {})
    for url in (_api("figures_headline"), _api("cooperatives"), _api("recalls")):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Unauthorized"}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_browser_session_opens_no_data(market):
    """A regulator signed in on the site has no token: the API does not read sessions."""
    assert _regulator_client().get(_api("figures_headline")).status_code == 401


def test_a_revoked_token_is_refused(system):
    client, token, _secret = system
    api_token_revoke(token=token, by=RegulatorFactory())
    assert client.get(_api("certificates")).status_code == 401


def test_beyond_its_rate_a_token_gets_429_with_retry_after(system, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client, _token, _secret = system
    answers = [client.get(_api("recalls")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(_api("recalls"))
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another system's token has its own count.
    _other, secret = api_token_issue(system="Statistics office", by=RegulatorFactory())
    other = Client(headers={"Authorization": f"Bearer {secret}"})
    assert other.get(_api("recalls")).status_code == 200


def test_the_last_use_is_written_at_most_once_a_minute(system):
    client, token, _secret = system
    assert token.last_used_at is None
    client.get(_api("recalls"))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get(_api("recalls"))
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    # A minute later the next request writes it again, once.
    later = first + timedelta(seconds=61)
    assert api_token_touch(token=token, now=later) is True
    assert api_token_touch(token=token, now=later + timedelta(seconds=5)) is False
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used_at = first  # another process's older copy: the UPDATE's guard holds
    assert api_token_touch(token=stale, now=later + timedelta(seconds=5)) is False


def test_answers_are_never_stored_on_the_way(system):
    client, _token, _secret = system
    response = client.get(_api("recalls"))
    assert response["Cache-Control"] == "no-store"
    assert "Authorization" in response["Vary"]
    assert response["Content-Type"].startswith("application/json")


# --- The figures, as the dashboard's --------------------------------------------------


def _expected(query: dict):
    with translation.override("en"):
        form = DashboardFilterForm(query)
        assert form.is_valid(), form.errors
        filters = form.filters()
        return (
            filters,
            dashboard.headline(filters),
            {name: reader(filters) for name, reader in dashboard.TABLES.items()},
        )


def _json_cell(value):
    return str(value) if isinstance(value, Decimal) else value


FILTER_SETS = [
    {},
    {"origin": "local"},
    {"origin": "abroad"},
    {"period": "this_month"},
    {"period": "last_24_months"},
]


@pytest.mark.parametrize("query", [*FILTER_SETS, "bali", "crafts"])
def test_the_figures_are_the_dashboards_for_the_same_filters(market, system, query):
    client, _token, _secret = system
    if query == "bali":
        query = {"province": str(market["bali"].pk), "origin": "local"}
    elif query == "crafts":
        query = {"category": str(market["crafts"].pk)}
    filters, headline, tables = _expected(query)
    answer = client.get(_api("figures_headline"), query).json()
    assert answer["filters"]["start"] == filters.start.isoformat()
    assert answer["filters"]["end"] == filters.end.isoformat()
    assert answer["filters"]["province"] == filters.province_id
    assert answer["currency"] == "IDR"
    assert [(f["label"], f["value"], f["previous"], f["available"]) for f in answer["figures"]] == [
        (f.label, _json_cell(f.value), _json_cell(f.previous), f.available)
        for f in headline["figures"]
    ]
    assert answer["vat"] == str(headline["vat"])
    for name, table in tables.items():
        got = client.get(_api("figures_table", table=name), query).json()
        assert got["name"] == name and got["title"] == table.title
        assert [c["label"] for c in got["columns"]] == table.columns
        assert got["rows"] == [[_json_cell(cell) for cell in row] for row in table.rows]


def test_the_headline_figures_have_stable_keys_and_exact_money(market, system):
    client, _token, _secret = system
    answer = client.get(_api("figures_headline")).json()
    figures = {f["key"]: f for f in answer["figures"]}
    assert list(figures) == [
        "sales",
        "orders",
        "active_cooperatives",
        "cooperatives_registered",
        "cooperatives_verified",
        "cross_border_share_of_sales",
        "listings_blocked",
        "products_recalled",
        "open_recalls",
        "tax_assessed",
        "tax_remitted",
    ]
    # 55 000 + 80 000 + 50 000 before VAT; 50 000 of them from abroad.
    assert Decimal(figures["sales"]["value"]) == Decimal("185000")
    assert isinstance(figures["sales"]["value"], str) and figures["sales"]["money"]
    assert figures["orders"]["value"] == 3
    assert Decimal(figures["cross_border_share_of_sales"]["value"]).quantize(
        Decimal("0.001")
    ) == Decimal("0.270")
    assert figures["open_recalls"]["value"] == 1
    province = client.get(_api("figures_table", table="province")).json()
    assert [c["key"] for c in province["columns"]] == [
        "province",
        "sales",
        "orders",
        "cooperatives",
    ]
    by_name = dict(zip([r[0] for r in province["rows"]], province["ids"], strict=True))
    assert by_name["Bali"] == market["bali"].pk and by_name["Abroad or unknown"] is None


def test_the_answers_are_in_english_whatever_the_callers_language(market, system):
    client, _token, _secret = system
    english = client.get(_api("figures_headline")).json()
    french = client.get(_api("figures_headline"), headers={"Accept-Language": "fr"})
    assert french["Content-Language"] == "en"
    assert french.json()["figures"] == english["figures"]


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-10-01", "end": "2026-09-01"},
        {"period": "custom", "start": "1000-01-01", "end": "9999-12-31"},
        {"period": "custom"},
        {"province": "99999999999999999999"},
        {"province": "9" * 5000},
        {"category": "x\x00"},
        {"origin": "elsewhere", "period": "eons"},
        {"start": "2026-13-45", "period": "custom", "end": "2026-01-01"},
        {"period": "a\x00b"},
        {"end": "x" * 100_000, "period": "custom", "start": "2026-01-01"},
    ],
)
def test_bad_filters_get_a_clear_422_never_an_error(market, system, query):
    client, _token, _secret = system
    for url in (_api("figures_headline"), _api("figures_table", table="time")):
        response = client.get(url, query)
        assert response.status_code == 422, (url, response.content[:300])
        detail = response.json()["detail"]
        assert detail and all(e["loc"][0] == "query" and e["msg"] for e in detail)


def test_a_field_error_names_its_field(market, system):
    client, _token, _secret = system
    detail = client.get(_api("figures_headline"), {"origin": "elsewhere"}).json()["detail"]
    assert detail[0]["loc"] == ["query", "origin"]
    assert "not one of the available choices" in detail[0]["msg"]


@pytest.mark.parametrize(
    ("name", "kwargs", "query"),
    [
        ("figures_table", {"table": "nothing"}, {}),
        ("figures_table", {"table": "x\x00"}, {}),
        ("cooperatives", {}, {"limit": "0"}),
        ("cooperatives", {}, {"limit": "9" * 5000}),
        ("cooperatives", {}, {"offset": "-1"}),
        ("cooperatives", {}, {"offset": "9" * 30}),
        ("cooperatives", {}, {"province": "9" * 5000}),
        ("cooperatives", {}, {"province": "a\x00b"}),
        ("cooperatives", {}, {"status": "deleted"}),
        ("cooperatives", {}, {"cross_border": "perhaps"}),
        ("cooperative", {"cooperative_id": "9" * 30}, {}),
        ("recalls", {}, {"status": "x" * 100_000}),
        ("recalls", {}, {"risk": "apocalyptic"}),
        ("certificates", {}, {"number": "x" * 100_000}),
        ("certificates", {}, {"valid": "a\x00b"}),
    ],
)
def test_bad_queries_of_the_registers_get_a_4xx_in_json(market, system, name, kwargs, query):
    client, _token, _secret = system
    if name == "figures_table" or name == "cooperative":
        prefix = "/api/v1/figures/" if name == "figures_table" else "/api/v1/cooperatives/"
        url = prefix + next(iter(kwargs.values()))
    else:
        url = _api(name)
    response = client.get(url, query)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


# --- The registers -------------------------------------------------------------------


def test_the_cooperatives_carry_their_public_fields_only(market, system):
    client, _token, _secret = system
    page = client.get(_api("cooperatives")).json()
    assert page["count"] == 3
    alpha = next(c for c in page["items"] if c["name"] == "Koperasi Alpha")
    assert alpha == {
        "id": market["alpha"].pk,
        "name": "Koperasi Alpha",
        "slug": market["alpha"].slug,
        "country": "ID",
        "province": {"code": "ID-BA", "name": "Bali"},
        "region": "",
        "commune": "Ubud",
        "year_founded": market["alpha"].year_founded,
        "member_count": market["alpha"].member_count,
        "status": "verified",
        "verified": True,
        "cross_border": False,
        "registered_at": alpha["registered_at"],
        "storefront_url": "http://127.0.0.1:8000"
        + reverse("sellers:storefront", args=[market["alpha"].slug]),
    }
    abroad = client.get(_api("cooperatives"), {"cross_border": "true"}).json()
    assert [c["name"] for c in abroad["items"]] == ["Guangzhou Crafts Ltd"]
    assert abroad["items"][0]["province"] is None and abroad["items"][0]["country"] == "CN"
    bali = client.get(_api("cooperatives"), {"province": market["bali"].pk}).json()
    assert [c["name"] for c in bali["items"]] == ["Koperasi Alpha"]
    one = client.get(_api("cooperative", cooperative_id=market["beta"].pk)).json()
    assert one["name"] == "Koperasi Beta" and one["province"]["code"] == "ID-JB"
    missing = client.get(_api("cooperative", cooperative_id=10**12))
    assert missing.status_code == 404 and missing.json()["detail"]


def test_a_pending_cooperative_is_listed_with_its_status_and_no_storefront(system):
    client, _token, _secret = system
    CooperativeFactory(status="pending", legal_name="Koperasi Baru")
    item = client.get(_api("cooperatives"), {"status": "pending"}).json()["items"][0]
    assert item["name"] == "Koperasi Baru" and item["verified"] is False
    assert item["storefront_url"] is None


def test_the_cooperatives_page_by_limit_and_offset_in_registration_order(system):
    client, _token, _secret = system
    made = [CooperativeFactory().pk for _ in range(5)]
    first = client.get(_api("cooperatives"), {"limit": 2}).json()
    second = client.get(_api("cooperatives"), {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 5
    assert [c["id"] for c in first["items"] + second["items"]] == made[:4]
    assert client.get(_api("cooperatives"), {"limit": 201}).status_code == 422


def test_the_recalls_are_the_public_notices(market, system):
    client, _token, _secret = system
    page = client.get(_api("recalls")).json()
    assert page["count"] == 1
    recall = page["items"][0]
    assert recall["number"] == market["recall"].number
    assert recall["scope"] == "product" and recall["status"] == "open"
    assert recall["risk"] == "high" and recall["risk_label"] == "High"
    assert recall["hazard"] == "Mould in the beans."
    assert recall["buyer_action"] == "dispose"
    assert recall["cooperative"] == {"id": market["beta"].pk, "name": "Koperasi Beta"}
    assert recall["product"]["title"] == "Coffee sack"
    assert recall["notice_url"].endswith(reverse("recalls:detail", args=[market["recall"].pk]))
    assert "opened_by" not in recall
    assert client.get(_api("recalls"), {"status": "closed"}).json()["count"] == 0
    assert client.get(_api("recalls"), {"risk": "serious"}).json()["count"] == 0


def test_the_certificates_with_their_state_and_a_lookup_by_number(market, system):
    client, _token, _secret = system
    page = client.get(_api("certificates")).json()
    assert page["count"] == 1
    certificate = page["items"][0]
    assert certificate["number"] == "OCOP-BA-0001"
    assert certificate["state"] == "valid" and certificate["stars"] == 4
    assert certificate["score"] == 85
    assert certificate["cooperative"] == {"id": market["alpha"].pk, "name": "Koperasi Alpha"}
    assert certificate["product"]["title"] == "Jar"
    assert "issuer" not in certificate
    assert client.get(_api("certificates"), {"number": " ocop-ba-0001 "}).json()["count"] == 1
    assert client.get(_api("certificates"), {"number": "OCOP-XX-9"}).json()["count"] == 0
    assert client.get(_api("certificates"), {"valid": "true"}).json()["count"] == 1


def _every_answer(client, market) -> list[str]:
    urls = [_api("figures_headline"), _api("cooperatives"), _api("recalls"), _api("certificates")]
    urls += [_api("figures_table", table=name) for name in dashboard.TABLES]
    urls += [_api("cooperative", cooperative_id=market[name].pk) for name in ("alpha", "beta")]
    answers = []
    for url in urls:
        for query in ({}, {"province": market["bali"].pk}):
            response = client.get(url, query)
            assert response.status_code == 200, url
            answers.append(response.content.decode())
    return answers


def test_no_answer_carries_a_buyers_data_nor_a_cooperatives_contacts(market, system):
    client, _token, _secret = system
    for body in _every_answer(client, market):
        for secret in (
            BUYER_EMAIL,
            "siti.rahayu",
            BUYER_NAME,
            BUYER_PHONE,
            "Kedewatan",
            COOP_CONTACT,
            COOP_PHONE,
            "01.234.567.8-901.000",
            "0123 4567 8901",
            "@example.test",
            market["regulator"].full_name,
        ):
            assert secret not in body


# --- The document ---------------------------------------------------------------------


def test_the_openapi_document_lists_every_endpoint_and_the_bearer_scheme():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["version"] == "1"
    assert set(document["paths"]) == {
        "/api/v1/figures/headline",
        "/api/v1/figures/{table}",
        "/api/v1/cooperatives",
        "/api/v1/cooperatives/{cooperative_id}",
        "/api/v1/recalls",
        "/api/v1/certificates",
    }
    assert all(list(methods) == ["get"] for methods in document["paths"].values())
    schemes = document["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]
    table = document["paths"]["/api/v1/figures/{table}"]["get"]["parameters"][0]
    assert table["schema"]["enum"] == list(dashboard.TABLES)


def test_the_reference_page_loads_nothing_from_elsewhere():
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/ninja/") for source in sources)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html


def test_the_api_is_read_only(system):
    client, _token, _secret = system
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(_api("cooperatives")).status_code == 405


# --- Query counts ---------------------------------------------------------------------


def test_the_registers_cost_the_same_queries_whatever_their_rows(
    market, system, django_assert_max_num_queries
):
    client, _token, _secret = system
    urls = [_api("cooperatives"), _api("recalls"), _api("certificates")]
    for url in urls:
        client.get(url)  # the token's last use is written once, on the first
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"limit": 200})
        small[url] = len(queries)
    regulator = market["regulator"]
    goods = category_ensure(slug="household-goods", name="Household goods")
    for n in range(6):
        cooperative, manager = seller("ID", province=market["bali"])
        product = listing(cooperative, manager, goods, title=f"Pot {n}", stock=5, publish=True)
        recall_open(
            actor=regulator,
            cooperative=cooperative,
            hazard="Lead.",
            risk="serious",
            measures="Withdrawn.",
            buyer_action="return",
        )
        certificate_award(
            product=product,
            actor=regulator,
            number=f"OCOP-N-{n}",
            level="national",
            score_community=40,
            score_marketing=25,
            score_quality=30,
            issued_on=timezone.localdate(),
        )
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, {"limit": 200})
        assert page.json()["count"] >= 7
        # The token, the count and the page.
        assert len(queries) == small[url] <= 3, url
    with django_assert_max_num_queries(7):
        client.get(_api("figures_headline"))
    with django_assert_max_num_queries(3):
        client.get(_api("figures_table", table="province"))
