from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from catalog.views import home
from marketplace import views
from policy.api import api as data_api

# admin.site is marketplace.admin_site.AdminSite: the site's login, two-factor first.

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", views.account_home, name="account_home"),
    path("admin/", admin.site.urls),
    path("catalog/", include("catalog.urls")),
    path("sellers/", include("sellers.urls")),
    path("orders/", include("orders.urls")),
    path("regulator/", include("policy.urls")),
    path("certificates/", include("policy.public_urls")),
    path("recalls/", include("policy.recall_urls")),
    path("api/v1/", data_api.urls),
]

if settings.DEBUG:
    urlpatterns.append(
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media")
    )
