"""Small pieces every app's views share."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def form_add_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside its field when the form has
    that field, at the top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def page_number(request) -> int:
    """The ``?page=`` of a list; anything that is not a number is the first page."""
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


class PublicNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Public name"),
        max_length=60,
        required=False,
        help_text=_(
            "Shown with your reviews instead of your email address. Leave it empty to show "
            "your first name and initial."
        ),
    )


class PreferredLanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=settings.LANGUAGES,
        help_text=_("Also the language the site speaks to you when you sign in."),
    )
