"""The regulator's decision on an appeal (the seller's statement is a catalog form,
shown on the listing's page)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", _("Grant an exemption")), ("uphold", _("Uphold the block"))]
    )
    response = forms.CharField(
        label=_("Response to the seller"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to uphold a block."),
    )
