"""Real headless Chromium (Debian's package) driven by Playwright, plus axe-core."""

import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page: no serious or critical violation allowed."""

    def check(page):
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not bad, f"{page.url}: " + "; ".join(bad)

    return check


def totp_now(secret: str) -> str:
    """The current code of an authenticator holding ``secret``, with time to use it.

    The server accepts only the current period's code, so a code read in the last
    seconds of its period would expire before the browser posts it: wait for the next.
    """
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 8:
        time.sleep(left + 0.5)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def log_in(page):
    """Log in through the real login page (and the two-factor step when enrolled)."""

    def do(email: str, password: str, *, totp_secret: str | None = None, context_page=None):
        target = context_page or page
        target.goto("/accounts/login/")
        target.get_by_label("Email").fill(email)
        target.get_by_label("Password").fill(password)
        target.get_by_role("button", name="Sign In").click()
        if totp_secret:
            target.locator("input[name='code']").fill(totp_now(totp_secret))
            target.get_by_role("button", name="Sign In").click()
        target.get_by_role("button", name="Log out").wait_for()

    return do


@pytest.fixture
def browser_context_for(browser, live_server):
    """Open a second, separate browser session (another person) at a given width."""
    contexts = []

    def make(width=1280, height=900):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": height}
        )
        contexts.append(context)
        new_page = context.new_page()
        new_page.set_default_timeout(15000)
        return new_page

    yield make
    for context in contexts:
        context.close()
