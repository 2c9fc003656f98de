"""Roles, and the one place that says how a view requires one.

A person may hold several roles at once: every signed-in user is a **buyer**; a
member of a cooperative is a **cooperative member** (and a **cooperative manager**
when the membership says so); a **regulator** belongs to the regulator group, which
only an administrator grants; an **administrator** is a superuser.

Views declare what they need with :func:`role_required` (function views) or
:class:`RoleRequiredMixin` (class-based views). Object checks (this cooperative,
this order) live in each app's selectors; the role check only opens the door.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class Role(enum.StrEnum):
    BUYER = "buyer"
    MEMBER = "member"
    MANAGER = "manager"
    REGULATOR = "regulator"
    ADMIN = "admin"


def user_is_regulator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_is_regulator", None)
    if cached is None:
        cached = user.groups.filter(name=settings.REGULATOR_GROUP).exists()
        user._is_regulator = cached
    return cached


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_mfa(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later re-authentication) passed the second
    factor, as allauth records it: enrolment alone proves nothing about the session."""
    from allauth.account.authentication import get_authentication_records

    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def admin_second_factor_refusal(request: HttpRequest):
    """A redirect when the staff user may not open the admin yet, else None.

    Staff must have enrolled in two-factor authentication (sent to enrol), and this
    session must have passed it (sent to enter a code).
    """
    if not user_has_mfa(request.user):
        messages.warning(
            request,
            _(
                "Administrators must set up two-factor authentication before opening the "
                "administration."
            ),
        )
        return redirect("mfa_activate_totp")
    if not session_used_mfa(request):
        return redirect_to_login(
            request.get_full_path(), reverse("mfa_reauthenticate"), redirect_field_name="next"
        )
    return None


def user_roles(user) -> frozenset[Role]:
    """Every role the user holds now, computed once per request object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_roles", None)
    if cached is not None:
        return cached
    from sellers.selectors import membership_roles_for_user

    roles = {Role.BUYER}
    roles |= {Role(role) for role in membership_roles_for_user(user=user)}
    if Role.MANAGER in roles:
        roles.add(Role.MEMBER)
    if user_is_regulator(user):
        roles.add(Role.REGULATOR)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    user._roles = frozenset(roles)
    return user._roles


def user_has_role(user, role: Role) -> bool:
    if role is Role.REGULATOR:
        return user_is_regulator(user)
    return role in user_roles(user)


def _check(request: HttpRequest, roles: tuple[Role, ...]):
    """Return a response that turns the visitor away, or None to let them in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    held = [role for role in roles if user_has_role(request.user, role)]
    if not held:
        raise PermissionDenied
    if set(held) <= _OVERSIGHT and not user_has_mfa(request.user):
        messages.warning(
            request,
            _("Regulators must set up two-factor authentication before opening regulator pages."),
        )
        return redirect("mfa_activate_totp")
    return None


# Roles that open oversight pages (the regulator's, which an administrator also
# reads): a user let in only by these must have enrolled a second factor.
_OVERSIGHT = frozenset({Role.REGULATOR, Role.ADMIN})


def role_required(*roles: Role) -> Callable:
    """Decorate a function view so that only users holding one of ``roles`` enter.

    Anonymous visitors are sent to the login page; signed-in users without the
    role get 403. A user let in only as a regulator or an administrator must have
    enrolled in two-factor authentication (TOTP) first, or is sent to enrol.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            denied = _check(request, roles)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator


class RoleRequiredMixin:
    required_roles: tuple[Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        denied = _check(request, self.required_roles)
        if denied is not None:
            return denied
        return super().dispatch(request, *args, **kwargs)
