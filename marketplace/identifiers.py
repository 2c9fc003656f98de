"""Official numbers people type (certificate numbers, registration numbers): one way to
clean them before they are stored or checked.

NFKC, invisible and control characters removed, runs of whitespace made one space, upper
case: "id-halal-1" typed with a zero-width space or full-width letters is the same number,
and a zero-width space alone is no number at all.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

# At least three characters, at least one digit, letters, digits and the separators
# numbers are printed with. Refuses ".", "-", "none", "n/a" and the like.
GENERIC_FORMAT = r"(?=.*[0-9])[A-Z0-9][A-Z0-9 ./-]{2,39}"

_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def identifier_normalise(value: str) -> str:
    """The number as stored: NFKC, no invisible characters, single spaces, upper case."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    return " ".join(text.split()).upper()


# Tax identifiers by country: Indonesia's NPWP (15 digits, or 16 since the NIK-based
# numbers), Vietnam's tax code (10 digits, -3 for a branch), Burundi's NIF (10 digits).
_TAX_IDENTIFIER_FORMATS = {
    "ID": (r"\d{15}|\d{16}", _("the NPWP: 15 or 16 digits (dots and dashes may stay)")),
    "VN": (r"\d{10}(-\d{3})?", _("the 10-digit tax code (a branch adds -001)")),
    "BI": (r"\d{10}", _("the 10-digit NIF")),
}
_GENERIC_TAX = _("the number the tax office gave (with its digits)")


def tax_identifier_format(country: str) -> str:
    """How to describe ``country``'s tax identifiers to the person typing one."""
    return str(_TAX_IDENTIFIER_FORMATS.get(str(country), (None, _GENERIC_TAX))[1])


def tax_identifier_valid(*, country: str, value: str) -> bool:
    """Whether ``value`` looks like a tax identifier of ``country`` (its known format,
    ignoring the dots, dashes and spaces it is printed with; else the generic one)."""
    text = identifier_normalise(value)
    known, _description = _TAX_IDENTIFIER_FORMATS.get(str(country), (None, ""))
    if known is None:
        return bool(re.fullmatch(GENERIC_FORMAT, text))
    if country == "VN":
        return bool(re.fullmatch(known, text.replace(" ", "").replace(".", "")))
    return bool(re.fullmatch(known, re.sub(r"[ .\-]", "", text)))
