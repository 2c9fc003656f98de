"""``UNSET``: the default of a service's optional keyword parameters.

Services take each field as an explicit, typed keyword rather than ``**fields``: a
caller's typo is a ``TypeError`` at the call and mypy checks the types. An update
service changes only the fields it was given; ``given(...)`` collects them (``None`` is
a value, so "not given" needs its own marker).
"""

from __future__ import annotations

import enum
from typing import Any, Final


class Unset(enum.Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were passed, without those left ``UNSET``."""
    return {name: value for name, value in values.items() if value is not UNSET}
