from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketplace.health import service_states
from marketplace.roles import Role, role_required, user_roles


@require_GET
@never_cache
def healthz(request):
    healthy, states = service_states()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **states},
        status=200 if healthy else 503,
    )


@role_required(Role.BUYER)
def account_home(request):
    return render(request, "account/home.html", {"roles": sorted(user_roles(request.user))})
