from django.conf import settings

from marketplace.roles import Role, user_roles


def site(request):
    """What every page needs: the site's name and the entry points of the user's roles."""
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else frozenset()
    return {
        "SITE_NAME": settings.SITE_NAME,
        "MARKETPLACE_CURRENCY": settings.MARKETPLACE_CURRENCY,
        "nav_roles": {role.value: role in roles for role in Role},
    }
