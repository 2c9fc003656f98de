"""The regulator's listing rules: create, change, seed a country's defaults. Every change
keeps a snapshot and has the catalog re-evaluated once it commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from marketplace.audit import Action, audit_record
from marketplace.celery import task_nudge
from marketplace.models import User
from marketplace.roles import user_is_regulator
from marketplace.unset import field_names, fields_given
from policy import kinds
from policy.errors import NotAllowed
from policy.models import Appeal, ListingRule, RuleChange
from policy.profiles import PROFILES
from policy.services.appeals import appeals_close
from policy.services.decisions import policy_version_bump
from policy.tasks import closure as closure_tasks


class RuleFields(TypedDict, total=False):
    """A listing rule's own fields: the keywords of ``rule_create`` and ``rule_update``
    (its categories are a separate argument)."""

    kind: str
    title: str
    legal_reference: str
    effective_from: date
    is_active: bool
    min_price_usd: Decimal | None
    usd_rate: Decimal | None
    certificate_kind: str
    certificate_format: str


RULE_FIELDS = field_names(RuleFields)


def _check_rule(fields: dict, categories: list[Category]) -> None:
    kind = kinds.kind_for(fields.get("kind", ""))
    if kind is None:
        raise ValidationError({"kind": _("Choose the kind of rule.")})
    kind.check(fields=fields, categories=categories)


def _snapshot(rule: ListingRule) -> dict:
    return {
        "kind": rule.kind,
        "title": rule.title,
        "legal_reference": rule.legal_reference,
        "categories": sorted(rule.categories.values_list("slug", flat=True)),
        "effective_from": rule.effective_from.isoformat(),
        "is_active": rule.is_active,
        "min_price_usd": str(rule.min_price_usd) if rule.min_price_usd is not None else None,
        "usd_rate": str(rule.usd_rate) if rule.usd_rate is not None else None,
        "certificate_kind": rule.certificate_kind,
        "certificate_format": rule.certificate_format,
    }


def _rule_change_record(*, rule: ListingRule, actor: User | None, action: str) -> None:
    """The rule's own history row and its line in the audit trail, together."""
    snapshot = _snapshot(rule)
    RuleChange.objects.create(rule=rule, actor=actor, action=action, snapshot=snapshot)
    audit_record(
        action=Action.RULE_CHANGED,
        actor=actor,
        subject=rule.title,
        detail={"rule": rule.pk, "change": action, "kind": rule.kind, "active": rule.is_active},
    )


def _require_regulator(actor: User) -> None:
    if actor is not None and not (user_is_regulator(actor) or actor.is_superuser):
        raise NotAllowed(_("Only a regulator can change the listing rules."))


def _after_rule_change(rule: ListingRule) -> None:
    """Re-evaluate the catalog once the change has committed, if it can matter now.

    The rule is left not yet enforced, so that beat's hourly enforcement re-evaluates
    it should the broker be away now: a rule change never waits on the broker.
    """
    if rule.effective_from <= timezone.localdate():
        transaction.on_commit(lambda: task_nudge(closure_tasks.reevaluate_listings, rule.pk))


@transaction.atomic
def rule_create(
    *,
    actor: User,
    categories: list[Category],
    **given_fields: Unpack[RuleFields],
) -> ListingRule:
    _require_regulator(actor)
    policy_version_bump()
    fields = fields_given(RuleFields, given_fields)
    _check_rule(fields, categories)
    rule = ListingRule.objects.create(**fields)
    rule.categories.set(categories)
    _rule_change_record(rule=rule, actor=actor, action="created")
    _after_rule_change(rule)
    return rule


@transaction.atomic
def rule_update(
    *,
    rule: ListingRule,
    actor: User,
    categories: list[Category] | None = None,
    **given_fields: Unpack[RuleFields],
) -> ListingRule:
    _require_regulator(actor)
    fields = fields_given(RuleFields, given_fields)
    policy_version_bump()
    rule = ListingRule.objects.select_for_update().get(pk=rule.pk)
    merged = {name: getattr(rule, name) for name in RULE_FIELDS} | fields
    new_categories = list(rule.categories.all()) if categories is None else categories
    _check_rule(merged, new_categories)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.enforced_on = None  # enforced again, by the task below or by beat
    rule.save()
    if categories is not None:
        rule.categories.set(categories)
    _rule_change_record(rule=rule, actor=actor, action="updated")
    if not rule.is_active:
        appeals_close(
            appeals=Appeal.objects.filter(rule=rule),
            reason=_("No longer needed: the rule was lifted."),
        )
    _after_rule_change(rule)
    return rule


@transaction.atomic
def rules_seed_defaults(*, country: str, actor: User | None = None) -> int:
    """Create the country profile's default rules that do not exist yet (by title)."""
    created = 0
    for spec in PROFILES.get(country, {}).get("listing_rules", []):
        spec = dict(spec)
        slugs = spec.pop("categories", [])
        if ListingRule.objects.filter(title=spec["title"]).exists():
            continue
        categories = list(Category.objects.filter(slug__in=slugs))
        _check_rule(spec, categories)
        rule = ListingRule.objects.create(**spec)
        rule.categories.set(categories)
        _rule_change_record(rule=rule, actor=actor, action="seeded")
        _after_rule_change(rule)
        created += 1
    return created
