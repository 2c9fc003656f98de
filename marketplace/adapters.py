"""The project's allauth adapter: sign-in throttling without lock-out."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from marketplace import login_throttle


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    """Replaces allauth's failed-login limit per email address (which lets anyone lock
    an owner out) with :mod:`marketplace.login_throttle`'s back-off per address, per
    account and address, and per account for unknown browsers."""

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        if login_throttle.login_wait(request=request, login=_login(credentials)) > 0:
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_throttle.login_success_record(request=request, login=_login(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login_throttle.login_failure_record(request=request, login=_login(credentials))

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any):
        # Called by allauth once the owner has reset the password by the emailed link.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_throttle.login_account_unlock(login=_login(credentials))

    def post_login(self, request: HttpRequest, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        login_throttle.device_remember(request=request, response=response, login=user.email)
        return response
