"""The header on a phone: a person holding every role still gets a two-row navigation,
their pages grouped by role behind "My pages", and each page's own sub-navigation."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.factories import PASSWORD, TOTP_SECRET, AdminFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _rows(page) -> int:
    """How many rows the main navigation's entries take."""
    tops = page.eval_on_selector_all(
        ".site-nav__list > li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    return len(set(tops))


def test_a_person_with_every_role_has_a_two_row_navigation_on_a_phone(
    browser_context_for, log_in, assert_accessible
):
    person = AdminFactory(email="everyone@example.test")
    person.groups.add(Group.objects.get_or_create(name=settings.REGULATOR_GROUP)[0])
    MembershipFactory(user=person, role="manager")
    page = browser_context_for(width=375, height=800)
    log_in("everyone@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=page)

    page.goto("/regulator/rules/")
    assert _rows(page) <= 2
    menu = page.get_by_text("My pages")
    menu.click()
    panel = page.locator(".site-nav__panel")
    groups = panel.locator(".site-nav__group").all_inner_texts()
    assert [g.strip().lower() for g in groups] == ["buying", "selling", "oversight"]
    for name in ("My orders", "My account", "Seller workspace", "Regulator", "Administration"):
        assert panel.get_by_role("link", name=name).is_visible()
    assert_accessible(page)

    # The regulator's own pages are one step away, in the regulator's sub-navigation.
    regulator_nav = page.get_by_role("navigation", name="Regulator")
    for name in ("Overview", "Verification", "Rules", "Appeals", "Audit trail"):
        assert regulator_nav.get_by_role("link", name=name).is_visible()
    panel.get_by_role("link", name="Seller workspace").click()
    page.wait_for_url("**/sellers/workspace/")
    assert _rows(page) <= 2
    assert_accessible(page)
