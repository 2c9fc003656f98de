from django.urls import path

from policy.views import dashboard

app_name = "policy"

urlpatterns = [
    path("", dashboard.regulator_home, name="home"),
]
