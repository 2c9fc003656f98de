"""Registration numbers: the format of each country's business register, checked when a
cooperative registers and again before a regulator verifies it.

A number is cleaned as every official number is (marketplace.identifiers), then must
match its country's format whole. A country without a format of its own takes the
generic one (letters, digits and separators, with at least one digit), which still
refuses ".", "-", "none" and the like.
"""

import re

from django.utils.translation import gettext_lazy as _

from marketplace.identifiers import GENERIC_FORMAT, identifier_normalise

# country -> (expression, how to describe it to the person typing it)
REGISTRATION_FORMATS = {
    # NIB (Nomor Induk Berusaha, 13 digits), or a cooperative's legal-entity number
    # ("AHU-0001234.AH.01.26.TAHUN 2019", "518/BH/XV/2011").
    "ID": (
        rf"[0-9]{{13}}|{GENERIC_FORMAT}",
        _("the 13-digit NIB, or the cooperative's legal-entity number"),
    ),
    # Enterprise code: 10 digits, a branch adds "-" and 3 digits.
    "VN": (r"[0-9]{10}(-[0-9]{3})?", _("the 10-digit enterprise code (a branch adds -001)")),
    # Unified social credit code: 18 characters, without I, O, S, V or Z.
    "CN": (
        r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}",
        _("the 18-character unified social credit code"),
    ),
}
_GENERIC = (GENERIC_FORMAT, _("the number on the registration certificate (with its digits)"))


def registration_number_clean(number: str) -> str:
    return identifier_normalise(number)


def registration_format(country: str) -> tuple[str, str]:
    """(expression, description) of ``country``'s registration numbers."""
    return REGISTRATION_FORMATS.get(str(country).upper(), _GENERIC)


def registration_number_valid(*, country: str, number: str) -> bool:
    pattern, _description = registration_format(country)
    cleaned = registration_number_clean(number)
    return bool(cleaned) and re.fullmatch(pattern, cleaned) is not None
