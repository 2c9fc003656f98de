from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from marketplace.forms import IdField, IdListField
from marketplace.models import Province
from orders.models import MAX_QUANTITY, Order, SellerOrder
from orders.payments import payment_providers_enabled
from orders.services.checkout import ShippingAddress


class SellerQueueFilter(forms.Form):
    """The cooperative's order queue: which parts, and a search by order number or the
    buyer's name. Opens on the parts that need action; anything unreadable falls back to
    that, with the search kept as typed."""

    NEEDS_ACTION = "open"
    ALL = "all"

    status = forms.ChoiceField(required=False)
    q = forms.CharField(
        label=_("Order number or buyer's name"), required=False, max_length=100, strip=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (self.NEEDS_ACTION, _("Needs action")),
            *SellerOrder.Status.choices,
            (self.ALL, _("All")),
        ]

    def filters(self) -> tuple[str, str]:
        """(status, search): status is a SellerOrder status, NEEDS_ACTION or ALL."""
        self.is_valid()
        kept = self.cleaned_data  # the fields that were valid
        return kept.get("status") or self.NEEDS_ACTION, kept.get("q", "")


class AddToCartForm(forms.Form):
    product = IdField()
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=32,
        regex=r"^\+?[0-9 ()-]{6,32}$",
        error_messages={"invalid": _("Give a phone number: digits, spaces, + ( ) -.")},
        help_text=_("The courier calls this number."),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False
    )
    commune = forms.CharField(label=_("Commune or village"), max_length=120, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=250)
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        initial=Order.Payment.ON_DELIVERY,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Select a valid choice. This payment method is not offered.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = [
            (provider.code, provider.label) for provider in payment_providers_enabled()
        ]
        self.fields["country"].initial = settings.MARKETPLACE_COUNTRY
        self.fields["province"].queryset = Province.objects.filter(
            country=settings.MARKETPLACE_COUNTRY, is_active=True
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("country") == settings.MARKETPLACE_COUNTRY and not data.get("province"):
            self.add_error("province", _("Choose the province."))
        return data

    def session_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["province"] = data["province"].pk if data.get("province") else ""
        return data

    def shipping_address(self) -> ShippingAddress:
        data = self.cleaned_data
        return ShippingAddress(
            name=data["name"],
            phone=data["phone"],
            country=data["country"],
            province=data["province"].name if data.get("province") else "",
            commune=data.get("commune", ""),
            street=data["street"],
        )


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=80, required=False)
    tracking_reference = forms.CharField(
        label=_("Tracking reference"), max_length=80, required=False
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you return it?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty-{line.pk}"] = forms.IntegerField(
                label=line.title, min_value=0, max_value=line.quantity, required=False
            )

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(f"qty-{line.pk}") or 0
            for line in self.lines
            if self.cleaned_data.get(f"qty-{line.pk}")
        }


class ReturnDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    restock = forms.BooleanField(label=_("Put the items back in stock"), required=False)
    response = forms.CharField(
        label=_("Message to the buyer"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlaceOrderForm(forms.Form):
    """ "Place the order": the checkout's token (a second click lands on the same order)
    and the signed summary the buyer saw."""

    token = forms.UUIDField()
    quote = forms.CharField(max_length=8000)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel?"), max_length=500, required=False, widget=forms.Textarea
    )


class BulkConfirmForm(forms.Form):
    seller_orders = IdListField(max_items=200)


class SellerOrderActionForm(ShipForm):
    """One move of a part from its page: the action, and what it needs (the carrier and
    reference to ship, a reason to cancel)."""

    action = forms.ChoiceField(
        choices=[
            ("confirm", _("Confirm")),
            ("ship", _("Ship")),
            ("deliver", _("Mark delivered")),
            ("cash", _("Cash received")),
            ("cancel", _("Cancel")),
        ],
        error_messages={
            "invalid_choice": _("Choose an action."),
            "required": _("Choose an action."),
        },
    )
    reason = CancelForm.base_fields["reason"]


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
