"""Middleware of the whole site."""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Personal pages are never stored by a browser's disk cache or a shared proxy.

    A response is personal when it was built for someone: the visitor is signed in
    (every page then carries their name, roles, cart) or their session holds data (an
    anonymous cart, a checkout in progress). Such responses get
    ``Cache-Control: private, no-store``, whatever view produced them, so that a page
    added later cannot forget it. A response that never touched the session cannot
    depend on who asked, and is left as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return response
        if request.user.is_authenticated or not session.is_empty():
            patch_cache_control(response, private=True, no_store=True)
        return response
