from django.shortcuts import render

from marketplace.roles import Role, role_required
from sellers.selectors import cooperatives_for_user


@role_required(Role.MEMBER)
def workspace(request):
    return render(
        request,
        "sellers/workspace.html",
        {"memberships": cooperatives_for_user(user=request.user)},
    )
