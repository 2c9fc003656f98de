"""The dashboard's filters: one form read from the URL, applied to every figure."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.selectors import categories_by_id, provinces_by_id
from policy.selectors.dashboard import Filters

PRESETS = [
    ("last_12_months", _("Last 12 months")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_24_months", _("Last 24 months")),
    ("custom", _("Custom range")),
]
ORIGINS = [("", _("Local and cross-border")), ("local", _("Local")), ("abroad", _("Cross-border"))]
# The longest range a custom period may span (the charts stay readable).
LONGEST = timedelta(days=3 * 366)


def _months_back(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 1)


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.TypedChoiceField(label=_("Province"), coerce=int, required=False)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False)
    origin = forms.ChoiceField(label=_("Sellers"), choices=ORIGINS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = sorted(
            (p for p in provinces_by_id().values() if p.country == settings.MARKETPLACE_COUNTRY),
            key=lambda p: p.name,
        )
        self.fields["province"].choices = [("", _("All provinces"))] + [
            (p.pk, p.name) for p in provinces
        ]
        self.categories = categories_by_id()  # read once: the filters take theirs from it
        categories = sorted(
            (c for c in self.categories.values() if c.depth <= 2), key=lambda c: c.path
        )
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, ("\u2014 " if c.depth == 2 else "") + c.name) for c in categories
        ]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give the first and the last day of the range."))
            if start > end:
                raise forms.ValidationError(_("The range ends before it starts."))
            if end - start > LONGEST:
                raise forms.ValidationError(_("A range spans three years at most."))
        return data

    def filters(self) -> Filters:
        """The filters asked for (the defaults where the form is invalid or empty)."""
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        preset = data.get("period") or "last_12_months"
        if preset == "this_month":
            start, end = today.replace(day=1), today
        elif preset == "last_month":
            end = today.replace(day=1) - timedelta(days=1)
            start = end.replace(day=1)
        elif preset == "last_24_months":
            start, end = _months_back(today, 23), today
        elif preset == "custom":
            start, end = data["start"], data["end"]
        else:
            start, end = _months_back(today, 11), today
        category = self.categories.get(data.get("category") or 0)
        return Filters(
            start=start,
            end=end,
            province_id=data.get("province") or None,
            category=category,
            origin=data.get("origin") or "",
        )
