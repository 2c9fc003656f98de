"""A newcomer signs up, follows the emailed link, logs in and switches to French."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-private-passphrase"


def test_sign_up_verify_log_in_and_switch_to_french(page, artifacts, assert_accessible):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").first.click()
    assert_accessible(page)
    page.get_by_label("Email").fill("newcomer@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Password \\(again\\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_accessible(page)

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("newcomer@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_text("My pages").click()
    page.get_by_role("link", name="My account").wait_for()

    page.select_option("#language-select", "fr")
    page.click("#language-submit")
    page.get_by_text("Mes pages").click()
    page.get_by_role("link", name="Mon compte").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "account-journey-fr.png"), full_page=True)
