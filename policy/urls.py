from django.urls import path

from policy.views import dashboard, listing_rules

app_name = "policy"

urlpatterns = [
    path("", dashboard.regulator_home, name="home"),
    path("rules/", listing_rules.rule_list, name="rules"),
    path("rules/new/", listing_rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/", listing_rules.rule_edit, name="rule_edit"),
    path("appeals/", listing_rules.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", listing_rules.appeal_detail, name="appeal_detail"),
]
