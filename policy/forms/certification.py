"""The regulator's certification forms and the public certificate check."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from policy.models import Certificate
from policy.models.certification import SCORE_MAXIMA

_GROUP_LABELS = {
    "score_community": _("Product and community strength"),
    "score_marketing": _("Marketing"),
    "score_quality": _("Quality"),
}


def _score_field(field: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=_GROUP_LABELS[field], min_value=0, max_value=SCORE_MAXIMA[field]
    )


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    level = forms.ChoiceField(label=_("Awarding level"), choices=Certificate.Level.choices)
    score_community = _score_field("score_community")
    score_marketing = _score_field("score_marketing")
    score_quality = _score_field("score_quality")
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for 36 months after the issue date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate
        for field, maximum in SCORE_MAXIMA.items():
            self.fields[field].help_text = gettext("Out of %(max)s.") % {"max": maximum}

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("The expiry date must come after the issue date."))
        return data


class RevocationForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Certificate.RevocationReason.choices)
    note = forms.CharField(
        label=_("Note for the cooperative"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CertificateCheckForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)


class ProductLookupForm(forms.Form):
    q = forms.CharField(label=_("Find a product to certify"), max_length=120, required=False)
