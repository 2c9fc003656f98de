"""The Django admin site of the project: allauth's sign-in, and two-factor first."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from marketplace.roles import admin_second_factor_refusal


class AdminSite(admin.AdminSite):
    """Every admin page (index, change lists, forms, actions, autocomplete) goes through
    ``admin_view``; there the staff user is sent to enrol in, then to pass, two-factor
    authentication before the page opens. Signing out stays open."""

    site_header = "Lokapasar"
    site_title = "Lokapasar"

    def login(self, request, extra_context=None):
        # The site's login, with its throttling and two-factor stage.
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        if view == self.logout:
            return inner

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if self.has_permission(request):
                refusal = admin_second_factor_refusal(request)
                if refusal is not None:
                    return refusal
            return inner(request, *args, **kwargs)

        return guarded
