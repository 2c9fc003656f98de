"""The regulator's rule form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from policy.models import ListingRule


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name}"


class RuleForm(forms.ModelForm):
    categories = CategoriesField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Protected or certificate-bound categories; for the minimum price, the exempt "
            "categories (the positive list). Each covers its subcategories."
        ),
    )

    class Meta:
        model = ListingRule
        fields = [
            "kind",
            "title",
            "legal_reference",
            "categories",
            "effective_from",
            "is_active",
            "min_price_usd",
            "usd_rate",
            "certificate_kind",
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.order_by("path")
        if self.instance.pk:
            self.fields["kind"].disabled = True

    def rule_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("categories")
        if self.instance.pk:
            data.pop("kind", None)
        return data
