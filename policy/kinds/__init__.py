"""The registry of listing-rule kinds: one module per kind, registered in ``KINDS``.

Each kind (a :class:`~policy.kinds.base.RuleKind`) holds its pure test on a listing's
facts, the same test as SQL for the set-based re-evaluation, its reason in plain words,
the form fields it asks for and how they are checked. The evaluation, the closure, the
rule services, the rule form and ``ListingRule.kind``'s choices all read the registry,
so adding a kind is adding its module and one line below (and the migration
``makemigrations`` then writes for the new choice).
"""

from __future__ import annotations

from django.db import models

from policy.kinds.base import RuleKind
from policy.kinds.crossborder_min_price import CrossborderMinPrice
from policy.kinds.protected_category import ProtectedCategory
from policy.kinds.required_certificate import RequiredCertificate

#: Every kind, in the order the regulator's pages list them.
KINDS: tuple[RuleKind, ...] = (
    ProtectedCategory(),
    CrossborderMinPrice(),
    RequiredCertificate(),
)

_BY_CODE: dict[str, RuleKind] = {kind.code: kind for kind in KINDS}
if len(_BY_CODE) != len(KINDS):
    raise RuntimeError("two rule kinds share a code")

#: ``ListingRule.kind``'s choices: ``Kind.PROTECTED_CATEGORY == "protected_category"``.
#: (Django's functional API for choices, which the type stubs do not describe.)
Kind: type[models.TextChoices] = models.TextChoices(  # type: ignore[call-overload]
    "Kind", [(kind.code.upper(), (kind.code, kind.label)) for kind in KINDS]
)


def kind_for(code: str) -> RuleKind | None:
    """The registered kind stored as ``code``, or ``None`` for a kind no longer known."""
    return _BY_CODE.get(code)


def kind_fields() -> tuple[str, ...]:
    """Every field some kind asks for, each once, in the order the kinds name them."""
    return tuple(dict.fromkeys(name for kind in KINDS for name in kind.fields))


__all__ = ["KINDS", "Kind", "RuleKind", "kind_fields", "kind_for"]
