"""Appeals: a cooperative contests a block; a regulator upholds it or grants an
exemption for that listing from that rule."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services.products import product_policy_refresh
from marketplace.models import User
from marketplace.roles import user_is_regulator
from policy.errors import AppealRefused, NotAllowed
from policy.models import Appeal, Exemption, ListingDecision
from policy.services.decisions import listing_decide
from policy.tasks import appeals as appeal_tasks
from sellers.selectors import member_of


@transaction.atomic
def appeal_file(*, decision: ListingDecision, actor: User, statement: str) -> Appeal:
    """A member of the listing's cooperative appeals one blocking decision, once."""
    statement = (statement or "").strip()
    if not statement:
        raise AppealRefused(_("Explain why the block should be lifted."))
    if decision.outcome != ListingDecision.Outcome.BLOCKED or decision.rule_id is None:
        raise AppealRefused(_("Only a block can be appealed."))
    product = decision.product
    if member_of(user=actor, cooperative=product.cooperative) is None:
        raise NotAllowed(_("Only the listing's cooperative can appeal."))
    if Appeal.objects.filter(decision=decision).exists():
        raise AppealRefused(_("This decision has already been appealed."))
    if Appeal.objects.filter(
        product=product, rule_id=decision.rule_id, status=Appeal.Status.PENDING
    ).exists():
        raise AppealRefused(_("An appeal against this rule is already pending for this listing."))
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                decision=decision,
                product=product,
                rule_id=decision.rule_id,
                statement=statement,
                filed_by=actor,
            )
    except IntegrityError:  # another appeal for the same listing and rule, just now
        raise AppealRefused(
            _("An appeal against this rule is already pending for this listing.")
        ) from None


def appeals_close(*, appeals, reason: str) -> int:
    """Close pending appeals that no longer need a decision (their block is gone)."""
    return appeals.filter(status=Appeal.Status.PENDING).update(
        status=Appeal.Status.CLOSED, decided_at=timezone.now(), response=reason
    )


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, grant: bool, response: str) -> Appeal:
    """Uphold the block, or grant an exemption for this listing from this rule."""
    if not (user_is_regulator(actor) or actor.is_superuser):
        raise NotAllowed(_("Only a regulator can decide appeals."))
    appeal = Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise AppealRefused(_("This appeal has already been decided."))
    product = Product.objects.select_related("cooperative", "category").get(pk=appeal.product_id)
    if appeal.rule_id not in {block.rule_id for block in listing_decide(product=product).blocks}:
        raise AppealRefused(
            _(
                "This rule no longer blocks the listing (it was lifted or the listing "
                "changed): there is nothing left to decide."
            )
        )
    response = (response or "").strip()
    if not grant and not response:
        raise AppealRefused(_("Tell the seller why the block is upheld."))
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.response = response
    appeal.save(update_fields=["status", "decided_by", "decided_at", "response"])
    transaction.on_commit(lambda: appeal_tasks.send_appeal_decided_email.delay(appeal.pk))
    if grant:
        Exemption.objects.get_or_create(
            product_id=appeal.decision.product_id,
            rule_id=appeal.decision.rule_id,
            defaults={"appeal": appeal, "granted_by": actor},
        )
        product_policy_refresh(
            product=product,
            actor=actor,
            trigger=ListingDecision.Trigger.APPEAL,
        )
    return appeal
