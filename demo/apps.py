from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demonstration data (``manage.py seed_demo``, ``manage.py totp_code``).

    It stands on top of every other app and calls their services, as a user would;
    no other app imports it, and a deployment may leave it out of INSTALLED_APPS.
    """

    name = "demo"
    verbose_name = _("Demonstration data")
