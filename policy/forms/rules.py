"""The regulator's rule form: the fields every rule has, and those of one kind."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from policy import kinds
from policy.models import ListingRule

COMMON_FIELDS = ["title", "legal_reference", "effective_from", "is_active"]


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name}"


class RuleForm(forms.ModelForm):
    """A rule of ``kind`` (for a new rule; an existing rule keeps its own): the form
    has only that kind's fields, so what is posted for another kind's is ignored, and
    :meth:`rule_data` clears what an older version of the rule held in them."""

    categories = CategoriesField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ListingRule
        fields = [*COMMON_FIELDS, *kinds.kind_fields()]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, kind: kinds.RuleKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_kind = kind
        for name in list(self.fields):
            if name not in COMMON_FIELDS and name not in kind.fields:
                del self.fields[name]
        if "categories" in self.fields:
            categories = self.fields["categories"]
            categories.queryset = Category.objects.order_by("path")
            categories.label = kind.categories_label
            categories.help_text = kind.categories_help

    @property
    def categories_field(self):
        return self["categories"] if "categories" in self.fields else None

    @property
    def terms_fields(self):
        return [self[name] for name in self.rule_kind.terms_fields()]

    def rule_categories(self) -> list[Category]:
        return list(self.cleaned_data.get("categories", []))

    def rule_data(self) -> dict:
        """The rule's fields for the rule services: this kind's as given, other kinds'
        empty, and the kind itself for a new rule."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "categories"}
        for name in kinds.kind_fields():
            if name not in self.fields and name != "categories":
                data[name] = None if ListingRule._meta.get_field(name).null else ""
        if not self.instance.pk:
            data["kind"] = self.rule_kind.code
        return data
