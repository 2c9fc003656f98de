"""Who may call the data API and how often: a bearer token a regulator issued, at most
``API_RATE_LIMIT_PER_MINUTE`` requests a minute each; and what every answer carries.

The rate is counted in the shared cache (Redis in production) on one key per token and
minute, with ``cache.incr``: atomic on Redis, so every web process counts together; a
lost increment on another cache only makes the limit a little more lenient.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.cache import patch_vary_headers
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from policy.selectors.api_tokens import api_token_for_secret
from policy.services.api_tokens import api_token_touch

WINDOW = 60  # seconds: the limit is per minute of the clock


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer lkp_…``: the token in force whose secret it is, else a
    401 (unknown, malformed and revoked tokens are answered alike)."""

    def authenticate(self, request, token):
        api_token = api_token_for_secret(secret=token.strip())
        if api_token is None:
            return None
        api_token_touch(token=api_token)
        return api_token


def _seconds_left(now: float) -> int:
    return WINDOW - int(now % WINDOW)


class TokenRateThrottle(BaseThrottle):
    """Per token, the requests of this minute of the clock; beyond the limit, 429 with
    ``Retry-After`` (the seconds to the next minute)."""

    def allow_request(self, request) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        now = time.time()
        key = f"data-api:rate:{token.pk}:{int(now // WINDOW)}"
        cache.add(key, 0, timeout=WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between the two calls: this request opens it again
            cache.add(key, 1, timeout=WINDOW * 2)
            count = 1
        return count <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self) -> float:
        return _seconds_left(time.time())


def api_view(view):
    """Around every request of the API: it speaks English (the keys of its figures are
    made from their English labels, so they stay the same whatever the caller's
    language); its answers are never stored by a cache on the way (they are for the
    token's holder only); a 401 says which scheme to use."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override("en"):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = "en"
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ["Authorization"])
        if response.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="Lokapasar data API"'
        return response

    return wrapper
