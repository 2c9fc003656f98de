"""The project's allauth adapter: sign-in throttling without lock-out, the user's
language remembered at sign-in, and account emails sent through the outbox."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from marketplace import login_throttle
from marketplace.notifications import email_queue_rendered, recipient_languages
from marketplace.services import user_preferred_language_set
from marketplace.views import language_cookie_set


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
        _language_remember(request=request, response=response, user=user)
        return response

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Confirmation, password-reset and security emails go through the outbox like
        every other email: rendered now, in the reader's language (the one they use on
        the site when they have no account yet), and sent once the request commits."""
        language = (
            recipient_languages(addresses=[email]).get(email.lower())
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html_body = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_queue_rendered(
            to=message.to,
            subject=message.subject,
            body=message.body,
            html_body=html_body,
            language=language,
        )


def _language_remember(*, request: HttpRequest, response, user) -> None:
    """Signing in keeps the user's language: a language chosen on this browser becomes
    their preference; otherwise the site switches to the preference they have, or, for
    a user who has none yet, records the language the site is speaking to them."""
    languages = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in languages:
        user_preferred_language_set(user=user, language=chosen)
    elif user.preferred_language:
        if response is not None:
            language_cookie_set(response=response, language=user.preferred_language)
    elif getattr(request, "LANGUAGE_CODE", "") in languages:
        user_preferred_language_set(user=user, language=request.LANGUAGE_CODE)
