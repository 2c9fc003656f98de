"""Certificate numbers: how they are cleaned before they are stored, and the formats a
required-certificate rule checks them against (part of the policy's low layer).

A number is normalised on every write as every official number is (see
marketplace.identifiers).
A rule's format is a regular expression the whole number must match; the regulator may
edit it per rule, and each certificate kind has a default. The same expression runs in
Python (the pure evaluation) and in the database (the set-based re-evaluation), so it
keeps to the syntax both share: classes, groups, alternation, counts, lookahead.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from marketplace.identifiers import GENERIC_FORMAT as _GENERIC
from marketplace.identifiers import identifier_normalise

DEFAULT_FORMATS = {
    # BPJPH / MUI halal certificates: "ID31110000123450823", "00150086420818".
    "halal": _GENERIC,
    # National standard product certificates: "SPPT-SNI 1234-2020".
    "national_standard": _GENERIC,
    # Food-safety registrations: "MD 224510001234", "P-IRT 2063201010123-24".
    "food_safety": _GENERIC,
}

# A group holding a repetition (+, *, {n,m}) that is itself repeated.
_NESTED_REPEAT = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")


def certificate_normalise(value: str) -> str:
    """The number as stored (marketplace.identifiers says how it is cleaned)."""
    return identifier_normalise(value)


def certificate_format(*, kind: str, custom: str = "") -> str:
    """The expression a rule checks: its own, else its kind's default."""
    return custom or DEFAULT_FORMATS.get(kind, _GENERIC)


def certificate_matches(number: str, pattern: str) -> bool:
    """Whether the (stored, normalised) number matches the whole ``pattern``."""
    return bool(number) and re.fullmatch(pattern or _GENERIC, number) is not None


def certificate_matches_sql(field: str, pattern: str) -> Q:
    """The SQL form of :func:`certificate_matches`, on the listings' column ``field``:
    no number matches no format, even one that would match the empty string."""
    return ~Q(**{field: ""}) & Q(**{f"{field}__regex": f"^(?:{pattern or _GENERIC})$"})


def certificate_format_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot serve as a format (``None`` when it can)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    if re.search(r"\(\?[P<!#]|\\[dDwWsSbBAZ]", pattern):
        return _("use explicit classes such as [0-9] and plain groups")
    if _NESTED_REPEAT.search(pattern):
        # "(A+)+B" takes exponential time on a long non-matching number, and every
        # listing decision runs the format: a typo must not hang publishing.
        return _("a repeated group may not itself contain a repetition")
    return None
