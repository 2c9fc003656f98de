"""The regulator's tax rule form: the rate as a percentage, the scope, the dates."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors import categories_in_tree_order
from policy.forms.rules import CategoriesField
from policy.models import TaxRule


class TaxRuleForm(forms.ModelForm):
    percent = forms.DecimalField(
        label=_("Rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("99.99"),
        max_digits=4,
        decimal_places=2,
        help_text=_("11 for 11 %."),
    )
    categories = CategoriesField(
        label=_("Only these categories"),
        queryset=TaxRule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category. Each covers its subcategories."),
    )
    exempt_categories = CategoriesField(
        label=_("Exempt categories"),
        queryset=TaxRule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TaxRule
        fields = [
            "kind",
            "levy",
            "title",
            "legal_reference",
            "sellers",
            "min_yearly_turnover",
            "effective_from",
            "effective_to",
            "enabled",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "levy": _(
                "VAT, personal income tax…: two withholding rules may stand together "
                "when they levy different taxes."
            ),
            "effective_to": _("Leave empty while the rule has no end."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("categories", "exempt_categories"):
            self.fields[name].queryset = categories_in_tree_order()
        if self.instance.pk:
            self.fields["percent"].initial = (self.instance.rate * 100).quantize(Decimal("0.01"))
            self.fields["categories"].initial = list(self.instance.categories.all())
            self.fields["exempt_categories"].initial = list(self.instance.exempt_categories.all())

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The rule cannot end before it starts."))
        return data

    def rule_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["rate"] = (self.cleaned_data["percent"] / 100).quantize(Decimal("0.0001"))
        data["categories"] = list(self.cleaned_data["categories"])
        data["exempt_categories"] = list(self.cleaned_data["exempt_categories"])
        return data


class RemittanceForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=80,
        help_text=_("The authority's receipt or the bank transfer's reference."),
    )


class CollectForm(forms.Form):
    """The "collect" button sends ``confirm=collect``."""

    confirm = forms.ChoiceField(choices=[("collect", _("Collect"))])


class PayoutForm(forms.Form):
    action = forms.ChoiceField(choices=[("release", _("Release")), ("hold", _("Hold"))])
    reference = forms.CharField(label=_("Payment reference"), max_length=80, required=False)
    note = forms.CharField(label=_("Why it is held"), max_length=2000, required=False)
