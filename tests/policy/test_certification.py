"""OCOP-style certification (issue 10): a regulator scores a product, the stars show on
cards, product pages and storefronts only while the certificate is in force, buyers
filter by stars, anyone checks a number, and managers are reminded before expiry."""

import io
from datetime import date, timedelta

import pytest
import zxingcpp
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.services.categories import category_ensure
from marketplace.models import AuditEvent, OutgoingEmail
from policy.errors import CertificationRefused, NotAllowed
from policy.models import Certificate
from policy.models.certification import stars_for
from policy.services.certification import (
    certificate_award,
    certificate_default_expiry,
    certificate_reminders_send,
    certificate_revoke,
)
from tests.factories import RegulatorFactory, force_login_with_mfa, listing, seller

pytestmark = pytest.mark.django_db

SCORES = {"score_community": 30, "score_marketing": 20, "score_quality": 25}  # 75: 4 stars


@pytest.fixture
def coffee():
    cooperative, manager = seller("ID", legal_name="Koperasi Kopi Gayo")
    category = category_ensure(slug="coffee", name="Coffee")
    product = listing(
        cooperative, manager, category, title="Gayo arabica", price="85000", stock=20, publish=True
    )
    return product, manager


@pytest.fixture
def regulator():
    return RegulatorFactory()


def award(product, regulator, number="OCOP-2026-0001", **overrides):
    fields = {
        "number": number,
        "level": Certificate.Level.PROVINCE,
        "issued_on": timezone.localdate(),
        **SCORES,
        **overrides,
    }
    return certificate_award(product=product, actor=regulator, **fields)


@pytest.mark.parametrize(
    ("total", "stars"), [(49, 0), (50, 3), (69, 3), (70, 4), (89, 4), (90, 5), (100, 5)]
)
def test_the_total_score_sets_the_stars(total, stars):
    assert stars_for(total) == stars


def test_a_regulator_certifies_a_product_and_its_managers_are_told(coffee, regulator):
    product, manager = coffee
    certificate = award(product, regulator)
    assert (certificate.score, certificate.stars) == (75, 4)
    assert certificate.expires_on == certificate_default_expiry(certificate.issued_on)
    assert (certificate.expires_on - certificate.issued_on).days in range(1095, 1097)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CERTIFICATE_AWARDED, detail__number="OCOP-2026-0001"
    ).exists()
    (email,) = OutgoingEmail.objects.filter(to__contains=[manager.email])
    assert "4 stars" in email.subject
    assert "/certificates/check/?number=OCOP-2026-0001" in email.body


def test_default_expiry_is_36_months_even_from_a_leap_day():
    assert certificate_default_expiry(date(2024, 2, 29)) == date(2027, 2, 28)
    assert certificate_default_expiry(date(2026, 12, 4)) == date(2029, 12, 4)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score_community": 41}, "maximum"),
        ({"score_marketing": 26}, "maximum"),
        ({"score_quality": -1}, "maximum"),
        ({"score_community": 10, "score_marketing": 10, "score_quality": 10}, "below 50"),
        ({"expires_on": date(2020, 1, 1)}, "after the issue date"),
        ({"number": " \u200b "}, "number"),
    ],
)
def test_bad_scores_dates_and_numbers_are_refused_and_change_nothing(
    coffee, regulator, overrides, message
):
    product, _manager = coffee
    with pytest.raises(CertificationRefused, match=message):
        award(product, regulator, **overrides)
    assert not Certificate.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_second_certificate_with_the_same_number_is_refused(coffee, regulator):
    product, manager = coffee
    award(product, regulator, number="OCOP-7")
    other = listing(
        product.cooperative, manager, product.category, title="Robusta", stock=3, publish=True
    )
    with pytest.raises(CertificationRefused, match="already has this number"):
        award(other, regulator, number="ocop-7")
    assert Certificate.objects.count() == 1


def test_only_a_regulator_certifies(coffee):
    product, manager = coffee
    with pytest.raises(NotAllowed):
        award(product, manager)


def test_the_database_keeps_one_certificate_in_force_per_product(coffee, regulator):
    product, _manager = coffee
    first = award(product, regulator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            product=product,
            number="X-2",
            level="national",
            issuer=regulator,
            issued_on=first.issued_on,
            expires_on=first.expires_on,
            score_community=40,
            score_marketing=25,
            score_quality=35,
            score=100,
            stars=5,
        )


def test_a_re_rating_replaces_the_certificate_and_keeps_the_history(coffee, regulator):
    product, _manager = coffee
    first = award(product, regulator, number="OCOP-1")
    second = award(
        product,
        regulator,
        number="OCOP-2",
        score_community=40,
        score_marketing=25,
        score_quality=30,
    )
    first.refresh_from_db()
    assert first.status == Certificate.Status.REPLACED
    assert second.replaces == first and second.stars == 5
    assert list(product.certificates.order_by("pk").values_list("number", "status")) == [
        ("OCOP-1", "replaced"),
        ("OCOP-2", "active"),
    ]


def _card_stars(client, url):
    return client.get(url).content.decode().count("-star certified")


def test_stars_show_on_cards_product_page_and_storefront_while_valid(coffee, regulator):
    product, _manager = coffee
    visitor = Client()
    pages = [
        reverse("catalog:browse"),
        reverse("catalog:product", args=[product.slug]),
        reverse("sellers:storefront", args=[product.cooperative.slug]),
    ]
    assert [_card_stars(visitor, url) for url in pages] == [0, 0, 0]  # and now cached
    certificate = award(product, regulator)
    assert all(_card_stars(visitor, url) >= 1 for url in pages)
    assert "★★★★☆" in visitor.get(pages[1]).content.decode()

    certificate_revoke(
        certificate=certificate, actor=regulator, reason=Certificate.RevocationReason.FOOD_SAFETY
    )
    assert [_card_stars(visitor, url) for url in pages] == [0, 0, 0]


def test_an_expired_certificate_loses_its_stars_without_any_job(coffee, regulator):
    product, _manager = coffee
    yesterday = timezone.localdate() - timedelta(days=1)
    award(product, regulator, issued_on=yesterday - timedelta(days=400), expires_on=yesterday)
    visitor = Client()
    assert _card_stars(visitor, reverse("catalog:product", args=[product.slug])) == 0
    assert _card_stars(visitor, reverse("catalog:browse")) == 0


def test_buyers_filter_by_minimum_stars(coffee, regulator):
    product, manager = coffee
    plain = listing(
        product.cooperative, manager, product.category, title="Plain beans", stock=5, publish=True
    )
    award(product, regulator)  # 4 stars
    visitor = Client()

    def titles(stars):
        page = visitor.get(reverse("catalog:browse"), {"min_stars": stars}).content.decode()
        return {title for title in (product.title, plain.title) if title in page}

    assert titles("") == {product.title, plain.title}
    assert titles("3") == {product.title}
    assert titles("4") == {product.title}
    assert titles("5") == set()
    assert titles("junk") == {product.title, plain.title}  # a bad value drops that filter


def test_revocation_needs_a_listed_reason_and_a_certificate_in_force(coffee, regulator):
    product, manager = coffee
    certificate = award(product, regulator)
    with pytest.raises(CertificationRefused):
        certificate_revoke(certificate=certificate, actor=regulator, reason="because")
    certificate_revoke(
        certificate=certificate,
        actor=regulator,
        reason=Certificate.RevocationReason.QUALITY_BELOW,
        note="Moisture above 13 %.",
    )
    with pytest.raises(CertificationRefused, match="in force"):
        certificate_revoke(
            certificate=certificate,
            actor=regulator,
            reason=Certificate.RevocationReason.FOOD_SAFETY,
        )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_REVOKED).count() == 1
    revoked = OutgoingEmail.objects.filter(subject__contains="revoked").get()
    assert manager.email in revoked.to and "Moisture above 13 %." in revoked.body


@pytest.mark.parametrize(
    ("days_left", "reminders"), [(120, set()), (90, {90}), (45, {90}), (30, {30}), (5, {30})]
)
def test_expiry_reminders_go_once_each(coffee, regulator, days_left, reminders):
    product, manager = coffee
    today = timezone.localdate()
    certificate = award(
        product,
        regulator,
        issued_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=days_left),
    )
    OutgoingEmail.objects.all().delete()
    assert certificate_reminders_send(today=today) == len(reminders)
    assert certificate_reminders_send(today=today) == 0  # the job ran twice: nothing more
    assert set(certificate.reminders.values_list("days_before", flat=True)) == reminders
    sent = OutgoingEmail.objects.filter(subject__contains="expires in")
    assert sent.count() == len(reminders)
    assert all(email.to == [manager.email] for email in sent)


def test_a_certificate_reminded_at_90_days_is_reminded_again_at_30(coffee, regulator):
    product, _manager = coffee
    today = timezone.localdate()
    award(
        product,
        regulator,
        issued_on=today - timedelta(days=900),
        expires_on=today + timedelta(days=80),
    )
    assert certificate_reminders_send(today=today) == 1
    assert certificate_reminders_send(today=today + timedelta(days=50)) == 1
    assert certificate_reminders_send(today=today + timedelta(days=60)) == 0


@pytest.mark.parametrize("state", ["valid", "expired", "revoked", "unknown"])
def test_anyone_checks_a_certificate_number_without_signing_in(coffee, regulator, state):
    product, _manager = coffee
    today = timezone.localdate()
    if state == "expired":
        award(
            product,
            regulator,
            issued_on=today - timedelta(days=50),
            expires_on=today - timedelta(days=1),
        )
    elif state != "unknown":
        certificate = award(product, regulator)
        if state == "revoked":
            certificate_revoke(
                certificate=certificate,
                actor=regulator,
                reason=Certificate.RevocationReason.FALSE_DECLARATION,
            )
    response = Client().get(reverse("certificates:check"), {"number": " ocop-2026-0001\u200b "})
    assert response.status_code == 200
    headings = {
        "valid": "Valid",
        "expired": "Expired",
        "revoked": "Revoked",
        "unknown": "Unknown number",
    }
    assert f"certificate-check--{state}" in response.content.decode()
    assert headings[state] in response.content.decode()


def test_the_qr_code_decodes_to_the_check_page_of_its_number(coffee, regulator, settings):
    settings.SITE_URL = "https://lokapasar.example"
    product, _manager = coffee
    certificate = award(product, regulator, number="OCOP-QR-9")
    response = Client().get(reverse("certificates:qr", args=[certificate.pk]))
    assert response["Content-Type"] == "image/png"
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)).convert("L"))
    assert decoded.text == "https://lokapasar.example/certificates/check/?number=OCOP-QR-9"
    printable = Client().get(reverse("certificates:print", args=[certificate.pk]))
    assert reverse("certificates:qr", args=[certificate.pk]) in printable.content.decode()
    assert "OCOP-QR-9" in printable.content.decode()


def test_the_regulator_certifies_and_revokes_through_the_pages(coffee, regulator):
    product, _manager = coffee
    client = Client()
    force_login_with_mfa(client, regulator)
    found = client.get(reverse("policy:certificates"), {"q": "arabica"})
    assert reverse("policy:certificate_award", args=[product.pk]) in found.content.decode()
    form = {
        "number": "OCOP-WEB-1",
        "level": "national",
        "issued_on": timezone.localdate().isoformat(),
        **SCORES,
    }
    refused = client.post(
        reverse("policy:certificate_award", args=[product.pk]), {**form, "score_quality": "99"}
    )
    assert refused.status_code == 200 and not Certificate.objects.exists()
    response = client.post(reverse("policy:certificate_award", args=[product.pk]), form)
    certificate = Certificate.objects.get()
    assert response.url == reverse("policy:certificate_detail", args=[certificate.pk])
    assert certificate.level == "national" and certificate.issuer == regulator
    client.post(
        reverse("policy:certificate_detail", args=[certificate.pk]),
        {"reason": "production_stopped", "note": ""},
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_reason == "production_stopped"
