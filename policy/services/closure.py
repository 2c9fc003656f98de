"""Progressive closure: after a rule change the whole catalog is judged again with a few
set-based statements, whatever its size; listings a rule now forbids are suspended,
those no rule forbids any more come back."""

from __future__ import annotations

import functools
import operator
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalog.models import Product, ProductStatusChange
from catalog.services.status import products_status_set
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from policy import evaluation, kinds
from policy.models import Appeal, Exemption, ListingDecision, ListingRule
from policy.selectors import closure as closure_selectors
from policy.services.appeals import appeals_close
from policy.services.decisions import policy_version_bump, rules_in_force


@dataclass(frozen=True)
class Reevaluation:
    run: uuid.UUID
    suspended: int
    released: int


def violation_condition(rule: evaluation.RuleFacts, *, home_country: str) -> Q:
    """The SQL form of ``evaluation.evaluate`` for one rule, as a condition on Product:
    its kind's condition, less the listings exempted from the rule."""
    kind = kinds.kind_for(rule.kind)
    if kind is None:
        return Q(pk__in=[])
    exempted = Q(pk__in=Exemption.objects.in_force().filter(rule_id=rule.id).values("product_id"))
    return kind.violators(rule, home_country=home_country) & ~exempted


def _move_decided(
    products: QuerySet, *, run: uuid.UUID, to_status: str, actor, reason: str = ""
) -> int:
    """Move the listings the decisions of ``run`` name, through the catalog's status
    service, and point each decision at its listing's move; returns how many moved.

    The moves of one call share their timestamp, and their rows stay locked until the
    commit: (product, timestamp, status) names one move, in one UPDATE for any size."""
    moves = products_status_set(
        products=products.filter(
            pk__in=ListingDecision.objects.filter(run=run).values("product_id")
        ),
        to_status=to_status,
        actor=actor,
        trigger=ProductStatusChange.Trigger.POLICY,
        reason=reason,
    )
    if moves.at is not None:
        ListingDecision.objects.filter(run=run).update(
            status_change=Subquery(
                ProductStatusChange.objects.filter(
                    product_id=OuterRef("product_id"),
                    created_at=moves.at,
                    to_status=to_status,
                ).values("pk")[:1]
            )
        )
    return moves.count


def _insert_decisions_for(
    products: QuerySet,
    *,
    rule_id: int | None,
    outcome: str,
    reason: str,
    actor_id: int | None,
    run: uuid.UUID,
    now,
) -> int:
    """``INSERT INTO decisions ... SELECT`` over ``products``: one statement, any size."""
    table = ListingDecision._meta.db_table

    def field(name: str) -> Field:
        concrete = ListingDecision._meta.get_field(name)
        assert isinstance(concrete, Field)  # a column of this model, by name
        return concrete

    candidates = products.annotate(candidate_id=F("pk")).values("candidate_id")
    select_sql, select_params = candidates.query.sql_with_params()
    values = [
        rule_id,
        outcome,
        reason,
        ListingDecision.Trigger.RULE,
        actor_id,
        field("run").get_db_prep_value(run, connection),
        field("created_at").get_db_prep_value(now, connection),
    ]
    sql = (
        f"INSERT INTO {table} (product_id, rule_id, outcome, reason, trigger, actor_id, "  # noqa: S608
        f"run, created_at) "
        f"SELECT candidates.candidate_id, {', '.join(['%s'] * len(values))} "
        f"FROM ({select_sql}) AS candidates"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *select_params])
        return cursor.rowcount


@transaction.atomic
def listings_reevaluate(
    *, actor: User | None = None, cooperative_id: int | None = None
) -> Reevaluation:
    """Suspend every active listing that a rule in force now forbids, and bring back
    suspended listings that no rule forbids any more. Set-based: a handful of
    statements per rule, no loop over products. Idempotent: a second run finds
    nothing to change. It waits for the listing writes deciding now (see
    :func:`policy.services.decisions.policy_version_share`) and makes new ones wait.
    """
    policy_version_bump()
    run = uuid.uuid4()
    now = timezone.now()
    home = settings.MARKETPLACE_COUNTRY
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    scope = Product.objects.all()
    if cooperative_id is not None:
        scope = scope.filter(cooperative_id=cooperative_id)
    rules = rules_in_force()
    Status = Product.Status

    # Reasons stored for the record are written in the site's default language.
    with override(settings.LANGUAGE_CODE):
        for rule in rules:
            condition = violation_condition(rule, home_country=home)
            violators = scope.filter(condition, status=Status.ACTIVE)
            reason = _rule_reason_for_record(rule)
            _insert_decisions_for(
                violators,
                rule_id=rule.id,
                outcome=ListingDecision.Outcome.BLOCKED,
                reason=reason,
                actor_id=actor_id,
                run=run,
                now=now,
            )
        suspended = _move_decided(
            scope.filter(status=Status.ACTIVE), run=run, to_status=Status.SUSPENDED, actor=actor
        )

        forbidden = functools.reduce(
            operator.or_,
            (violation_condition(rule, home_country=home) for rule in rules),
            Q(pk__in=[]),
        )
        released_candidates = scope.filter(status=Status.SUSPENDED).exclude(forbidden)
        released_run = uuid.uuid4()
        _insert_decisions_for(
            released_candidates,
            rule_id=None,
            outcome=ListingDecision.Outcome.ALLOWED,
            reason=_("No rule in force forbids this listing any more."),
            actor_id=actor_id,
            run=released_run,
            now=now,
        )
        released = _move_decided(
            scope.filter(status=Status.SUSPENDED),
            run=released_run,
            to_status=Status.ACTIVE,
            actor=actor,
        )

    appeals_close(
        appeals=Appeal.objects.filter(product__in=scope).exclude(rule_id__in=[r.id for r in rules]),
        reason=_("No longer needed: the rule is not in force any more."),
    )

    if suspended or released:
        _announce_reevaluation(runs=[str(run), str(released_run)])
    return Reevaluation(run=run, suspended=suspended, released=released)


def _announce_reevaluation(*, runs: list[str]) -> None:
    """Email each affected cooperative's managers once, in this transaction, with its
    listings these runs suspended or brought back."""
    workspace_url = settings.SITE_URL.rstrip("/") + reverse("catalog:workspace_products")
    emails_queue(
        messages=[
            Email(
                managers,
                "policy/email/reevaluation_subject.txt",
                "policy/email/reevaluation.txt",
                {
                    "cooperative": cooperative,
                    "suspended": suspended,
                    "released": released,
                    "workspace_url": workspace_url,
                },
            )
            for cooperative, managers, suspended, released in (
                closure_selectors.reevaluation_changes_by_cooperative(runs=runs)
            )
        ]
    )


def _rule_reason_for_record(rule: evaluation.RuleFacts) -> str:
    """The reason of a block, for every listing the rule blocks: its categories named
    together."""
    kind = kinds.kind_for(rule.kind)
    if kind is None:  # blocks nothing: see violation_condition
        return ""
    return kind.reason(
        rule,
        category_name=", ".join(rule.category_names),
        currency=settings.MARKETPLACE_CURRENCY,
    )


@transaction.atomic
def rules_enforce_due(*, today=None) -> Reevaluation | None:
    """Re-evaluate once for rules that reached their effective date, or were changed
    (lifted, say) while their re-evaluation could not be queued (Celery beat)."""
    today = today or timezone.localdate()
    due = ListingRule.objects.select_for_update(skip_locked=True).filter(
        Q(enforced_on__isnull=True) | Q(enforced_on__lt=F("effective_from"), is_active=True),
        effective_from__lte=today,
    )
    due_ids = list(due.values_list("pk", flat=True))
    if not due_ids:
        return None
    result = listings_reevaluate()
    ListingRule.objects.filter(pk__in=due_ids).update(enforced_on=today)
    return result
