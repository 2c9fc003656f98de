"""The audit page's filters (a GET form: the page is a read)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import AuditEvent
from marketplace.pagination import cursor_parse
from policy.selectors.audit import AuditFilters


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("By"),
        required=False,
        max_length=150,
        help_text=_("A person's name or email address."),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Every action")), *AuditEvent.Action.choices],
    )
    cooperative = forms.CharField(
        label=_("Cooperative"),
        required=False,
        max_length=200,
        help_text=_("Its name or registration number."),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def clean_after(self):
        cursor = self.cleaned_data["after"]
        if not cursor:
            return None
        position = cursor_parse(cursor)
        if position is None:
            raise forms.ValidationError(
                _("This page link is not valid; start from the first page.")
            )
        return position

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", ""),
            action=data.get("action", ""),
            cooperative=data.get("cooperative", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
