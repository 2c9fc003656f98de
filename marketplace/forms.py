"""Small pieces every app's views share."""

from django.core.exceptions import ValidationError


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
