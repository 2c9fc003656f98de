from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.forms import PublicNameForm, form_add_validation_error
from marketplace.health import service_states
from marketplace.roles import Role, role_required, user_roles
from marketplace.services import user_public_name_set


@require_GET
@never_cache
def healthz(request):
    healthy, states = service_states()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **states},
        status=200 if healthy else 503,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.BUYER)
def account_home(request):
    form = PublicNameForm(request.POST or None, initial={"display_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            user_public_name_set(user=request.user, display_name=form.cleaned_data["display_name"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Your public name is saved."))
            return redirect("account_home")
    return render(
        request,
        "account/home.html",
        {"roles": sorted(user_roles(request.user)), "public_name_form": form},
    )
