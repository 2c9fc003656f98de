"""Onboarding, the workspace and the verification queue through their pages,
with the bad input a real user (or attacker) sends."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from marketplace import images
from sellers.models import Cooperative, Invitation, Membership
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _png(width=64, height=64, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def _form(**overrides):
    data = {
        "legal_name": "Koperasi Kakao Lestari",
        "registration_number": "KOP-SULTENG-77",
        "country": "ID",
        "province": ProvinceFactory().pk,
        "region": "",
        "commune": "Desa Kakao",
        "year_founded": "2012",
        "member_count": "80",
        "story": "Cocoa from the hills.",
        "contact_phone": "+62 811",
        "contact_email": "kakao@example.test",
        "tax_identifier": "",
        "payout_method": "mobile_money",
        "payout_account": "+62 811",
    }
    data.update(overrides)
    return data


def test_a_signed_in_user_onboards_a_cooperative_with_a_logo(client):
    user = UserFactory()
    client.force_login(user)
    data = _form(logo=SimpleUploadedFile("logo.png", _png(900, 600), "image/png"))
    response = client.post(reverse("sellers:onboard"), data)
    assert response.status_code == 302
    cooperative = Cooperative.objects.get(registration_number="KOP-SULTENG-77")
    assert cooperative.status == Cooperative.Status.PENDING
    assert Membership.objects.get(cooperative=cooperative, user=user).is_manager
    thumbnail = Image.open(cooperative.logo_thumbnail.open("rb"))
    assert thumbnail.format == "WEBP" and max(thumbnail.size) == 256
    assert client.get(reverse("sellers:workspace")).status_code == 200


def test_duplicate_registration_number_is_a_field_error_and_keeps_what_was_typed(client):
    CooperativeFactory(registration_number="KOP-SULTENG-77", country="ID")
    client.force_login(UserFactory())
    response = client.post(reverse("sellers:onboard"), _form())
    assert response.status_code == 200
    form = response.context["form"]
    assert "registration_number" in form.errors
    assert 'value="Koperasi Kakao Lestari"' in response.content.decode()
    assert Cooperative.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", "image/png"), "not an image"),
        (SimpleUploadedFile("logo.gif", b"GIF89a" + b"\x00" * 100, "image/gif"), "JPEG, PNG"),
        (
            SimpleUploadedFile("huge.png", b"\x89PNG" + b"\x00" * (9 * 1024 * 1024)),
            "too large",
        ),
    ],
    ids=["executable-named-png", "gif", "oversized"],
)
def test_bad_logos_are_refused_with_a_clear_error_and_nothing_saved(client, upload, message):
    client.force_login(UserFactory())
    response = client.post(reverse("sellers:onboard"), _form(logo=upload))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    assert not Cooperative.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, monkeypatch):
    # A small file whose header declares more pixels than allowed.
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    client.force_login(UserFactory())
    bomb = SimpleUploadedFile("bomb.png", _png(400, 400, mode="L"), "image/png")
    response = client.post(reverse("sellers:onboard"), _form(logo=bomb))
    assert response.status_code == 200
    assert "too many pixels" in " ".join(response.context["form"].errors["logo"])
    assert not Cooperative.objects.exists()


def test_a_real_decompression_bomb_header_is_refused():
    # 30000 x 30000 declared, a few hundred bytes on disk.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, format="PNG")
    with pytest.raises(images.ValidationError, match="too many pixels"):
        images.open_checked_image(SimpleUploadedFile("b.png", buffer.getvalue()))


def test_metadata_is_stripped_and_orientation_applied():
    source = Image.new("RGB", (200, 100), "red")
    exif = source.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    exif[0x010F] = "SecretCam"  # camera make
    buffer = io.BytesIO()
    source.save(buffer, format="JPEG", exif=exif.tobytes())
    image = images.open_checked_image(SimpleUploadedFile("p.jpg", buffer.getvalue()))
    original = images.image_renditions(image, sizes={})["original"]
    result = Image.open(io.BytesIO(original.content.read()))
    assert result.size == (100, 200)
    assert not result.getexif()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("member_count", "-5"),
        ("member_count", "99999999999"),
        ("member_count", "many"),
        ("year_founded", "3020"),
        ("country", "XX"),
        ("province", "999999"),
    ],
)
def test_wrong_numbers_and_ids_get_a_field_error(client, field, value):
    client.force_login(UserFactory())
    response = client.post(reverse("sellers:onboard"), _form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Cooperative.objects.exists()


def test_a_foreign_cooperative_gives_a_region_and_its_province_is_ignored(client):
    client.force_login(UserFactory())
    response = client.post(reverse("sellers:onboard"), _form(country="MY", region="", province=""))
    assert "region" in response.context["form"].errors
    response = client.post(
        reverse("sellers:onboard"), _form(country="MY", region="Sabah", province="")
    )
    assert response.status_code == 302
    assert Cooperative.objects.get().is_cross_border


def test_tampered_status_in_the_onboarding_post_is_ignored(client):
    client.force_login(UserFactory())
    client.post(reverse("sellers:onboard"), _form(status="verified"))
    assert Cooperative.objects.get().status == Cooperative.Status.PENDING


def test_verified_identity_fields_cannot_be_changed_by_a_tampered_post(client):
    cooperative = CooperativeFactory(legal_name="Original", story="s")
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    client.force_login(manager)
    data = _form(legal_name="Hijacked", province=cooperative.province_id, story="Better story")
    response = client.post(reverse("sellers:profile"), data)
    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.legal_name == "Original"
    assert cooperative.story == "Better story"


def test_a_member_of_a_cannot_act_on_cooperative_b_by_id(client):
    coop_a, coop_b = CooperativeFactory(), CooperativeFactory()
    manager_a = MembershipFactory(cooperative=coop_a, role=Membership.Role.MANAGER).user
    member_b = MembershipFactory(cooperative=coop_b)
    invitation_b = Invitation.objects.create(
        cooperative=coop_b, email="x@example.test", invited_by=manager_a
    )
    client.force_login(manager_a)
    assert client.post(reverse("sellers:switch"), {"cooperative": coop_b.pk}).status_code == 404
    assert (
        client.post(
            reverse("sellers:member_role", args=[member_b.pk]), {"role": "manager"}
        ).status_code
        == 404
    )
    assert client.post(reverse("sellers:member_remove", args=[member_b.pk])).status_code == 404
    assert (
        client.post(reverse("sellers:invitation_revoke", args=[invitation_b.pk])).status_code == 404
    )
    member_b.refresh_from_db()
    invitation_b.refresh_from_db()
    assert member_b.role == Membership.Role.MEMBER
    assert invitation_b.revoked_at is None


def test_a_person_in_two_cooperatives_switches_between_them(client):
    user = UserFactory()
    first = MembershipFactory(user=user, cooperative=CooperativeFactory(legal_name="Alpha"))
    second = MembershipFactory(user=user, cooperative=CooperativeFactory(legal_name="Beta"))
    client.force_login(user)
    assert client.get(reverse("sellers:workspace")).context["cooperative"] == first.cooperative
    client.post(reverse("sellers:switch"), {"cooperative": second.cooperative_id})
    assert client.get(reverse("sellers:workspace")).context["cooperative"] == second.cooperative


def test_invitation_link_for_a_new_account_asks_to_log_in_then_joins(client):
    cooperative = CooperativeFactory()
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    invitation = Invitation.objects.create(
        cooperative=cooperative, email="new@example.test", invited_by=manager
    )
    url = reverse("sellers:invitation", args=[invitation.token])
    response = client.get(url)
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(UserFactory(email="new@example.test"))
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(cooperative=cooperative, user__email="new@example.test")


def test_the_queue_lists_pending_cooperatives_and_the_regulator_decides(client):
    pending = CooperativeFactory(
        status=Cooperative.Status.PENDING, story="s", contact_email="c@example.test"
    )
    CooperativeFactory(status=Cooperative.Status.VERIFIED, legal_name="Already verified")
    client.force_login(RegulatorFactory())
    page = client.get(reverse("sellers:verification_queue")).content.decode()
    assert pending.legal_name in page and "Already verified" not in page

    url = reverse("sellers:verification_detail", args=[pending.pk])
    response = client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.post(url, {"action": "verify", "reason": ""}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Cooperative.Status.VERIFIED


def test_storefront_is_public_only_while_verified(client):
    cooperative = CooperativeFactory(status=Cooperative.Status.PENDING)
    url = reverse("sellers:storefront", args=[cooperative.slug])
    assert client.get(url).status_code == 404
    member = MembershipFactory(cooperative=cooperative).user
    client.force_login(member)
    assert client.get(url).status_code == 200  # members preview it
    client.logout()
    Cooperative.objects.filter(pk=cooperative.pk).update(status=Cooperative.Status.VERIFIED)
    assert client.get(url).status_code == 200
    directory = client.get(reverse("sellers:directory")).content.decode()
    assert cooperative.legal_name in directory


def test_directory_filters_by_province(client):
    here, there = ProvinceFactory(), ProvinceFactory()
    CooperativeFactory(province=here, legal_name="Here Coop")
    CooperativeFactory(province=there, legal_name="There Coop")
    page = client.get(reverse("sellers:directory"), {"province": here.pk}).content.decode()
    assert "Here Coop" in page and "There Coop" not in page


def test_licence_is_served_to_members_and_regulators_only(client, settings):
    cooperative = CooperativeFactory(country="CN", province=None, region="Guangdong")
    cooperative.business_licence.save(
        "licence.pdf", SimpleUploadedFile("l.pdf", b"%PDF-1.4 secret"), save=True
    )
    member = MembershipFactory(cooperative=cooperative).user
    client.force_login(member)
    response = client.get(reverse("sellers:licence"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    # Kept outside the public media folder: no URL reaches it but these views.
    assert not cooperative.business_licence.path.startswith(str(settings.MEDIA_ROOT))
    client.force_login(UserFactory())
    url = reverse("sellers:verification_licence", args=[cooperative.pk])
    assert client.get(url).status_code == 403
    client.force_login(RegulatorFactory())
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("country", "typed", "accepted"),
    [
        ("ID", "01.234.567.8-901.000", True),  # NPWP printed with its dots and dashes
        ("ID", "12345", False),
        ("VN", "0101234567-001", True),  # a branch's tax code
        ("VN", "01.234.567.8-901.000", False),
        ("MY", "C 2584563-02", True),  # no format known: the generic one
        ("MY", "n/a", False),
    ],
)
def test_the_tax_identifier_is_checked_against_its_country_format(client, country, typed, accepted):
    """No payout is ever released on a malformed number: the profile refuses one early,
    saying what the country's number looks like, and keeps what was typed."""
    client.force_login(UserFactory())
    abroad = country != "ID"  # a cross-border cooperative names its region
    response = client.post(
        reverse("sellers:onboard"),
        _form(
            country=country,
            province="" if abroad else ProvinceFactory().pk,
            region="Hanoi" if abroad else "",
            tax_identifier=typed,
            registration_number="0101234567" if country == "VN" else "KOP-77",
        ),
    )
    if accepted:
        assert response.status_code == 302
        assert Cooperative.objects.get().tax_identifier == typed.upper()
    else:
        assert response.status_code == 200
        assert "tax_identifier" in response.context["form"].errors
        assert "Give the" in str(response.context["form"].errors["tax_identifier"])
        assert not Cooperative.objects.exists()
