"""The regulator's inspection and sanction forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.models import Inspection, InspectionEvidence, Sanction

TEXT_LIMIT = 4000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files if item]
        if len(cleaned) > InspectionEvidence.MAX_PER_INSPECTION:
            raise forms.ValidationError(
                _("Attach at most %(count)s files."),
                params={"count": InspectionEvidence.MAX_PER_INSPECTION},
            )
        return cleaned


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(
        label=_("Inspected on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    findings = forms.MultipleChoiceField(
        label=_("Findings"),
        choices=Inspection.Finding.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked when nothing was found to fault."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Inspection.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For regulators only: the cooperative never sees them."),
    )
    evidence = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, JPEG or PNG, 10 MB at most each. Only regulators can open them."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An inspection cannot be dated in the future."))
        return day


class SanctionForm(forms.Form):
    step = forms.TypedChoiceField(
        label=_("Step"), choices=Sanction.Step.choices, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The cooperative's managers read it in their workspace."),
    )
    skip_reason = forms.CharField(
        label=_("Why a step is skipped"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the step chosen is above the next one."),
    )
    inspection = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class SanctionLiftForm(forms.Form):
    note = forms.CharField(
        label=_("Note on lifting"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


class InspectionRefForm(forms.Form):
    """The inspection an action carries out (``?inspection=`` on a recall or sanction)."""

    inspection = forms.IntegerField(min_value=1, max_value=2**62)


class OutcomeDoneForm(forms.Form):
    """Marking an inspection's outcome carried out: the button sends ``confirm=done``."""

    confirm = forms.ChoiceField(choices=[("done", _("Carried out"))])
