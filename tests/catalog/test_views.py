"""Listings through their pages: a seller creates, photographs, publishes and stocks a
product; buyers browse and search; the listing policy blocks what it must on every
path (form, admin, re-categorisation) and a regulator decides the appeals. Each bad
input gets a clear error and changes nothing in the database."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductPhoto
from policy.models import Appeal, Exemption, ListingDecision
from sellers.models import Cooperative, Membership
from sellers.services import cooperative_suspend
from tests.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _form(categories, **overrides):
    data = {
        "title": "Hand-woven bamboo basket",
        "category": categories["household"].pk,
        "sku": "",
        "price": "125000",
        "unit": "piece",
        "stock": "12",
        "description": "A sturdy basket for the market.",
        "story": "Woven by the women's group of Desa Contoh.",
        "origin_province": "",
        "origin_commune": "Desa Contoh",
        "certificate_number": "",
    }
    data.update(overrides)
    return data


def _edit_form(product, **overrides):
    data = {
        "title": product.title,
        "category": product.category_id,
        "sku": product.sku,
        "price": str(product.price),
        "unit": product.unit,
        "stock": str(product.stock),
        "description": product.description,
        "story": product.story,
        "origin_province": product.origin_province_id or "",
        "origin_commune": product.origin_commune,
        "certificate_number": product.certificate_number,
    }
    data.update(overrides)
    return data


def _snapshot(product):
    product.refresh_from_db()
    return (
        product.title,
        product.category_id,
        product.price,
        product.stock,
        product.status,
        product.cooperative_id,
    )


def _titles(response) -> list[str]:
    return [p.title for p in response.context["page"].items]


def _photo_order(product) -> list[int]:
    return list(product.photos.order_by("position").values_list("pk", flat=True))


# --- Creating and editing ---------------------------------------------------------------


def test_a_member_creates_a_draft_and_lands_on_its_edit_page(client, seller, categories, rules):
    cooperative, user = seller(role=Membership.Role.MEMBER)
    client.force_login(user)
    response = client.post(reverse("catalog:product_create"), _form(categories))
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product_edit", args=[product.pk])
    assert product.cooperative == cooperative
    assert product.status == Product.Status.DRAFT
    assert product.price == Decimal("125000.00") and product.stock == 12
    assert product.sku  # one is made when left empty
    assert "draft" in _messages(response).lower()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'value="Hand-woven bamboo basket"' in page.content.decode()


def test_a_product_without_an_origin_takes_its_cooperatives_province_and_village(
    client, seller, categories, rules
):
    # Buyers filter by province of origin: a listing created without one must not
    # fall out of every province filter.
    cooperative, user = seller(commune="Desa Rotan")
    client.force_login(user)
    client.post(
        reverse("catalog:product_create"),
        _form(categories, origin_province="", origin_commune=""),
    )
    product = Product.objects.get()
    assert product.origin_province == cooperative.province
    assert product.origin_commune == "Desa Rotan"


BAD_NUMBERS = [
    ("price", "-5", "greater than or equal to 0.01"),
    ("price", "0", "greater than or equal to 0.01"),
    ("price", "1e9999", "digits"),
    ("price", "NaN", "number"),
    ("price", "12.345", "decimal places"),
    ("price", str(10**15), "digits"),
    ("price", "cheap", "number"),
    ("stock", "-1", "greater than or equal to 0"),
    ("stock", "2.5", "whole number"),
    ("stock", "99999999999", "less than or equal to"),
    ("stock", "lots", "whole number"),
]
BAD_IDS = [f"{field}={value}" for field, value, _ in BAD_NUMBERS]


@pytest.mark.parametrize(("field", "value", "message"), BAD_NUMBERS, ids=BAD_IDS)
def test_bad_numbers_on_create_are_field_errors_and_nothing_is_saved(
    client, seller, categories, rules, field, value, message
):
    _cooperative, user = seller()
    client.force_login(user)
    response = client.post(reverse("catalog:product_create"), _form(categories, **{field: value}))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not Product.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), BAD_NUMBERS, ids=BAD_IDS)
def test_bad_numbers_on_edit_are_field_errors_and_the_listing_is_unchanged(
    client, make_product, field, value, message
):
    product = make_product(title="Rattan mat", price=Decimal("90000"), stock=7)
    before = _snapshot(product)
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        _edit_form(product, title="Renamed mat", **{field: value}),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert _snapshot(product) == before


def test_a_sku_already_used_by_the_cooperative_is_a_field_error(client, make_product, categories):
    existing = make_product(sku="MAT-1")
    client.force_login(existing.cooperative.memberships.get().user)
    response = client.post(reverse("catalog:product_create"), _form(categories, sku="MAT-1"))
    assert response.status_code == 200
    assert "SKU" in " ".join(response.context["form"].errors["sku"])
    assert Product.objects.count() == 1
    # Another cooperative may use the same reference.
    other = make_product(sku="MAT-1")
    assert other.sku == "MAT-1"


def test_an_archived_listing_cannot_be_edited(client, make_product):
    product = make_product(title="Old mat")
    user = product.cooperative.memberships.get().user
    client.force_login(user)
    client.post(reverse("catalog:product_archive", args=[product.pk]))
    response = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        _edit_form(product, title="Revived mat", price="1"),
    )
    assert response.status_code == 200
    assert "cannot be edited" in " ".join(response.context["form"].non_field_errors())
    product.refresh_from_db()
    assert (product.title, product.status) == ("Old mat", Product.Status.ARCHIVED)


def test_a_tampered_create_post_cannot_pick_the_cooperative_or_the_status(
    client, seller, categories, rules
):
    mine, user = seller()
    other, _ = seller()
    client.force_login(user)
    data = _form(categories, cooperative=other.pk, status="active", published_at="2020-01-01")
    client.post(reverse("catalog:product_create"), data)
    product = Product.objects.get()
    assert product.cooperative == mine
    assert product.status == Product.Status.DRAFT
    assert product.published_at is None


def test_a_tampered_edit_post_cannot_move_the_listing_or_publish_it(client, make_product, seller):
    product = make_product(status="draft")
    other, _ = seller()
    client.force_login(product.cooperative.memberships.get().user)
    data = _edit_form(product, title="Still mine", cooperative=other.pk, status="active")
    assert client.post(reverse("catalog:product_edit", args=[product.pk]), data).status_code == 302
    product.refresh_from_db()
    assert product.title == "Still mine"
    assert product.cooperative_id != other.pk
    assert product.status == Product.Status.DRAFT


def test_another_cooperatives_product_is_not_found_on_every_workspace_url(
    client, make_product, seller, image_upload
):
    victim = make_product(
        cooperative=CooperativeFactory(country="CN", province=None, region="X"),
        category="sarongs",
        status="draft",
        photos=1,
    )
    assert victim.status == Product.Status.BLOCKED
    decision = victim.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    photo = victim.photos.get()
    before = _snapshot(victim)
    _mine, intruder = seller()
    client.force_login(intruder)
    pk = victim.pk
    attempts = [
        ("get", reverse("catalog:product_edit", args=[pk]), {}),
        ("post", reverse("catalog:product_edit", args=[pk]), _edit_form(victim, title="Pwned")),
        ("post", reverse("catalog:product_publish", args=[pk]), {}),
        ("post", reverse("catalog:product_unpublish", args=[pk]), {}),
        ("post", reverse("catalog:product_archive", args=[pk]), {}),
        ("post", reverse("catalog:product_stock", args=[pk]), {"set_to": "0"}),
        ("post", reverse("catalog:photo_add", args=[pk]), {"photo": image_upload()}),
        ("post", reverse("catalog:photo_move", args=[pk, photo.pk]), {"direction": "down"}),
        ("post", reverse("catalog:photo_main", args=[pk, photo.pk]), {}),
        ("post", reverse("catalog:photo_delete", args=[pk, photo.pk]), {}),
        (
            "post",
            reverse("policy:appeal_file", args=[pk]),
            {"decision": decision.pk, "statement": "Let me sell it"},
        ),
    ]
    for method, url, data in attempts:
        assert getattr(client, method)(url, data).status_code == 404, url
    assert _snapshot(victim) == before
    assert list(victim.photos.values_list("pk", flat=True)) == [photo.pk]
    assert not Appeal.objects.exists()


def test_a_photo_of_another_product_is_not_found_under_my_products_url(
    client, make_product, seller
):
    cooperative, user = seller()
    mine = make_product(cooperative=cooperative)
    theirs = make_product(photos=1)
    photo = theirs.photos.get()
    client.force_login(user)
    url = reverse("catalog:photo_delete", args=[mine.pk, photo.pk])
    assert client.post(url).status_code == 404
    assert ProductPhoto.objects.filter(pk=photo.pk).exists()


def test_actions_only_accept_post(client, make_product):
    product = make_product(status="draft")
    client.force_login(product.cooperative.memberships.get().user)
    for name in ("product_publish", "product_unpublish", "product_archive", "product_stock"):
        assert client.get(reverse(f"catalog:{name}", args=[product.pk])).status_code == 405
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


# --- Photos -----------------------------------------------------------------------------


def test_a_member_uploads_photos_which_are_reencoded_in_order(client, make_product, image_upload):
    product = make_product(status="draft")
    client.force_login(product.cooperative.memberships.get().user)
    url = reverse("catalog:photo_add", args=[product.pk])
    first = client.post(url, {"photo": image_upload("front.png"), "alt_text": "The front"})
    second = client.post(url, {"photo": image_upload("side.jpg", fmt="JPEG")})
    assert first.status_code == second.status_code == 302
    assert "Photo added" in _messages(second)
    photos = list(product.photos.order_by("position"))
    assert [p.position for p in photos] == [0, 1]
    assert photos[0].alt_text == "The front"
    assert photos[1].alt_text == product.title  # a description is always there
    for photo in photos:
        for rendition in (photo.image, photo.card, photo.large):
            assert rendition.name.endswith(".webp")
            assert rendition.storage.exists(rendition.name)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image at all", "image/jpeg"),
            "not an image",
        ),
        (
            SimpleUploadedFile("anim.gif", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64, "image/gif"),
            "JPEG, PNG or WebP",
        ),
        (
            SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (8 * 1024 * 1024 + 10)),
            "too large",
        ),
        (SimpleUploadedFile("empty.png", b"", "image/png"), "empty"),
    ],
    ids=["executable-named-jpg", "gif", "oversized", "empty"],
)
def test_bad_photo_uploads_are_refused_with_a_clear_message_and_nothing_saved(
    client, make_product, upload, message, settings
):
    product = make_product(status="draft")
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(reverse("catalog:photo_add", args=[product.pk]), {"photo": upload})
    assert response.status_code == 302
    assert message in _messages(response)
    assert not ProductPhoto.objects.exists()
    media = settings.MEDIA_ROOT / "products"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_ninth_photo_is_refused(client, make_product, image_upload):
    product = make_product(status="draft", photos=8)
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(
        reverse("catalog:photo_add", args=[product.pk]), {"photo": image_upload()}
    )
    assert "at most 8 photos" in _messages(response)
    assert product.photos.count() == 8


def test_photos_move_up_and_down_become_main_and_are_deleted(
    client, make_product, django_capture_on_commit_callbacks
):
    product = make_product(status="draft", photos=3)
    a, b, c = _photo_order(product)
    client.force_login(product.cooperative.memberships.get().user)

    def post(action, photo, **data):
        url = reverse(f"catalog:photo_{action}", args=[product.pk, photo])
        response = client.post(url, data)
        assert response.status_code == 302
        return response

    post("move", c, direction="up")
    assert _photo_order(product) == [a, c, b]
    post("move", a, direction="down")
    assert _photo_order(product) == [c, a, b]
    post("move", c, direction="up")  # already first: stays there
    assert _photo_order(product) == [c, a, b]
    post("main", b)
    assert _photo_order(product) == [b, c, a]
    assert list(product.photos.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    response = post("move", a, direction="sideways")
    assert "up or down" in _messages(response)
    assert _photo_order(product) == [b, c, a]

    doomed = ProductPhoto.objects.get(pk=b)
    files = [(f.storage, f.name) for f in (doomed.image, doomed.card, doomed.large)]
    with django_capture_on_commit_callbacks(execute=True):
        post("delete", b)
    assert _photo_order(product) == [c, a]
    assert list(product.photos.order_by("position").values_list("position", flat=True)) == [0, 1]
    assert not any(storage.exists(name) for storage, name in files)


# --- Publication and stock --------------------------------------------------------------


def test_a_member_publishes_a_draft_and_it_appears_in_the_catalog(client, make_product):
    product = make_product(status="draft", title="Lontar palm sugar jar")
    user = product.cooperative.memberships.get().user
    client.force_login(user)
    response = client.post(reverse("catalog:product_publish", args=[product.pk]))
    assert response.status_code == 302
    assert "active" in _messages(response)
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE and product.published_at is not None
    assert product.status_changes.get().actor == user
    client.logout()
    assert "Lontar palm sugar jar" in _titles(client.get(reverse("catalog:browse")))


@pytest.mark.parametrize(
    "status",
    [Cooperative.Status.PENDING, Cooperative.Status.SUSPENDED, Cooperative.Status.REJECTED],
)
def test_a_cooperative_that_is_not_verified_cannot_publish(client, make_product, seller, status):
    cooperative, user = seller(status=status)
    product = make_product(cooperative=cooperative, status="draft")
    client.force_login(user)
    response = client.post(reverse("catalog:product_publish", args=[product.pk]))
    assert response.status_code == 302
    assert "Only a verified cooperative can publish" in _messages(response)
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT and product.published_at is None


def test_unpublish_and_archive_take_a_listing_off_the_catalog(client, make_product):
    product = make_product(title="Clay water jar")
    client.force_login(product.cooperative.memberships.get().user)
    client.post(reverse("catalog:product_unpublish", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == Product.Status.UNPUBLISHED
    assert client.get(reverse("catalog:browse")).context["page"].items == []
    client.post(reverse("catalog:product_archive", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED
    response = client.post(reverse("catalog:product_publish", args=[product.pk]))
    assert "cannot be published" in _messages(response)
    product.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED


def test_a_member_sets_the_stock(client, make_product):
    product = make_product(stock=3)
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(reverse("catalog:product_stock", args=[product.pk]), {"set_to": "40"})
    assert response.status_code == 302
    assert "Stock updated" in _messages(response)
    product.refresh_from_db()
    assert product.stock == 40


@pytest.mark.parametrize("value", ["-1", "2.5", "99999999999", "many", ""])
def test_bad_stock_values_are_refused_with_a_message_and_the_stock_is_unchanged(
    client, make_product, value
):
    product = make_product(stock=3)
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(reverse("catalog:product_stock", args=[product.pk]), {"set_to": value})
    assert response.status_code == 302
    assert _messages(response)
    assert "Stock updated" not in _messages(response)
    product.refresh_from_db()
    assert product.stock == 3


# --- The listing policy on every path ----------------------------------------------------


@pytest.fixture
def foreign(seller):
    return seller("CN")


def test_a_foreign_cooperatives_sarong_is_blocked_with_the_rule_shown_and_cannot_be_published(
    client, foreign, categories, rules
):
    _cooperative, user = foreign
    client.force_login(user)
    data = _form(
        categories, title="Songket sarong", category=categories["sarongs"].pk, price="2500000"
    )
    response = client.post(reverse("catalog:product_create"), data)
    product = Product.objects.get()
    assert response.status_code == 302
    assert product.status == Product.Status.BLOCKED
    rule = rules["protected_category"]
    assert rule.title in _messages(response)

    page = client.get(reverse("catalog:product_edit", args=[product.pk]))
    html = page.content.decode()
    assert rule.title in html
    assert "protected for local producers" in html
    assert [d.rule for d in page.context["blocking"]] == [rule]

    response = client.post(reverse("catalog:product_publish", args=[product.pk]))
    assert "protected for local producers" in _messages(response)
    product.refresh_from_db()
    assert product.status == Product.Status.BLOCKED and product.published_at is None
    client.logout()
    assert client.get(reverse("catalog:product", args=[product.slug])).status_code == 404


def test_a_foreign_listing_below_the_minimum_price_is_blocked_with_the_threshold(
    client, foreign, categories, rules
):
    _cooperative, user = foreign
    client.force_login(user)
    client.post(reverse("catalog:product_create"), _form(categories, price="50000"))
    product = Product.objects.get()
    assert product.status == Product.Status.BLOCKED
    reasons = product.policy_decisions.values_list("reason", flat=True)
    assert any("100" in reason and "1,600,000" in reason for reason in reasons)


def _admin_form_data(response) -> dict:
    """The admin change form as the browser would post it back, unchanged."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def test_an_administrator_moving_a_foreign_product_into_textiles_blocks_it(
    client, foreign, make_product, categories
):
    cooperative, _user = foreign
    product = make_product(cooperative=cooperative, title="Cotton tote", photos=1)
    assert product.status == Product.Status.ACTIVE
    admin = AdminFactory()
    force_login_with_mfa(client, admin)
    url = f"/admin/catalog/product/{product.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "category" in form.fields
    assert not {"status", "cooperative"} & set(form.fields)  # read-only there
    data = _admin_form_data(page)
    data["category"] = categories["sarongs"].pk
    data["status"] = "active"  # read-only: ignored if posted
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    product.refresh_from_db()
    assert product.category == categories["sarongs"]
    assert product.status == Product.Status.BLOCKED
    decision = product.policy_decisions.filter(outcome=ListingDecision.Outcome.BLOCKED).get()
    assert decision.trigger == ListingDecision.Trigger.ADMIN
    assert decision.actor == admin
    assert "protected for local producers" in _messages(response)
    assert client.get(reverse("catalog:browse")).context["page"].items == []


def test_a_local_listing_moved_into_a_category_needing_a_certificate_is_blocked_and_hidden(
    client, make_product, categories, rules
):
    product = make_product(title="Kopi tubruk", photos=1)
    assert product.status == Product.Status.ACTIVE
    assert "Kopi tubruk" in _titles(client.get(reverse("catalog:browse")))
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        _edit_form(product, category=categories["coffee"].pk, certificate_number=""),
    )
    assert response.status_code == 302
    assert "Halal" in _messages(response)
    product.refresh_from_db()
    assert product.status == Product.Status.BLOCKED
    client.logout()
    assert _titles(client.get(reverse("catalog:browse"))) == []
    assert client.get(reverse("catalog:product", args=[product.slug])).status_code == 404

    # With the certificate number, the block is lifted and it can be published again.
    client.force_login(product.cooperative.memberships.get().user)
    client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        _edit_form(product, category=categories["coffee"].pk, certificate_number="ID-HALAL-1"),
    )
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    client.post(reverse("catalog:product_publish", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE


def test_a_foreign_seller_appeals_once_and_a_regulator_grants_it(
    client, foreign, categories, rules
):
    _cooperative, user = foreign
    client.force_login(user)
    client.post(
        reverse("catalog:product_create"),
        _form(categories, title="Ikat sarong", category=categories["sarongs"].pk, price="2500000"),
    )
    product = Product.objects.get()
    decision = product.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    appeal_url = reverse("policy:appeal_file", args=[product.pk])

    response = client.post(appeal_url, {"decision": decision.pk, "statement": "   "})
    assert "statement" in _messages(response)
    assert not Appeal.objects.exists()

    statement = "Our weavers are Indonesian; only our registration is abroad."
    response = client.post(appeal_url, {"decision": decision.pk, "statement": statement})
    assert response.status_code == 302
    assert "sent to the regulator" in _messages(response)
    appeal = Appeal.objects.get()
    assert (appeal.decision, appeal.filed_by, appeal.status) == (
        decision,
        user,
        Appeal.Status.PENDING,
    )
    response = client.post(appeal_url, {"decision": decision.pk, "statement": "Again"})
    assert "already been appealed" in _messages(response)
    assert Appeal.objects.count() == 1

    regulator = RegulatorFactory()
    client.force_login(regulator)
    queue = client.get(reverse("policy:appeals"))
    assert "Ikat sarong" in queue.content.decode()
    detail_url = reverse("policy:appeal_detail", args=[appeal.pk])
    page = client.get(detail_url)
    assert statement in page.content.decode()
    response = client.post(detail_url, {"decision": "grant", "response": ""})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.GRANTED and appeal.decided_by == regulator
    assert Exemption.objects.get(product=product).rule == rules["protected_category"]
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    response = client.post(detail_url, {"decision": "uphold", "response": "Changed my mind"})
    assert response.status_code == 200
    assert "already been decided" in " ".join(response.context["form"].non_field_errors())

    client.force_login(user)
    client.post(reverse("catalog:product_publish", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    client.logout()
    assert client.get(reverse("catalog:product", args=[product.slug])).status_code == 200


def test_a_regulator_upholding_an_appeal_must_say_why_and_the_block_stays(
    client, foreign, make_product
):
    cooperative, user = foreign
    product = make_product(cooperative=cooperative, category="sarongs", status="draft")
    decision = product.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    client.force_login(user)
    client.post(
        reverse("policy:appeal_file", args=[product.pk]),
        {"decision": decision.pk, "statement": "Please"},
    )
    appeal = Appeal.objects.get()
    client.force_login(RegulatorFactory())
    url = reverse("policy:appeal_detail", args=[appeal.pk])
    response = client.post(url, {"decision": "uphold", "response": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING
    assert client.post(url, {"decision": "uphold", "response": "Protected."}).status_code == 302
    appeal.refresh_from_db()
    product.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert product.status == Product.Status.BLOCKED
    assert not Exemption.objects.exists()


def test_an_allowed_decision_cannot_be_appealed(client, make_product):
    product = make_product()
    decision = product.policy_decisions.first()
    assert decision.outcome == ListingDecision.Outcome.ALLOWED
    client.force_login(product.cooperative.memberships.get().user)
    response = client.post(
        reverse("policy:appeal_file", args=[product.pk]),
        {"decision": decision.pk, "statement": "Why not"},
    )
    assert "Only a block can be appealed" in _messages(response)
    assert not Appeal.objects.exists()


def test_a_decision_of_another_product_is_not_found_on_my_products_appeal(
    client, foreign, make_product
):
    cooperative, user = foreign
    mine = make_product(cooperative=cooperative, category="sarongs", status="draft")
    theirs = make_product(
        cooperative=CooperativeFactory(country="MY", province=None, region="Sabah"),
        category="sarongs",
        status="draft",
    )
    decision = theirs.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    client.force_login(user)
    response = client.post(
        reverse("policy:appeal_file", args=[mine.pk]),
        {"decision": decision.pk, "statement": "Mine now"},
    )
    assert response.status_code == 404
    assert not Appeal.objects.exists()


# --- Browsing ---------------------------------------------------------------------------


@pytest.fixture
def shelf(make_product, seller, categories):
    """Visible: a basket, a local sarong, a kettle (kitchenware, under household goods).
    Not visible: a draft, a listing of a suspended cooperative, a blocked one."""
    here = ProvinceFactory(name="Nusa Tenggara Timur")
    local, local_user = seller(province=here)
    other, _ = seller()
    foreign, _ = seller("CN")
    products = {
        "basket": make_product(cooperative=local, title="Lontar basket", price=Decimal("50000")),
        "sarong": make_product(
            cooperative=local, category="sarongs", title="Ikat sarong", price=Decimal("850000")
        ),
        "kettle": make_product(
            cooperative=other,
            category="kitchenware",
            title="Copper kettle",
            price=Decimal("300000"),
            stock=0,
        ),
        "draft": make_product(cooperative=local, status="draft", title="Unfinished mat"),
        "suspended": make_product(title="Suspended cooperative's spoon"),
        "blocked": make_product(cooperative=foreign, category="sarongs", title="Imported sarong"),
    }
    cooperative_suspend(
        cooperative=products["suspended"].cooperative, actor=RegulatorFactory(), reason="Audit"
    )
    assert products["blocked"].status == Product.Status.BLOCKED
    return {
        "products": products,
        "local": local,
        "local_user": local_user,
        "other": other,
        "province": here,
    }


VISIBLE = {"Lontar basket", "Ikat sarong", "Copper kettle"}


def test_only_active_listings_of_verified_cooperatives_are_listed(client, shelf):
    for url in (reverse("catalog:browse"), reverse("catalog:search")):
        response = client.get(url)
        assert response.status_code == 200
        assert set(_titles(response)) == VISIBLE
        html = response.content.decode()
        for hidden in ("Unfinished mat", "Suspended cooperative", "Imported sarong"):
            assert hidden not in html


def test_a_category_page_lists_its_descendants_listings(client, shelf):
    household = client.get(reverse("catalog:category", args=["household-goods"]))
    assert household.status_code == 200
    # The kettle is listed under kitchenware, a subcategory of household goods.
    assert set(_titles(household)) == {"Lontar basket", "Copper kettle"}
    kitchenware = client.get(reverse("catalog:category", args=["kitchenware"]))
    assert _titles(kitchenware) == ["Copper kettle"]
    textiles = client.get(reverse("catalog:category", args=["textiles-fashion"]))
    assert _titles(textiles) == ["Ikat sarong"]
    assert "Woven sarongs" in textiles.content.decode()
    assert _titles(client.get(reverse("catalog:category", args=["woven-sarongs"]))) == [
        "Ikat sarong"
    ]
    assert client.get(reverse("catalog:category", args=["no-such-thing"])).status_code == 404


def test_a_product_page_is_public_while_visible_and_previewed_only_by_its_members(client, shelf):
    products = shelf["products"]
    basket = client.get(reverse("catalog:product", args=[products["basket"].slug]))
    assert basket.status_code == 200
    assert "Lontar basket" in basket.content.decode()
    draft_url = reverse("catalog:product", args=[products["draft"].slug])
    assert client.get(draft_url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(draft_url).status_code == 404
    client.force_login(MembershipFactory(cooperative=shelf["other"]).user)
    assert client.get(draft_url).status_code == 404
    client.force_login(shelf["local_user"])
    assert client.get(draft_url).status_code == 200
    assert client.get(reverse("catalog:product", args=["no-such-slug"])).status_code == 404
    client.logout()
    suspended = reverse("catalog:product", args=[products["suspended"].slug])
    assert client.get(suspended).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_price": "100000"}, ["Copper kettle", "Ikat sarong"]),
        ({"max_price": "300000"}, ["Lontar basket", "Copper kettle"]),
        ({"min_price": "60000", "max_price": "400000"}, ["Copper kettle"]),
        ({"in_stock": "on"}, ["Lontar basket", "Ikat sarong"]),
        ({"category": "household-goods"}, ["Lontar basket", "Copper kettle"]),
        ({"category": "kitchenware", "q": ""}, ["Copper kettle"]),
    ],
    ids=["min-price", "max-price", "price-range", "in-stock", "category", "subcategory"],
)
def test_search_filters(client, shelf, params, expected):
    response = client.get(reverse("catalog:search"), {**params, "sort": "price_asc"})
    assert response.status_code == 200
    assert _titles(response) == sorted(
        expected, key=lambda t: {"Lontar basket": 1, "Copper kettle": 2, "Ikat sarong": 3}[t]
    )


def test_search_filters_by_province_of_origin_and_by_cooperative(client, shelf):
    by_province = client.get(reverse("catalog:search"), {"province": shelf["province"].pk})
    assert set(_titles(by_province)) == {"Lontar basket", "Ikat sarong"}
    by_cooperative = client.get(reverse("catalog:search"), {"cooperative": shelf["other"].pk})
    assert _titles(by_cooperative) == ["Copper kettle"]


def test_search_sorts_by_price_and_by_newest(client, shelf):
    def order(sort):
        return _titles(client.get(reverse("catalog:search"), {"sort": sort}))

    assert order("price_asc") == ["Lontar basket", "Copper kettle", "Ikat sarong"]
    assert order("price_desc") == ["Ikat sarong", "Copper kettle", "Lontar basket"]
    assert order("newest") == ["Copper kettle", "Ikat sarong", "Lontar basket"]


@pytest.mark.postgres
def test_full_text_search_finds_a_word_of_the_title(client, shelf):
    response = client.get(reverse("catalog:search"), {"q": "kettle"})
    assert _titles(response) == ["Copper kettle"]
    assert "Copper kettle" in response.content.decode()
    assert _titles(client.get(reverse("catalog:search"), {"q": "sarong"})) == ["Ikat sarong"]
    assert _titles(client.get(reverse("catalog:search"), {"q": "nothing-like-this"})) == []


@pytest.mark.postgres
def test_full_text_search_finds_an_edited_title(client, make_product):
    product = make_product(title="Plain mat")
    client.force_login(product.cooperative.memberships.get().user)
    client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        _edit_form(product, title="Pandan leaf mat"),
    )
    client.logout()
    assert _titles(client.get(reverse("catalog:search"), {"q": "pandan"})) == ["Pandan leaf mat"]


def test_the_second_page_shows_the_rest(client, make_product):
    cooperative = CooperativeFactory()
    for n in range(25):
        make_product(cooperative=cooperative, title=f"Mat {n:02d}")
    first = client.get(reverse("catalog:browse"))
    assert len(first.context["page"].items) == 24 and first.context["page"].has_next
    second = client.get(reverse("catalog:browse"), {"page": "2"})
    assert second.status_code == 200
    assert _titles(second) == ["Mat 00"]  # newest first: the first one made is last
    assert not second.context["page"].has_next


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "abc"},
        {"max_price": "1e9999"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": "two"},
        {"sort": "evil"},
        {"sort": "price; DROP TABLE catalog_product"},
        {"province": "999999"},
        {"province": "x"},
        {"cooperative": "-3"},
        {"q": "x" * 500},
        {"q": "'\"&|!():*<-> \x00"},
        {"in_stock": "maybe"},
    ],
)
def test_bad_filter_values_do_not_break_the_listing(client, shelf, params):
    for url in (
        reverse("catalog:browse"),
        reverse("catalog:search"),
        reverse("catalog:category", args=["textiles-fashion"]),
    ):
        response = client.get(url, params)
        assert response.status_code == 200, url


def test_the_home_page_shows_the_category_tree_and_the_newest_visible_listings(client, shelf):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Textiles &amp; fashion" in html and "Woven sarongs" in html
    assert [p.title for p in response.context["featured"]] == [
        "Copper kettle",
        "Ikat sarong",
        "Lontar basket",
    ]
    for hidden in ("Unfinished mat", "Suspended cooperative", "Imported sarong"):
        assert hidden not in html


def test_a_person_in_two_cooperatives_opening_a_product_works_in_its_cooperative(
    client, make_product
):
    user = UserFactory()
    alpha = MembershipFactory(
        user=user, cooperative=CooperativeFactory(legal_name="Alpha")
    ).cooperative
    beta = MembershipFactory(
        user=user, cooperative=CooperativeFactory(legal_name="Beta")
    ).cooperative
    alpha_product = make_product(cooperative=alpha, status="draft")
    beta_product = make_product(cooperative=beta, status="draft")
    stranger_product = make_product(cooperative=CooperativeFactory(), status="draft")
    client.force_login(user)
    assert client.get(reverse("catalog:product_edit", args=[alpha_product.pk])).status_code == 200
    response = client.get(reverse("catalog:workspace_products"))
    assert [p.pk for p in response.context["page"].items] == [alpha_product.pk]

    # A link to a product of the other cooperative switches the workspace to it.
    assert client.get(reverse("catalog:product_edit", args=[beta_product.pk])).status_code == 200
    response = client.get(reverse("catalog:workspace_products"))
    assert [p.pk for p in response.context["page"].items] == [beta_product.pk]
    # A cooperative the person does not belong to stays out of reach.
    url = reverse("catalog:product_edit", args=[stranger_product.pk])
    assert client.get(url).status_code == 404


def test_text_typed_by_sellers_is_shown_escaped(client, make_product, foreign):
    script = "<script>alert(1)</script>"
    product = make_product(title=f"Mat {script}", description=script, story=f"Made\n{script}")
    response = client.get(reverse("catalog:product", args=[product.slug]))
    html = response.content.decode()
    assert script not in html
    assert "&lt;script&gt;" in html
    assert script not in client.get(reverse("catalog:browse")).content.decode()

    cooperative, user = foreign
    blocked = make_product(cooperative=cooperative, category="sarongs", title=script)
    decision = blocked.policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    client.force_login(user)
    client.post(
        reverse("policy:appeal_file", args=[blocked.pk]),
        {"decision": decision.pk, "statement": script},
    )
    client.force_login(RegulatorFactory())
    appeal = Appeal.objects.get()
    assert (
        script not in client.get(reverse("policy:appeal_detail", args=[appeal.pk])).content.decode()
    )
    assert script not in client.get(reverse("policy:appeals")).content.decode()


def test_the_workspace_lists_the_cooperatives_products_by_status(client, make_product, foreign):
    cooperative, user = foreign
    active = make_product(cooperative=cooperative)
    blocked = make_product(cooperative=cooperative, category="sarongs")
    make_product()  # another cooperative's
    client.force_login(user)
    url = reverse("catalog:workspace_products")
    everything = client.get(url)
    assert {p.pk for p in everything.context["page"].items} == {active.pk, blocked.pk}
    only_blocked = client.get(url, {"status": "blocked"})
    assert [p.pk for p in only_blocked.context["page"].items] == [blocked.pk]
    for params in ({"status": "evil"}, {"page": "abc"}, {"page": "-5"}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert {p.pk for p in response.context["page"].items} == {active.pk, blocked.pk}
