"""Sign-in throttling that slows a guesser down without locking the owner out.

allauth's own limit (``login_failed``: N failures per email address) refuses the right
password too once anybody has sent N wrong ones, so five guesses from anywhere lock
the regulator out. Here failed passwords are counted in three scopes instead, each
with an exponential back-off (no fixed lock-out):

``address``
    every account tried from one client address: a guesser's address is slowed, then
    refused for longer and longer.
``pair``
    one account from one address: the owner signing in from elsewhere is not affected
    by a guesser's failures.
``account``
    one account from every address (a guesser spreading over many addresses), but only
    for browsers that never signed in to that account: a browser that did carries a
    signed "known device" cookie and is not refused by this scope. An owner on a new
    device during such an attack resets the password by email, which clears the scope.

A refused attempt never reaches the password check and is not counted. Counters live
in the default cache, which every web process shares (Redis, or the database on the
embedded defaults); they are forgotten a day after the last failure. Counting uses
``cache.incr`` (atomic on Redis); a lost increment under a race only makes the
throttle a little more lenient.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase

DEVICE_COOKIE = "lokapasar_device"
_DEVICE_SALT = "marketplace.login_throttle.device"
_DEVICE_MAX_AGE = 365 * 24 * 3600
_DEVICE_ACCOUNTS = 5  # accounts remembered per browser
_FORGET_AFTER = 24 * 3600


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Backoff:
    """``free`` failures go unpunished; then each failure doubles the wait, starting at
    ``first_wait`` seconds, never longer than ``longest_wait``."""

    free: int
    first_wait: int
    longest_wait: int

    def wait_after(self, failures: int) -> float:
        if failures < self.free:
            return 0
        return min(self.longest_wait, self.first_wait * 2 ** (failures - self.free))


def _backoffs() -> dict[str, Backoff]:
    return {scope: Backoff(*values) for scope, values in settings.LOGIN_THROTTLE.items()}


def _digest(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()


def _address(request: HttpRequest) -> str:
    from allauth.account.adapter import get_adapter
    from allauth.core.internal.ratelimit import truncate_ip

    # The client address as allauth reads it (TRUSTED_PROXY_COUNT), IPv6 by /64.
    return truncate_ip(get_adapter().get_client_ip(request))


def _keys(request: HttpRequest, login: str, *, known_device: bool) -> dict[str, str]:
    address = _address(request)
    account = _digest(login)
    keys = {
        "address": f"login-throttle:address:{address}",
        "pair": f"login-throttle:pair:{account}:{address}",
    }
    if not known_device:
        keys["account"] = f"login-throttle:account:{account}"
    return keys


def device_known(*, request: HttpRequest, login: str) -> bool:
    """Whether this browser signed in to the account ``login`` before."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE
    )
    return _digest(login) in value.split(",")


def login_wait(*, request: HttpRequest, login: str) -> float:
    """Seconds until an attempt to sign in to ``login`` from this request is accepted;
    0 when it may go ahead now."""
    backoffs = _backoffs()
    keys = _keys(request, login, known_device=device_known(request=request, login=login))
    stored = cache.get_many([f"{key}:{part}" for key in keys.values() for part in ("n", "t")])
    now = _now()
    wait = 0.0
    for scope, key in keys.items():
        failures = stored.get(f"{key}:n") or 0
        last = stored.get(f"{key}:t") or 0
        wait = max(wait, last + backoffs[scope].wait_after(failures) - now)
    return max(wait, 0.0)


def login_failure_record(*, request: HttpRequest, login: str) -> None:
    """Count a wrong password for ``login`` in every scope that applies."""
    keys = _keys(request, login, known_device=device_known(request=request, login=login))
    now = _now()
    for key in keys.values():
        cache.add(f"{key}:n", 0, timeout=_FORGET_AFTER)
        try:
            cache.incr(f"{key}:n")
        except ValueError:  # expired between add and incr
            cache.set(f"{key}:n", 1, timeout=_FORGET_AFTER)
        cache.touch(f"{key}:n", timeout=_FORGET_AFTER)
        cache.set(f"{key}:t", now, timeout=_FORGET_AFTER)


def login_success_record(*, request: HttpRequest, login: str) -> None:
    """The right password from this address: its pair back-off is over. The address's
    and the account's counters stay, so a guesser cannot reset them by signing in to
    an account of their own now and then."""
    key = _keys(request, login, known_device=True)["pair"]
    cache.delete_many([f"{key}:n", f"{key}:t"])


def login_account_unlock(*, login: str) -> None:
    """The owner proved they hold the mailbox (a password reset): the account-wide
    back-off is cleared."""
    key = f"login-throttle:account:{_digest(login)}"
    cache.delete_many([f"{key}:n", f"{key}:t"])


def device_remember(*, request: HttpRequest, response: HttpResponseBase, login: str) -> None:
    """Mark this browser as one that signed in to ``login`` (a signed cookie)."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE
    )
    digest = _digest(login)
    known = [d for d in value.split(",") if d and d != digest]
    known = [*known[-(_DEVICE_ACCOUNTS - 1) :], digest]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ",".join(known),
        salt=_DEVICE_SALT,
        max_age=_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
