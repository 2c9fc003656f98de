"""The data API in the browser: a regulator issues a token from the menu (the secret on
the answer page only, axe finds nothing serious), the API answers with it, the reference
page draws the OpenAPI document with Swagger UI from this site alone (no request leaves
it, no script refused by the page's policy), and the regulator revokes the token."""

import re

import pytest

from tests.factories import PASSWORD, TOTP_SECRET, RegulatorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_regulator_issues_a_token_the_api_takes_it_and_the_revoke_ends_it(
    page, live_server, log_in, assert_accessible
):
    RegulatorFactory(email="inspector@example.test")
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET)
    page.goto("/regulator/")
    page.get_by_role("link", name="Data API").first.click()
    page.get_by_role("heading", name="Data API tokens").wait_for()
    assert_accessible(page)
    page.get_by_label("System").fill("Statistics office")
    page.get_by_role("button", name="Issue the token").click()
    secret = page.locator("#api-secret").inner_text().strip()
    assert re.fullmatch(r"lkp_[\w-]{43}", secret)
    assert_accessible(page)

    answer = page.request.get("/api/v1/recalls", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["count"] == 0

    page.goto("/regulator/api-tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke the token of Statistics office").click()
    page.get_by_text("is revoked").wait_for()
    refused = page.request.get("/api/v1/recalls", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401


def test_the_reference_page_draws_from_this_site_alone(page, live_server):
    outside, refused = [], []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto("/api/v1/docs")
    page.get_by_text("Lokapasar data API").first.wait_for()
    page.get_by_text("/api/v1/figures/headline").first.wait_for()
    assert outside == []
    assert refused == []
