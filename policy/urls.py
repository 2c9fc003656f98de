from django.urls import path

from policy.views import (
    appeals,
    audit,
    certification,
    dashboard,
    monitoring,
    oversight,
    recalls,
    rules,
    taxes,
)

app_name = "policy"

urlpatterns = [
    path("", dashboard.regulator_home, name="home"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule_edit"),
    path("listings/<int:pk>/appeal/", appeals.appeal_file, name="appeal_file"),
    path("appeals/", appeals.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal_detail"),
    path("certificates/", certification.certificate_list, name="certificates"),
    path("certificates/<int:pk>/", certification.certificate_detail, name="certificate_detail"),
    path("listings/<int:pk>/certify/", certification.certificate_award, name="certificate_award"),
    path("recalls/", recalls.regulator_recall_list, name="recalls"),
    path("recalls/<int:pk>/", recalls.regulator_recall_detail, name="recall_detail"),
    path("listings/<int:pk>/recall/", recalls.recall_product, name="recall_product"),
    path("cooperatives/<int:pk>/recall/", recalls.recall_cooperative, name="recall_cooperative"),
    path("inspections/", oversight.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", oversight.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/evidence/<int:evidence_pk>/",
        oversight.inspection_evidence,
        name="inspection_evidence",
    ),
    path("listings/<int:pk>/inspect/", oversight.inspect_product, name="inspect_product"),
    path(
        "cooperatives/<int:pk>/inspect/",
        oversight.inspect_cooperative,
        name="inspect_cooperative",
    ),
    path(
        "cooperatives/<int:pk>/sanctions/",
        oversight.cooperative_sanctions,
        name="cooperative_sanctions",
    ),
    path("sanctions/<int:pk>/lift/", oversight.sanction_lift, name="sanction_lift"),
    path("watch-list/", oversight.watch_list, name="watch_list"),
    path("taxes/", taxes.tax_rule_list, name="tax_rules"),
    path("taxes/new/", taxes.tax_rule_create, name="tax_rule_create"),
    path("taxes/<int:pk>/", taxes.tax_rule_edit, name="tax_rule_edit"),
    path("taxes/periods/", taxes.tax_period_list, name="tax_periods"),
    path("taxes/periods/<int:year>-<int:month>/", taxes.tax_period_detail, name="tax_period"),
    path(
        "taxes/periods/<int:year>-<int:month>/collect/",
        taxes.tax_period_collect,
        name="tax_period_collect",
    ),
    path(
        "taxes/periods/<int:year>-<int:month>/remit/",
        taxes.tax_period_remit,
        name="tax_period_remit",
    ),
    path(
        "taxes/periods/<int:year>-<int:month>/payouts/<int:pk>/",
        taxes.payout_decide,
        name="payout_decide",
    ),
    path(
        "taxes/periods/<int:year>-<int:month>/remittance.csv",
        taxes.tax_period_csv,
        name="tax_period_csv",
    ),
    path(
        "taxes/periods/<int:year>-<int:month>/remittance.xlsx",
        taxes.tax_period_xlsx,
        name="tax_period_xlsx",
    ),
    path("dashboard/", monitoring.dashboard, name="dashboard"),
    path("dashboard/charts/<slug:name>.svg", monitoring.dashboard_chart, name="dashboard_chart"),
    path(
        "dashboard/tables/<slug:name>.<str:fmt>",
        monitoring.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "dashboard/cooperatives/<int:pk>/",
        monitoring.dashboard_cooperative,
        name="dashboard_cooperative",
    ),
    path("audit/", audit.audit_list, name="audit"),
    path("audit.csv", audit.audit_export, name="audit_export"),
]
