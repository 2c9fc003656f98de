"""What every kind of listing rule says about itself.

A kind answers the same question twice: in Python on one listing's facts
(:meth:`RuleKind.violated_by`, which the pure evaluation and every listing write use)
and in SQL over the whole catalog (:meth:`RuleKind.violators`, which the set-based
re-evaluation uses). The two must agree; ``tests/policy/test_evaluation.py`` checks
that they do for every registered kind.

The SQL conditions name the listing's fields by lookup (``cooperative__country``,
``category__path``, ...) and are applied to the catalog's listings by the closure
service: this low layer of the policy does not import the catalog.
"""

from __future__ import annotations

import functools
import operator
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Q

from policy.facts import Block, ListingFacts, RuleFacts

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


#: A condition no listing meets.
NOTHING = Q(pk__in=[])


def cross_border(listing: ListingFacts, *, home_country: str) -> bool:
    return listing.seller_country != home_country


def cross_border_sql(*, home_country: str) -> Q:
    """The SQL form of :func:`cross_border`."""
    return ~Q(cooperative__country=home_country)


def under_sql(paths: Sequence[str]) -> Q:
    """The SQL form of :meth:`RuleFacts.covers`: in one of ``paths`` or below it."""
    return functools.reduce(
        operator.or_, (Q(category__path__startswith=path) for path in paths), NOTHING
    )


def reference(rule: RuleFacts) -> str:
    """The rule's legal reference, as it follows the rule's title in a reason."""
    return f" ({rule.legal_reference})" if rule.legal_reference else ""


class RuleKind(ABC):
    """One kind of listing rule: its test, in Python and in SQL, its reason in plain
    words, what it asks the regulator for, and how that is checked."""

    #: The value stored in ``ListingRule.kind``.
    code: ClassVar[str]
    #: Its name, as the regulator's pages show it.
    label: ClassVar[StrOrPromise]
    #: The button that starts a new rule of this kind.
    new_label: ClassVar[StrOrPromise]
    #: One line under that button.
    summary: ClassVar[StrOrPromise]
    #: What a rule of this kind does, beside its form.
    description: ClassVar[StrOrPromise]
    #: The rule's fields its form asks for, beyond those every rule has (title, legal
    #: reference, effective date, active); ``categories`` included when it uses them.
    fields: ClassVar[tuple[str, ...]] = ()
    #: The label and help of the categories field, when ``categories`` is in ``fields``.
    categories_label: ClassVar[StrOrPromise] = ""
    categories_help: ClassVar[StrOrPromise] = ""
    #: The title of the form's section holding the other fields of ``fields``.
    terms_legend: ClassVar[StrOrPromise] = ""

    @abstractmethod
    def violated_by(self, rule: RuleFacts, listing: ListingFacts, *, home_country: str) -> bool:
        """Whether ``rule`` (of this kind, in force) forbids ``listing``."""

    @abstractmethod
    def violators(self, rule: RuleFacts, *, home_country: str) -> Q:
        """The SQL form of :meth:`violated_by`: a condition on the catalog's listings."""

    @abstractmethod
    def reason(self, rule: RuleFacts, *, category_name: str, currency: str) -> str:
        """Why ``rule`` blocks a listing in ``category_name``, in plain words, in the
        active language."""

    @abstractmethod
    def check(self, *, fields: Mapping[str, Any], categories: Sequence[object]) -> None:
        """Raise ``ValidationError`` (keyed by field) unless ``fields`` and
        ``categories`` make a rule of this kind."""

    def block(
        self, rule: RuleFacts, listing: ListingFacts, *, home_country: str, currency: str
    ) -> Block | None:
        """The pure test: the block ``rule`` puts on ``listing``, or ``None``."""
        if not self.violated_by(rule, listing, home_country=home_country):
            return None
        return Block(
            rule_id=rule.id,
            kind=rule.kind,
            title=rule.title,
            legal_reference=rule.legal_reference,
            reason=self.reason(rule, category_name=listing.category_name, currency=currency),
        )

    def terms_fields(self) -> tuple[str, ...]:
        """The fields of ``fields`` other than the categories."""
        return tuple(name for name in self.fields if name != "categories")
