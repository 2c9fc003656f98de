"""A cooperative is verified on its papers: its licence document, its tax identifier and
a registration number in its country's format, whatever country it claims. A regulator
may verify without them only by saying so and why, and the trail keeps what was missing."""

import pytest
from django.urls import reverse

from marketplace.models import AuditEvent
from sellers import services
from sellers.models import Cooperative
from sellers.registration import registration_number_valid
from tests.factories import RegulatorFactory, UserFactory, cooperative_register

pytestmark = pytest.mark.django_db

Status = Cooperative.Status


def _bare(**fields):
    """A cooperative claiming the home country with no document at all."""
    return cooperative_register(
        UserFactory(), licence=False, tax_identifier="", registration_number=".", **fields
    )


def test_a_home_cooperative_with_no_papers_is_not_verified():
    cooperative = _bare()
    missing = [str(m) for m in services.cooperative_missing_requirements(cooperative)]
    assert missing == [
        "its business licence document",
        "its tax identifier",
        "a registration number in the format of its country (the 13-digit NIB, or the "
        "cooperative's legal-entity number)",
    ]
    with pytest.raises(services.CooperativeError, match="licence"):
        services.cooperative_verify(cooperative=cooperative, actor=RegulatorFactory())
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.PENDING


def test_the_verification_page_lists_what_is_missing_and_refuses_to_verify(client):
    cooperative = _bare()
    client.force_login(RegulatorFactory())
    url = reverse("sellers:verification_detail", args=[cooperative.pk])
    page = client.get(url).content.decode()
    for item in ("Its business licence document", "Its tax identifier", "registration number"):
        assert item in page
    assert "Verify without the missing items" in page

    response = client.post(url, {"action": "verify", "reason": "Looks fine"})
    assert response.status_code == 200
    assert "it still lacks its business licence document" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.PENDING


def test_an_override_needs_a_reason(client):
    cooperative = _bare()
    client.force_login(RegulatorFactory())
    url = reverse("sellers:verification_detail", args=[cooperative.pk])
    response = client.post(url, {"action": "verify", "override_missing": "on", "reason": " "})
    assert response.status_code == 200
    assert "give the reason" in " ".join(response.context["form"].non_field_errors())
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.PENDING


def test_an_override_with_a_reason_verifies_and_the_trail_keeps_what_was_missing(client):
    cooperative = _bare()
    regulator = RegulatorFactory()
    client.force_login(regulator)
    url = reverse("sellers:verification_detail", args=[cooperative.pk])
    response = client.post(
        url,
        {"action": "verify", "override_missing": "on", "reason": "Licence seen at the office."},
    )
    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.status == Status.VERIFIED
    change = cooperative.status_changes.get(to_status=Status.VERIFIED)
    assert change.actor == regulator
    assert change.reason.startswith("Licence seen at the office.")
    assert "Verified without its business licence document, its tax identifier" in change.reason
    event = AuditEvent.objects.filter(cooperative_id=cooperative.pk).latest("pk")
    assert event.detail["override"] is True
    assert event.detail["verified_without"][:2] == [
        "its business licence document",
        "its tax identifier",
    ]


def test_a_complete_cooperative_is_verified_without_an_override():
    cooperative = cooperative_register(UserFactory(), registration_number="9120301123456")
    assert services.cooperative_missing_requirements(cooperative) == []
    services.cooperative_verify(cooperative=cooperative, actor=RegulatorFactory())
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.VERIFIED
    event = AuditEvent.objects.filter(cooperative_id=cooperative.pk).latest("pk")
    assert "override" not in event.detail


@pytest.mark.parametrize(
    ("country", "number", "valid"),
    [
        ("ID", "9120301123456", True),
        ("ID", "AHU-0001234.AH.01.26.TAHUN 2019", True),
        ("ID", "518/BH/XV/2011", True),
        ("ID", ".", False),
        ("ID", "none", False),
        ("ID", "\u200b", False),
        ("VN", "0101234567", True),
        ("VN", "0101234567-001", True),
        ("VN", "KOP-1", False),
        ("CN", "91440101MA59UQ7788", True),
        ("CN", "91440101MA59UQ77", False),
        ("BI", "4000123456", True),
        ("BI", "-", False),
    ],
)
def test_registration_numbers_follow_their_countrys_format(country, number, valid):
    assert registration_number_valid(country=country, number=number) is valid


def test_onboarding_refuses_a_registration_number_in_the_wrong_format(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("sellers:onboard"),
        {
            "legal_name": "Koperasi Tanpa Nomor",
            "registration_number": "none",
            "country": "ID",
            "story": "We weave.",
            "contact_email": "c@example.test",
        },
    )
    assert response.status_code == 200
    assert "Give the 13-digit NIB" in " ".join(
        response.context["form"].errors["registration_number"]
    )
    assert not Cooperative.objects.filter(legal_name="Koperasi Tanpa Nomor").exists()
