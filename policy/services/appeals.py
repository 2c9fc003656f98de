"""Appeals: a cooperative contests a block; a regulator upholds it or grants an
exemption for that listing from that rule."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services.products import product_policy_refresh
from marketplace.audit import Action, audit_record
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from policy.errors import AppealRefused, NotAllowed
from policy.models import Appeal, AppealStatusChange, Exemption, ListingDecision
from policy.services.decisions import listing_decide, listing_facts
from policy.services.exemptions import exemption_facts
from sellers.selectors import manager_emails, member_of


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
            appeal = Appeal.objects.create(
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
    AppealStatusChange.objects.create(
        appeal=appeal, to_status=appeal.status, actor=actor, note=statement
    )
    audit_record(
        action=Action.APPEAL_FILED,
        actor=actor,
        cooperative_id=product.cooperative_id,
        subject=product.title,
        detail={"appeal": appeal.pk, "rule": appeal.rule_id, "product": product.pk},
    )
    return appeal


def _appeal_move(*, appeal: Appeal, to_status: str, actor, response: str) -> Appeal:
    """The one way an appeal changes status: checked against ``Appeal.TRANSITIONS`` on
    the locked row, saved with the decision's fields, recorded with its actor."""
    if not appeal.can_become(to_status):
        raise AppealRefused(_("This appeal has already been decided."))
    before = appeal.status
    appeal.status = to_status
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.response = response
    appeal.save(update_fields=["status", "decided_by", "decided_at", "response"])
    AppealStatusChange.objects.create(
        appeal=appeal,
        from_status=before,
        to_status=to_status,
        actor=actor,
        note=response,
        created_at=appeal.decided_at,
    )
    if actor is not None:
        audit_record(
            action=Action.APPEAL_DECIDED,
            actor=actor,
            cooperative_id=appeal.product.cooperative_id,
            subject=appeal.product.title,
            detail={"appeal": appeal.pk, "rule": appeal.rule_id, "outcome": to_status},
        )
    return appeal


def appeals_close(*, appeals, reason: str) -> int:
    """Close pending appeals that no longer need a decision (their block is gone): the
    set-based twin of :func:`_appeal_move`, one UPDATE and one INSERT of their trail."""
    closing = list(
        appeals.filter(status=Appeal.Status.PENDING)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not closing:
        return 0
    now = timezone.now()
    Appeal.objects.filter(pk__in=closing).update(
        status=Appeal.Status.CLOSED, decided_at=now, response=reason
    )
    AppealStatusChange.objects.bulk_create(
        AppealStatusChange(
            appeal_id=pk,
            from_status=Appeal.Status.PENDING,
            to_status=Appeal.Status.CLOSED,
            note=reason,
            created_at=now,
        )
        for pk in closing
    )
    return len(closing)


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
    _appeal_move(
        appeal=appeal,
        to_status=Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD,
        actor=actor,
        response=response,
    )
    if grant:
        Exemption.objects.create(
            product_id=appeal.product_id,
            rule_id=appeal.rule_id,
            appeal=appeal,
            granted_by=actor,
            facts=exemption_facts(listing_facts(product=product)),
        )
        product_policy_refresh(
            product=product,
            actor=actor,
            trigger=ListingDecision.Trigger.APPEAL,
        )
    _announce_decision(appeal)
    return appeal


def _announce_decision(appeal: Appeal) -> None:
    """Tell the cooperative's managers how the regulator decided, in this transaction,
    once an exemption it grants has been applied."""
    product = Product.objects.select_related("cooperative", "category").get(pk=appeal.product_id)
    emails_queue(
        messages=[
            Email(
                manager_emails(cooperative_ids=[product.cooperative_id]).get(
                    product.cooperative_id, []
                ),
                "policy/email/appeal_decided_subject.txt",
                "policy/email/appeal_decided.txt",
                {
                    "appeal": appeal,
                    "product": product,
                    # The listing as it stands now: live, or still blocked by another rule.
                    "still_blocked_by": [
                        block.reason for block in listing_decide(product=product).blocks
                    ],
                    "product_url": settings.SITE_URL.rstrip("/")
                    + reverse("catalog:product_edit", args=[product.pk]),
                },
            )
        ]
    )
