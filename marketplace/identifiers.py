"""Official numbers people type (certificate numbers, registration numbers): one way to
clean them before they are stored or checked.

NFKC, invisible and control characters removed, runs of whitespace made one space, upper
case: "id-halal-1" typed with a zero-width space or full-width letters is the same number,
and a zero-width space alone is no number at all.
"""

import unicodedata

# At least three characters, at least one digit, letters, digits and the separators
# numbers are printed with. Refuses ".", "-", "none", "n/a" and the like.
GENERIC_FORMAT = r"(?=.*[0-9])[A-Z0-9][A-Z0-9 ./-]{2,39}"

_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def identifier_normalise(value: str) -> str:
    """The number as stored: NFKC, no invisible characters, single spaces, upper case."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    return " ".join(text.split()).upper()
