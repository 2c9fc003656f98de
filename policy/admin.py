"""Policy records in the admin. Rules are saved through the policy services (audited,
re-evaluated); decisions, appeals and exemptions are read-only records."""

from django.contrib import admin

from marketplace.admin_site import ArchivedNotDeleted, TrailAdmin
from policy.models import Appeal, Exemption, ListingDecision, ListingRule, RuleChange
from policy.services import rules


@admin.register(ListingRule)
class ListingRuleAdmin(ArchivedNotDeleted, admin.ModelAdmin):
    list_display = ["title", "kind", "effective_from", "is_active", "enforced_on"]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["categories"]
    readonly_fields = ["enforced_on"]

    def save_model(self, request, obj, form, change):
        # Saved in save_related, once the categories are known.
        self._pending = (obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj, form, change = self._pending
        data = {
            name: form.cleaned_data[name] for name in rules.RULE_FIELDS if name in form.cleaned_data
        }
        categories = list(form.cleaned_data.get("categories", []))
        if change:
            data.pop("kind", None)
            rule = rules.rule_update(rule=obj, actor=request.user, categories=categories, **data)
        else:
            rule = rules.rule_create(actor=request.user, categories=categories, **data)
        form.instance = rule
        obj.pk = rule.pk


class ReadOnlyAdmin(TrailAdmin, admin.ModelAdmin):
    pass


@admin.register(ListingDecision)
class ListingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["product", "outcome", "rule", "trigger", "status_change", "created_at"]
    list_filter = ["outcome", "trigger"]
    list_select_related = ["product", "rule", "status_change"]


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    list_display = ["rule", "action", "actor", "created_at"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["decision", "status", "filed_by", "filed_at", "decided_by"]


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ["product", "rule", "granted_by", "created_at"]
