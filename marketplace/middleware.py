"""Middleware of the whole site."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Responses to someone with a session are never stored by a browser's disk cache
    or a shared proxy.

    A visitor has a session once they signed in (every page then carries their name,
    roles and cart) or put something in it (an anonymous cart, a checkout in progress).
    Every response to them, whatever view produced it (a page, a redirect, a refusal),
    gets ``Cache-Control: private, no-store``, so that a page added later cannot forget
    it. A visitor without a session sees what everybody sees; those responses are left
    as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None:
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES or (
            session.accessed and not session.is_empty()
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
