"""The form that asks for a month's report."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# How many past months the form offers (the rollups go back as far as the rebuild did).
MONTHS_OFFERED = 36


def _months() -> list[tuple[str, str]]:
    month = timezone.localdate().replace(day=1)
    choices = []
    for _n in range(MONTHS_OFFERED):
        choices.append((f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT")))
        month = (month - timedelta(days=1)).replace(day=1)
    return choices


class ReportRequestForm(forms.Form):
    period = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _months()
        self.fields["period"].choices = choices
        self.fields["period"].initial = choices[1][0]  # last month

    def clean_period(self) -> date:
        return date.fromisoformat(f"{self.cleaned_data['period']}-01")
