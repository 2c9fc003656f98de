from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from marketplace.forms import PreferredLanguageForm, PublicNameForm, form_add_validation_error
from marketplace.health import service_states
from marketplace.roles import Role, role_required, user_roles
from marketplace.services import user_preferred_language_set, user_public_name_set


@require_GET
@never_cache
def healthz(request):
    healthy, states = service_states()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **states},
        status=200 if healthy else 503,
    )


@require_POST
def language_set(request):
    """Django's language switch, which also remembers a signed-in user's choice, so
    that their emails are written in the language they read the site in."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferred_language_set(user=request.user, language=language)
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER)
def account_home(request):
    user = request.user
    form = language_form = None
    if request.method == "POST" and "preferred_language" in request.POST:
        language_form = PreferredLanguageForm(request.POST)
        if language_form.is_valid():
            language = language_form.cleaned_data["preferred_language"]
            user_preferred_language_set(user=user, language=language)
            translation.activate(language)
            messages.success(request, _("Your language is saved."))
            response = redirect("account_home")
            language_cookie_set(response=response, language=language)
            return response
    elif request.method == "POST":
        form = PublicNameForm(request.POST)
        if form.is_valid():
            try:
                user_public_name_set(user=user, display_name=form.cleaned_data["display_name"])
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Your public name is saved."))
                return redirect("account_home")
    form = form or PublicNameForm(initial={"display_name": user.display_name})
    language_form = language_form or PreferredLanguageForm(
        initial={"preferred_language": user.preferred_language or translation.get_language()}
    )
    return render(
        request,
        "account/home.html",
        {
            "roles": sorted(user_roles(user)),
            "public_name_form": form,
            "language_form": language_form,
        },
    )


def language_cookie_set(*, response, language: str) -> None:
    """Make the site speak ``language`` on this browser, as Django's switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
