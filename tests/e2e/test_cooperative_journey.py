"""A new user onboards a cooperative, a regulator verifies it, its storefront appears."""

import re

import pytest

from marketplace.services import provinces_seed
from sellers.models import Cooperative
from tests.factories import PASSWORD, TOTP_SECRET, RegulatorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("device", list(WIDTHS))
def test_onboard_verify_and_find_the_storefront(
    device, browser_context_for, log_in, artifacts, assert_accessible
):
    provinces_seed(country="ID")
    UserFactory(email=f"founder-{device}@example.test")
    RegulatorFactory(email=f"inspector-{device}@example.test")
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"cooperative-{device}-{name}.png"), full_page=True
    )

    founder = browser_context_for(width=WIDTHS[device])
    log_in(f"founder-{device}@example.test", PASSWORD, context_page=founder)
    founder.goto("/sellers/new/")
    assert_accessible(founder)
    founder.get_by_label("Legal name").fill("Koperasi Kakao Lestari")
    founder.get_by_label("Registration number").fill(f"KOP-ST-2020-{len(device):04d}")
    founder.get_by_label("Country").select_option("ID")
    founder.get_by_label("Province").select_option(label="Sulawesi Tengah")
    founder.get_by_label("Commune or village").fill("Desa Sausu")
    founder.get_by_label("Member producers").fill("86")
    founder.get_by_label("Story").fill("Cocoa farmers of Sausu ferment and sun-dry their beans.")
    founder.get_by_label("Contact email").fill("kakao@example.test")
    founder.get_by_label("Tax identifier").fill("01.234.567.8-901.000")
    founder.get_by_label("Business licence").set_input_files(
        files=[{"name": "licence.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n..."}]
    )
    shot(founder, "1-onboarding-form")
    founder.get_by_role("button", name="Register the cooperative").click()
    founder.wait_for_url("**/sellers/workspace/")
    assert founder.get_by_text("Pending verification").first.is_visible()
    assert_accessible(founder)
    shot(founder, "2-workspace-pending")

    regulator = browser_context_for(width=WIDTHS[device])
    log_in(
        f"inspector-{device}@example.test",
        PASSWORD,
        totp_secret=TOTP_SECRET,
        context_page=regulator,
    )
    regulator.goto("/sellers/verification/")
    assert_accessible(regulator)
    shot(regulator, "3-verification-queue")
    regulator.get_by_role("link", name="Koperasi Kakao Lestari").click()
    assert_accessible(regulator)
    regulator.get_by_role("button", name="Verify").click()
    regulator.get_by_text(re.compile("is now verified", re.I)).first.wait_for()
    shot(regulator, "4-verified")
    assert Cooperative.objects.get(legal_name="Koperasi Kakao Lestari").status == "verified"

    visitor = browser_context_for(width=WIDTHS[device])
    visitor.goto("/sellers/")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Koperasi Kakao Lestari").first.click()
    visitor.get_by_role("heading", name="Koperasi Kakao Lestari").wait_for()
    assert visitor.get_by_text("Cocoa farmers of Sausu").is_visible()
    assert_accessible(visitor)
    shot(visitor, "5-storefront")
