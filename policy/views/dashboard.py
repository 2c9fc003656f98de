from django.shortcuts import render

from marketplace.roles import Role, role_required
from policy.selectors.overview import regulator_overview


@role_required(Role.REGULATOR)
def regulator_home(request):
    return render(request, "policy/home.html", {"overview": regulator_overview()})
