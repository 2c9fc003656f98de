"""The villages page's forms: a commune's household count, the year to mark."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.services.villages import MAX_HOUSEHOLDS

YEARS_OFFERED = 6


def _years() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year, this_year - YEARS_OFFERED, -1)]


class HouseholdsForm(forms.Form):
    households = forms.IntegerField(
        label=_("Households"),
        min_value=1,
        max_value=MAX_HOUSEHOLDS,
    )


class VillagesMarkForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()


class VillagesYearForm(forms.Form):
    """The year the page shows (GET)."""

    year = forms.IntegerField(min_value=2000, max_value=9999, required=False)
