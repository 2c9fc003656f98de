from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from marketplace.forms import IdField
from marketplace.identifiers import (
    identifier_normalise,
    tax_identifier_format,
    tax_identifier_valid,
)
from marketplace.images import MAX_UPLOAD_BYTES, check_document, open_checked_image
from marketplace.models import Province
from sellers.models import Cooperative, Membership
from sellers.registration import (
    registration_format,
    registration_number_clean,
    registration_number_valid,
)
from sellers.services import IDENTITY_FIELDS, PROFILE_FIELDS

MAX_MEMBERS = 1_000_000


class CooperativeForm(forms.ModelForm):
    """The onboarding and profile form. It checks the shape of the input; the
    services decide (location rules, locked identity, uniqueness under race)."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A square picture works best. JPEG, PNG or WebP, at most %(mb)d MB.")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    business_licence = forms.FileField(
        label=_("Business licence"),
        required=False,
        help_text=_(
            "Cooperatives registered outside the marketplace's country attach the business "
            "licence issued in their country (PDF, JPEG or PNG, at most 10 MB). Only you and "
            "the regulator can see it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        model = Cooperative
        fields = list(PROFILE_FIELDS)
        help_texts = {
            "legal_name": _("The name on the cooperative's registration certificate."),
            "registration_number": _(
                "The number on the registration certificate; unique within a country."
            ),
            "country": _("The country where the cooperative is registered."),
            "province": _("For cooperatives registered in the marketplace's country."),
            "commune": _("The commune or village where the members produce."),
            "member_count": _("How many producers are members today."),
            "story": _("What you make, where and how: buyers read this on your storefront."),
            "tax_identifier": _("The tax number the tax office gave the cooperative."),
            "payout_account": _(
                "Where sales are paid: bank name and account number, or the mobile-money number."
            ),
        }
        widgets = {"story": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, lock_identity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.filter(
            country=settings.MARKETPLACE_COUNTRY, is_active=True
        ).order_by("name")
        self.fields["country"].initial = settings.MARKETPLACE_COUNTRY
        self.fields["year_founded"].min_value = 1800
        self.fields["year_founded"].widget.attrs.update({"min": 1800, "max": timezone.now().year})
        self.fields["member_count"].widget.attrs.update({"min": 0, "max": MAX_MEMBERS})
        if lock_identity:
            for name in IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Reviewed by the regulator: ask the regulator's administrators to change it."
                )

    def _get_validation_exclusions(self):
        # Uniqueness of the registration number is reported on its field in clean().
        return super()._get_validation_exclusions() | {"registration_number"}

    def clean_year_founded(self):
        year = self.cleaned_data.get("year_founded")
        if year is not None and not 1800 <= year <= timezone.now().year:
            raise ValidationError(
                _("Give a year between 1800 and %(year)d."), params={"year": timezone.now().year}
            )
        return year

    def clean_member_count(self):
        count = self.cleaned_data.get("member_count")
        if count is not None and count > MAX_MEMBERS:
            raise ValidationError(_("That is more members than any cooperative has."))
        return count

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload:
            open_checked_image(upload)
        return upload

    def clean_business_licence(self):
        upload = self.cleaned_data.get("business_licence")
        if upload:
            check_document(upload)
        return upload

    def clean_tax_identifier(self):
        return identifier_normalise(self.cleaned_data.get("tax_identifier", ""))

    def clean(self):
        data = super().clean()
        country = str(data.get("country") or "")
        if data.get("registration_number") and not self.fields["registration_number"].disabled:
            data["registration_number"] = registration_number_clean(data["registration_number"])
            if country and not registration_number_valid(
                country=country, number=data["registration_number"]
            ):
                self.add_error(
                    "registration_number",
                    _("Give %(format)s.") % {"format": registration_format(country)[1]},
                )
        tax_identifier = data.get("tax_identifier")
        if (
            country
            and tax_identifier
            and not tax_identifier_valid(country=country, value=tax_identifier)
        ):
            self.add_error(
                "tax_identifier", _("Give %(format)s.") % {"format": tax_identifier_format(country)}
            )
        number = (data.get("registration_number") or "").strip()
        if country and number:
            duplicates = Cooperative.objects.filter(
                country=country, registration_number__iexact=number
            ).exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error(
                    "registration_number",
                    _("A cooperative with this registration number is already registered."),
                )
        return data

    def profile_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name in PROFILE_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or suspend; the cooperative's managers read it."),
    )


class DecisionForm(ReasonForm):
    override_missing = forms.BooleanField(
        label=_("Verify without the missing items"),
        required=False,
        help_text=_(
            "Only when you have checked them another way: say how in the reason. The "
            "history records what was missing."
        ),
    )
    action = forms.ChoiceField(
        choices=[
            ("verify", _("Verify")),
            ("reject", _("Reject")),
            ("suspend", _("Suspend")),
            ("reinstate", _("Reinstate")),
        ]
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class SwitchForm(forms.Form):
    cooperative = IdField()


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("All provinces"),
    )

    category = forms.ModelChoiceField(
        label=_("Sells in"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.filter(
            country=settings.MARKETPLACE_COUNTRY, is_active=True
        ).order_by("name")
        self.fields["category"].queryset = Category.objects.order_by("path")
        self.fields["category"].label_from_instance = lambda c: f"{'— ' * (c.depth - 1)}{c.name}"
