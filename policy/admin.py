"""Policy records in the admin. Rules and the platform's commission are saved through the
policy services (audited, re-evaluated); decisions, appeals and exemptions are
read-only records."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.admin_site import ArchivedNotDeleted, TrailAdmin
from policy.models import (
    Appeal,
    CommissionRate,
    Exemption,
    ListingDecision,
    ListingRule,
    RuleChange,
)
from policy.services import rules
from policy.services.collection import commission_set


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


class CommissionRateForm(forms.ModelForm):
    class Meta:
        model = CommissionRate
        fields = ["rate", "effective_from"]
        help_texts = {
            "rate": _("A fraction of the sales: 0.05 is 5 %, at most 0.5."),
            "effective_from": _("From this day on; statements of earlier months keep theirs."),
        }

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise forms.ValidationError(
                _("A new commission starts today or later: past statements keep their rate.")
            )
        return day


@admin.register(CommissionRate)
class CommissionRateAdmin(ArchivedNotDeleted, admin.ModelAdmin):
    """The platform's commission, from a date: a new rate is added (audited); one in the
    history is never edited, since statements were drawn with it."""

    form = CommissionRateForm
    list_display = ["rate", "effective_from", "set_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = commission_set(
            rate=form.cleaned_data["rate"],
            effective_from=form.cleaned_data["effective_from"],
            actor=request.user,
        )
        obj.pk = saved.pk
