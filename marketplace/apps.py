from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(*, using: str, **kwargs) -> None:
    """Create the database cache's table (the embedded defaults' shared cache) after
    every ``migrate``, so that no separate setup step can be forgotten. Idempotent: an
    existing table is left as it is, and nothing happens on a Redis cache."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class MarketplaceConfig(AppConfig):
    default = True
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (INSTALLED_APPS names this)."""

    default = False
    default_site = "marketplace.admin_site.AdminSite"
