"""Tax rules: the regulator creates and edits them, audited; two enabled rules of the
same kind, tax and scope may not be in force on the same day. Country profiles seed
the defaults (``taxes_seed_defaults``), editable afterwards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from marketplace.audit import Action, audit_record
from marketplace.models import User
from marketplace.roles import user_is_regulator
from policy.errors import NotAllowed, TaxRuleRefused
from policy.models import TaxRule
from policy.profiles import PROFILES
from policy.selectors.taxes import tax_rules_changed

FIELDS = (
    "kind",
    "levy",
    "title",
    "legal_reference",
    "rate",
    "sellers",
    "min_yearly_turnover",
    "effective_from",
    "effective_to",
    "enabled",
)


def _check_regulator(actor: User | None) -> None:
    if actor is not None and not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can change tax rules."))


def _scope(rule: TaxRule, categories, exempt) -> tuple:
    return (
        rule.kind,
        rule.levy.strip().casefold(),
        frozenset(c.pk for c in categories),
        frozenset(c.pk for c in exempt),
        rule.sellers,
        rule.min_yearly_turnover,
    )


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def _check(rule: TaxRule, categories: list[Category], exempt: list[Category]) -> None:
    if rule.kind not in TaxRule.Kind.values:
        raise TaxRuleRefused(_("Choose the kind of tax."))
    if rule.sellers not in TaxRule.Sellers.values:
        raise TaxRuleRefused(_("Choose which sellers the rule covers."))
    if not rule.levy.strip() or not rule.title.strip():
        raise TaxRuleRefused(_("Give the tax levied and a title."))
    if not Decimal("0") <= rule.rate < Decimal("1"):
        raise TaxRuleRefused(_("The rate is a fraction from 0 to 0.9999 (0.11 for 11 %)."))
    if rule.effective_to is not None and rule.effective_to < rule.effective_from:
        raise TaxRuleRefused(_("The rule cannot end before it starts."))
    if {c.pk for c in categories} & {c.pk for c in exempt}:
        raise TaxRuleRefused(_("A category cannot be both covered and exempt."))
    if not rule.enabled:
        return
    mine = _scope(rule, categories, exempt)
    others = (
        TaxRule.objects.select_for_update()
        .filter(enabled=True, kind=rule.kind)
        .exclude(pk=rule.pk)
        .prefetch_related("categories", "exempt_categories")
    )
    for other in others:
        same = _scope(other, other.categories.all(), other.exempt_categories.all()) == mine
        if same and _overlaps(
            rule.effective_from, rule.effective_to, other.effective_from, other.effective_to
        ):
            raise TaxRuleRefused(
                _("“%(title)s” already sets this tax for the same scope on some of these dates.")
                % {"title": other.title}
            )


def _saved(rule: TaxRule, *, actor, categories, exempt, action: str) -> TaxRule:
    _check(rule, categories, exempt)
    rule.updated_at = timezone.now()
    rule.save()
    rule.categories.set(categories)
    rule.exempt_categories.set(exempt)
    audit_record(
        action=Action.TAX_RULE_CHANGED,
        actor=actor,
        subject=rule.title,
        detail={
            "rule": rule.pk,
            "change": action,
            "kind": rule.kind,
            "levy": rule.levy,
            "rate": str(Decimal(rule.rate).quantize(Decimal("0.0001"))),
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
            "enabled": rule.enabled,
            "categories": sorted(c.slug for c in categories),
            "exempt": sorted(c.slug for c in exempt),
        },
    )
    transaction.on_commit(tax_rules_changed)
    tax_rules_changed()
    return rule


@transaction.atomic
def tax_rule_create(
    *, actor: User | None, categories=(), exempt_categories=(), **fields
) -> TaxRule:
    _check_regulator(actor)
    rule = TaxRule(**{name: value for name, value in fields.items() if name in FIELDS})
    return _saved(
        rule,
        actor=actor,
        categories=list(categories),
        exempt=list(exempt_categories),
        action="created",
    )


@transaction.atomic
def tax_rule_update(
    *, rule: TaxRule, actor: User, categories=(), exempt_categories=(), **fields
) -> TaxRule:
    """Change a rule. Orders already placed keep the rates they were placed with."""
    _check_regulator(actor)
    rule = TaxRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        if name in FIELDS:
            setattr(rule, name, value)
    return _saved(
        rule,
        actor=actor,
        categories=list(categories),
        exempt=list(exempt_categories),
        action="updated",
    )


@transaction.atomic
def taxes_seed_defaults(*, country: str, actor: User | None = None) -> int:
    """Create the country profile's default tax rules not there yet (by title)."""
    created = 0
    for spec in PROFILES.get(country, {}).get("tax_rules", []):
        spec = dict(spec)
        if TaxRule.objects.filter(title=spec["title"]).exists():
            continue
        categories = list(Category.objects.filter(slug__in=spec.pop("categories", [])))
        exempt = list(Category.objects.filter(slug__in=spec.pop("exempt", [])))
        spec.setdefault("effective_from", date(2025, 1, 1))
        rule = TaxRule(**spec)
        _saved(rule, actor=actor, categories=categories, exempt=exempt, action="seeded")
        created += 1
    return created
