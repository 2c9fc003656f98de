from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from allauth.account.signals import user_logged_in

        from orders import payments  # noqa: F401 (registers the payment providers' check)

        user_logged_in.connect(merge_cart_at_login, dispatch_uid="orders.merge_cart_at_login")


def merge_cart_at_login(sender, request, user, **kwargs):
    """The anonymous visitor's cart joins the account's cart when they log in."""
    from orders.services.cart import cart_merge
    from orders.views import CART_TOKEN

    token = request.session.pop(CART_TOKEN, None)
    if token:
        cart_merge(session_key=token, user=user)
