from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from catalog.models import MAX_PRICE, MAX_STOCK, Category, Product
from catalog.selectors import SORTS
from marketplace.forms import IdField
from marketplace.images import MAX_UPLOAD_BYTES
from marketplace.models import Province


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories indented by depth, in tree order."""

    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name}"


def _category_queryset():
    return Category.objects.order_by("path")


class ProductForm(forms.ModelForm):
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())

    class Meta:
        model = Product
        fields = [
            "title",
            "category",
            "sku",
            "price",
            "unit",
            "stock",
            "description",
            "story",
            "origin_province",
            "origin_commune",
            "certificate_number",
        ]
        help_texts = {
            "title": _("What buyers search for, e.g. “Hand-woven ikat sarong, indigo”."),
            "price": _("Price of one unit, in %(currency)s.")
            % {"currency": settings.MARKETPLACE_CURRENCY},
            "stock": _("How many units you can deliver now."),
            "story": _("Who made it, where and how: buyers love to know."),
            "sku": _("Your own reference. Left empty, one is made for you."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "story": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _category_queryset()
        self.fields["sku"].required = False
        self.fields["origin_province"].queryset = Province.objects.filter(
            country=settings.MARKETPLACE_COUNTRY, is_active=True
        ).order_by("name")
        self.fields["price"].validators.append(MaxValueValidator(MAX_PRICE))
        self.fields["price"].widget.attrs.update({"min": "0.01", "step": "0.01"})
        self.fields["stock"].validators.append(MaxValueValidator(MAX_STOCK))
        self.fields["stock"].widget.attrs.update({"min": 0, "max": MAX_STOCK})

    def _get_validation_exclusions(self):
        # SKU uniqueness is the service's to judge, with an error on the field.
        return super()._get_validation_exclusions() | {"sku"}

    def product_data(self) -> dict:
        data = dict(self.cleaned_data)
        if not self.instance.pk:
            # Left empty, the origin is the cooperative's own (the service's default).
            for name in ("origin_province", "origin_commune"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class StockForm(forms.Form):
    set_to = forms.IntegerField(label=_("New stock"), min_value=0, max_value=MAX_STOCK)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Add a photo"),
        help_text=_("JPEG, PNG or WebP, at most %(mb)d MB; up to 8 photos.")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("Read aloud to buyers who cannot see it."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV, at most 2 MB and 5,000 products."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class AppealForm(forms.Form):
    decision = IdField()
    statement = forms.CharField(
        label=_("Why should the block be lifted?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=120)
    category = forms.SlugField(required=False, widget=forms.HiddenInput)
    province = forms.ModelChoiceField(
        label=_("Province of origin"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("All provinces"),
    )
    min_price = forms.DecimalField(
        label=_("Minimum price"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=_("Maximum price"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    cooperative = IdField(required=False)
    min_stars = forms.TypedChoiceField(
        label=_("Certification"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any product")),
            ("3", _("3 stars or more")),
            ("4", _("4 stars or more")),
            ("5", _("5 stars")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match (newest without search words)")),
            ("newest", _("Newest")),
            ("price_asc", _("Price: low to high")),
            ("price_desc", _("Price: high to low")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.filter(
            country=settings.MARKETPLACE_COUNTRY, is_active=True
        ).order_by("name")

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or ""
        return sort if sort in SORTS else ""


class PhotoMoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", _("Up")), ("down", _("Down"))],
        error_messages={
            "required": _("Choose up or down."),
            "invalid_choice": _("Choose up or down."),
        },
    )
