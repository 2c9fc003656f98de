"""How services take the fields of a record: explicit, typed keywords, stated once.

A service that creates or changes a record takes its fields as keywords typed by a
``TypedDict`` (``**fields: Unpack[ProductFields]``, PEP 692): mypy checks each keyword
and its type at every call, and the names are written in one place, shared by the
create and the update service, the forms and the admin. An update changes only the
fields it was given (``None`` is a value: leaving a field out is how to keep it).
At run time ``fields_given`` refuses a name the ``TypedDict`` does not declare, so a
caller that passes a dict (a form's cleaned data) fails loudly on a typo too.

``UNSET`` stays the default of single optional keywords where "not given" and
``None`` mean different things.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final


class Unset(enum.Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were passed, without those left ``UNSET``."""
    return {name: value for name, value in values.items() if value is not UNSET}


def field_names(spec: type) -> tuple[str, ...]:
    """The fields a ``TypedDict`` declares, in the order it declares them."""
    return tuple(spec.__annotations__)


def fields_given(spec: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as a plain dict, refusing (``TypeError``) a name ``spec`` lacks."""
    unknown = set(values) - set(spec.__annotations__)
    if unknown:
        raise TypeError(f"unknown {spec.__name__} fields: {sorted(unknown)}")
    return dict(values)
