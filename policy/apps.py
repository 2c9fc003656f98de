from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("Policy")

    def ready(self) -> None:
        from policy import receivers  # noqa: F401  (connects the signal receivers)
