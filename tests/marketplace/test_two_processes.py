"""Two real web processes on the embedded defaults (SQLite, no Redis) agree on sessions
and on the sign-in throttle (issue 14, item 19): nothing that must be shared lives in a
per-process cache.

Each process is its own gunicorn server on its own port, both on one SQLite database;
a browser (one cookie jar) talks to either, as it would behind a load balancer.
"""

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.marketplace.test_settings import _clean_env

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
EMAIL, PASSWORD = "two.workers@example.test", "a-long-passphrase-for-two-workers"

# A buyer, and one product on sale from a verified local cooperative, made through the
# services (factories for the cooperative, as the other tests do).
SEED = """
from decimal import Decimal
from catalog.services.categories import category_ensure
from catalog.services.products import product_create, product_publish
from marketplace.services import user_ensure_verified
from sellers.models import Membership
from tests.factories import CooperativeFactory, MembershipFactory, ProvinceFactory
user_ensure_verified(email="{email}", password="{password}")
province = ProvinceFactory(country="ID", code="ID-JB", name="Jawa Barat")
cooperative = CooperativeFactory(province=province)
manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
category = category_ensure(slug="household-goods", name="Household goods")
product = product_create(
    cooperative=cooperative, actor=manager, category=category, title="Bamboo basket",
    price=Decimal("150000"), stock=50,
)
product = product_publish(product=product, actor=manager)
print(product.slug, province.pk)
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar, requests to any of the processes, redirects not followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def post_form(self, page_url: str, data: dict, action: str | None = None):
        """GET the page for its CSRF token, then POST the form to ``action``."""
        _status, _location, html = self.request(page_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return self.request(action or page_url, {"csrfmiddlewaretoken": token, **data})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (a local test server)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    var = tmp_path_factory.mktemp("two-processes")
    env = _clean_env(VAR_DIR=str(var), DEBUG="1", LOG_LEVEL="WARNING")
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    seeded = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            SEED.format(email=EMAIL, password=PASSWORD),
        ],
        **run,
    )
    slug, province = seeded.stdout.decode().split()[-2:]
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "marketplace.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_until_up(f"{urls[-1]}/healthz", process)
        yield urls, (slug, province)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_checkout_step_taken_on_one_process_is_seen_by_the_other(two_processes):
    """The bug seen under gunicorn on the local-memory cache: each worker kept its own
    copy of the session, so the review step on another worker said "checkout expired"."""
    (a, b), (slug, province) = two_processes
    browser = Browser()
    status, location, _ = browser.post_form(
        f"{a}/accounts/login/", {"login": EMAIL, "password": PASSWORD}
    )
    assert (status, location) == (302, "/")
    status, _location, html = browser.request(f"{a}/catalog/p/{slug}/")
    assert status == 200
    product_id = re.search(r'name="product" value="(\d+)"', html).group(1)
    browser.post_form(
        f"{a}/catalog/p/{slug}/", {"product": product_id, "quantity": 1}, f"{a}/orders/cart/add/"
    )
    address = {
        "name": "Siti Rahayu",
        "phone": "+62 812 3456 7890",
        "country": "ID",
        "province": province,
        "commune": "Desa Sukamaju",
        "payment_method": "on_delivery",
    }
    status, location, _ = browser.post_form(
        f"{b}/orders/checkout/", address | {"street": "Jl. Merdeka 12"}
    )
    assert (status, location) == (302, "/orders/checkout/review/")
    status, location, html = browser.request(f"{a}/orders/checkout/review/")
    assert status == 200, f"process A sent the buyer back to {location}"
    assert "Jl. Merdeka 12" in html

    browser.post_form(f"{a}/orders/checkout/", address | {"street": "Jl. Asia Afrika 8"})
    status, _location, html = browser.request(f"{b}/orders/checkout/review/")
    assert status == 200
    assert "Jl. Asia Afrika 8" in html, "process B shows the address it had before"


def test_failed_sign_ins_count_across_processes(two_processes):
    (a, b), _catalog = two_processes
    browser = Browser()
    wrong = {"login": EMAIL, "password": "not-the-password"}
    for url in (a, b, a, b, a):  # five failures, split between the two processes
        assert "Too many failed" not in browser.post_form(f"{url}/accounts/login/", wrong)[2]
    status, _location, html = browser.post_form(
        f"{b}/accounts/login/", {"login": EMAIL, "password": PASSWORD}
    )
    assert status == 200
    assert "Too many failed login attempts" in html
