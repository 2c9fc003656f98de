"""The production path: gunicorn with ``DEBUG=0`` behind Debian's nginx, configured by
``manage.py proxy_config``. Photos and logos load (nginx serves ``/media/``), static
files come from ``collectstatic``'s output, private documents stay unreachable, and
the emails a visitor causes leave.

The site runs in processes of its own, on a database of its own (the embedded SQLite,
in a temporary folder), on free loopback ports; the fixture starts and stops them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import totp_now
from tests.factories import PASSWORD, TOTP_SECRET

# django_db: the suite clears the cache around each test, which on SQLite is a table.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The test's own self-signed certificate.
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(args, env, **kwargs) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )
    assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
    return done.stdout


def _wait_for(url: str, processes: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args[0]} exited: " + " ".join(p.read_text() for p in logs))
        try:
            with urllib.request.urlopen(url, timeout=2, context=UNVERIFIED) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer: " + " ".join(p.read_text() for p in logs))


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("Debian's nginx is not installed (apt-get install -y nginx)")
    var = tmp_path_factory.mktemp("production")
    app_port, proxy_port = _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-mode-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "SITE_URL": f"https://127.0.0.1:{proxy_port}",
        "VAR_DIR": str(var),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "sent-emails"),
    }
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    _run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    world = json.loads(_run([python, "-m", "tests.e2e.production_world"], env).splitlines()[-1])
    nginx_dir = var / "nginx"
    nginx_dir.mkdir()
    # TLS ends at nginx, as in production: secure cookies, HSTS and the https redirect
    # are all in force. The certificate is self-signed for the loopback address.
    _run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(nginx_dir / "key.pem"), "-out", str(nginx_dir / "cert.pem"),
        ],
        env,
    )  # fmt: skip
    config = _run(
        [
            python,
            "manage.py",
            "proxy_config",
            "--standalone",
            str(nginx_dir),
            "--listen",
            f"127.0.0.1:{proxy_port}",
            "--upstream",
            f"127.0.0.1:{app_port}",
            "--tls-certificate",
            str(nginx_dir / "cert.pem"),
            "--tls-key",
            str(nginx_dir / "key.pem"),
        ],
        env,
    )
    (nginx_dir / "nginx.conf").write_text(config)
    logs = [var / "gunicorn.log", nginx_dir / "error.log"]
    with open(logs[0], "w") as gunicorn_log:
        gunicorn = subprocess.Popen(
            [
                str(Path(python).with_name("gunicorn")),
                "marketplace.wsgi",
                "--bind",
                f"127.0.0.1:{app_port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=gunicorn_log,
            stderr=subprocess.STDOUT,
        )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"https://127.0.0.1:{proxy_port}"
    try:
        _wait_for(f"{base_url}/healthz", [gunicorn, nginx], logs)
        yield {"url": base_url, "var": var, **world}
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
        for process in (nginx, gunicorn):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def production_page(browser, production_site):
    context = browser.new_context(
        base_url=production_site["url"], locale="en-GB", ignore_https_errors=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _status(url: str) -> int:
    request = urllib.request.Request(url, method="GET")  # noqa: S310 (loopback)
    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=UNVERIFIED)
    )
    try:
        with opener.open(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _broken_images(page, selector: str) -> list[str]:
    page.wait_for_load_state("load")
    images = page.locator(selector)
    assert images.count() > 0, f"no image matches {selector} on {page.url}"
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every(img => img.complete)", arg=selector
    )
    return page.eval_on_selector_all(
        selector, "imgs => imgs.filter(img => !(img.naturalWidth > 0)).map(img => img.src)"
    )


def test_photos_and_logos_load_under_gunicorn_without_debug_behind_nginx(
    production_page, production_site
):
    page = production_page
    page.goto("/catalog/")
    assert _broken_images(page, "main img[src*='/media/']") == []
    assert page.get_by_text("Lontar basket").first.is_visible()

    page.goto(f"/catalog/p/{production_site['products'][0]}/")
    assert _broken_images(page, "img.product-page__photo") == []

    page.goto(f"/sellers/c/{production_site['storefront']}/")
    assert _broken_images(page, "main img[src*='/media/']") == []

    # The public recall notices show the recalled product's photo; the feed is Atom.
    page.goto("/recalls/")
    assert page.get_by_text("Splinters on the rim.").first.is_visible()
    assert _broken_images(page, "main img[src*='/media/']") == []
    feed = page.request.get("/recalls/feed.atom")
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert "Rattan tray" in feed.text()

    # Static files come from collectstatic's output, through nginx.
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    response = page.request.get(stylesheet)
    assert response.status == 200 and "immutable" in response.headers["cache-control"]


def test_private_documents_are_not_served_to_anyone_who_asks(production_site):
    base = production_site["url"]
    licence = production_site["licence"]
    assert (production_site["var"] / "private" / licence).exists()
    for guess in (
        f"/media/{licence}",
        f"/media/../private/{licence}",
        f"/private/{licence}",
        f"/static/../private/{licence}",
    ):
        assert _status(base + guess) == 404, guess
    evidence = production_site["evidence"]
    assert (production_site["var"] / "private" / evidence).exists()
    for guess in (f"/media/{evidence}", f"/private/{evidence}", f"/media/../private/{evidence}"):
        assert _status(base + guess) == 404, guess
    # The workspace's own link answers its members only: a stranger is sent to sign in.
    assert _status(base + "/sellers/workspace/licence/") == 302


def test_a_visitor_signing_up_gets_the_confirmation_email(production_page, production_site):
    page = production_page
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("new.buyer@example.test")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase-42")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    sent = production_site["var"] / "sent-emails"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(sent.glob("*")):
        time.sleep(0.2)
    mail = "".join(path.read_text() for path in sent.glob("*"))
    assert "To: new.buyer@example.test" in mail
    # The link names the address the visitor used, https, port and all: nginx's
    # X-Forwarded-* headers reached Django.
    assert f"{production_site['url']}/accounts/confirm-email/" in mail


def test_a_regulator_signs_in_with_the_second_factor_and_reads_and_exports_the_trail(
    production_page, production_site, assert_accessible
):
    page = production_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(production_site["regulator"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("input[name='code']").fill(totp_now(TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Log out").wait_for()

    page.goto("/regulator/audit/")
    rows = page.locator("table.audit-table tbody tr")
    assert rows.count() >= 2
    trail = rows.all_inner_texts()
    assert any(production_site["registered"] in row and "verified" in row.lower() for row in trail)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV (with these filters)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    verified = [line for line in exported.splitlines() if "Cooperative status changed" in line]
    assert len(verified) == 1
    assert production_site["registered"] in verified[0]
    assert production_site["regulator_name"] in verified[0]

    # One sign-in (a second-factor code is good once): the recall, inspection and tax
    # pages render without DEBUG, the private evidence reaches the regulator, and a
    # hostile form answers an error, never a 500.
    for path in (
        "/regulator/",
        "/regulator/recalls/",
        "/regulator/inspections/?show=all",
        "/regulator/taxes/",
        "/regulator/taxes/periods/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
    # The dashboard: its charts, SVG images of their own URLs, load under gunicorn.
    assert page.goto("/regulator/dashboard/").status == 200
    page.get_by_role("heading", name="Sales over time").wait_for()
    for chart in page.locator("img.chart").all():
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
    assert "IDR 150,000" in page.content()  # two mats at 75 000
    assert_accessible(page)
    # Hostile filters typed into the address: the page says so, never a 500.
    hostile = page.goto(
        "/regulator/dashboard/?period=custom&start=2026-13-45&end=9999-12-31"
        "&province=99999999999999999999&category=x%00&origin=%3Cscript%3E"
    )
    assert hostile.status == 200
    page.locator(".field__error, .form-errors").first.wait_for()
    assert "<script>" not in page.content()
    chart = page.request.get("/regulator/dashboard/charts/province.svg?province=x%00")
    assert chart.status == 200 and chart.headers["content-type"] == "image/svg+xml"
    # This month's report, built from its page (tasks in-process on the embedded
    # defaults), read and downloaded; the year's digital villages marked.
    page.goto("/regulator/reports/")
    page.get_by_role("button", name="Build the report").click()
    page.get_by_text(re.compile("is queued")).wait_for()
    page.locator("table a[href^='/regulator/reports/']").first.click()
    page.get_by_role("heading", name="Sales by cooperative").wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    page.goto("/regulator/villages/")
    page.get_by_role("button", name="Mark the digital villages").click()
    page.get_by_text(re.compile("are being marked")).wait_for()
    assert_accessible(page)
    page.goto(f"/regulator/inspections/{production_site['inspection']}/")
    with page.expect_response("**/evidence/**") as shown:
        page.get_by_role("link", name="evidence.png").click()
    evidence = shown.value
    assert evidence.status == 200 and evidence.headers["content-type"] == "image/png"
    assert evidence.headers["cache-control"] == "private, no-store"

    # Hostile input through the real form: a clear error, never a 500, nothing recalled.
    page.goto(f"/regulator/listings/{production_site['tray']}/recall/")
    page.get_by_label("Hazard").fill("x" * 5000)
    page.get_by_label("Measures taken").fill("Withdrawn.")
    page.get_by_label("Return it to the cooperative").check()
    page.evaluate("document.querySelector('form.form').noValidate = true")
    page.get_by_role("button", name="Recall", exact=True).click()
    page.locator(".field__errors, .form-errors").first.wait_for()
    assert "RC-000002" not in page.content()
