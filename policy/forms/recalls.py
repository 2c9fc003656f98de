"""The regulator's recall forms and the public recall filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from policy.models import Recall

TEXT_LIMIT = 4000


class RecallForm(forms.Form):
    hazard = forms.CharField(
        label=_("Hazard"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is wrong with the product and what harm it can do."),
    )
    risk = forms.ChoiceField(label=_("Risk level"), choices=Recall.Risk.choices)
    measures = forms.CharField(
        label=_("Measures taken"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: withdrawn from sale, production stopped, batch destroyed."),
    )
    buyer_action = forms.ChoiceField(
        label=_("What buyers should do"),
        choices=Recall.BuyerAction.choices,
        widget=forms.RadioSelect,
    )


class RecallCloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the recall ends. Its products stay unpublished until their cooperative "
            "publishes them again."
        ),
    )


class RecallFilterForm(forms.Form):
    risk = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=[("", _("Any risk")), *Recall.Risk.choices],
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(Recall.Status.OPEN, _("Active recalls")), (Recall.Status.CLOSED, _("Closed"))],
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Any category"))]
        for root, children in categories:
            choices.append((root.slug, root.name))
            choices.extend((child.slug, f"— {child.name}") for child in children)
        self.fields["category"].choices = choices


class RecallTargetLookupForm(forms.Form):
    q = forms.CharField(
        label=_("Find a product or a cooperative to recall"), max_length=120, required=False
    )
