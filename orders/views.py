from django.shortcuts import render

from marketplace.roles import Role, role_required


@role_required(Role.BUYER)
def my_orders(request):
    return render(request, "orders/my_orders.html", {})
