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


def form_refusal(form) -> str:
    """The first refusal of an invalid form, for a message: "Label: what is wrong"."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""


# The largest id PostgreSQL's bigint holds: a larger number in a form is no object's id.
ID_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    """An object's id in a POST: a positive integer a bigint column can hold; anything
    else (a word, a 5 000-digit number) is refused with the field's message."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid": _("This is not one of the choices offered.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
        # A refused id says the same whether it was a word or out of range.
        self.error_messages["min_value"] = self.error_messages["max_value"] = self.error_messages[
            "invalid"
        ]

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and (len(text) > len(str(ID_MAX)) or not (text.isascii() and text.isdigit())):
            # Only ASCII digits: int() would read "٣" as 3.
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdListField(forms.Field):
    """Several ids ticked in a list (``name=1&name=2``), each an :class:`IdField`, at most
    ``max_items`` of them."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("This is not one of the choices offered."),
        "too_many": _("Choose at most %(max)d at once."),
    }

    def __init__(self, *, max_items: int = 200, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(value) > self.max_items:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_items}
            )
        one = IdField(required=True)
        return sorted({one.clean(item) for item in value})


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
