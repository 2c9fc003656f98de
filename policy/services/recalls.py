"""Recalls: a regulator takes one product, or every product of a cooperative, off the
market at once, and closes the recall later with a note.

Opening a recall works in a fixed number of statements however many products it
covers: the unshipped order parts holding them are locked and put on hold first (the
order every path takes its locks in: order parts, then products), then the products
leave the catalog (and so search) in one UPDATE, every cart in one DELETE, and the
buyers who received them in the last ``RECALL_NOTIFY_DAYS`` days get one email each,
stored in one INSERT and rendered by the outbox relay.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, StatusTrigger
from catalog.pagecache import catalog_changed
from catalog.services.status import products_status_set
from marketplace.audit import Action, audit_record
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.roles import user_is_regulator
from marketplace.sql import insert_select
from orders.selectors import recent_receivers
from orders.services.cart import cart_lines_remove_products
from orders.services.fulfilment import seller_orders_hold_for_recall
from policy.errors import NotAllowed, RecallRefused
from policy.models import Inspection, Recall, RecallProduct
from policy.services.inspections import inspection_outcome_carried
from sellers.models import Cooperative
from sellers.selectors import manager_emails

TEXT_LIMIT = 4000


def _check_regulator(actor: User) -> None:
    if not user_is_regulator(actor):
        raise NotAllowed(_("Only a regulator can recall products."))


def _text(value: str, *, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RecallRefused(missing)
    if len(value) > TEXT_LIMIT or "\x00" in value:
        raise RecallRefused(
            _("Keep each text under %(limit)s characters, without control characters.")
            % {"limit": TEXT_LIMIT}
        )
    return value


def _not_under_open_recall():
    return ~Exists(RecallProduct.objects.filter(product_id=OuterRef("pk"), open=True))


def _managers_email(recall: Recall, template: str) -> None:
    emails_queue(
        messages=[
            Email(
                manager_emails(cooperative_ids=[recall.cooperative_id]).get(
                    recall.cooperative_id, []
                ),
                f"policy/email/{template}_subject.txt",
                f"policy/email/{template}.txt",
                {"recall": recall, "path": reverse("recalls:detail", args=[recall.pk])},
            )
        ]
    )


def _buyers_email(recall: Recall, product_ids) -> int:
    """One email to each buyer who received a recalled product lately (deferred:
    stored in one INSERT, rendered in the buyer's language by the relay)."""
    since = timezone.now() - timedelta(days=settings.RECALL_NOTIFY_DAYS)
    receivers = recent_receivers(product_ids=product_ids, since=since)
    if not receivers:
        return 0
    notice = {
        "number": recall.number,
        "cooperative": recall.cooperative.legal_name,
        "hazard": recall.hazard,
        "risk": recall.risk,
        "measures": recall.measures,
        "buyer_action": recall.buyer_action,
        "path": reverse("recalls:detail", args=[recall.pk]),
    }
    emails_queue(
        messages=[
            Email(
                [email],
                "policy/email/recall_buyer_subject.txt",
                "policy/email/recall_buyer.txt",
                {"recall": notice, "received": received},
            )
            for email, received in receivers.items()
        ],
        defer=True,
    )
    return len(receivers)


@transaction.atomic
def recall_open(
    *,
    actor: User,
    hazard: str,
    risk: str,
    measures: str,
    buyer_action: str,
    product: Product | None = None,
    cooperative: Cooperative | None = None,
    inspection: Inspection | None = None,
) -> Recall:
    """Recall ``product``, or every listing of ``cooperative`` that is not archived and
    not already under an open recall. Refused, with nothing changed, when the product
    is archived or already recalled, or the cooperative has nothing left to recall."""
    _check_regulator(actor)
    if (product is None) == (cooperative is None):
        raise RecallRefused(_("Recall one product or one cooperative."))
    hazard = _text(hazard, missing=_("Describe the hazard."))
    measures = _text(measures, missing=_("Say what measures were taken."))
    if risk not in Recall.Risk.values:
        raise RecallRefused(_("Choose the risk level."))
    if buyer_action not in Recall.BuyerAction.values:
        raise RecallRefused(_("Choose what buyers should do."))
    if product is not None:
        found = list(Product.objects.filter(pk=product.pk).values_list("cooperative_id", flat=True))
        if not found:
            raise RecallRefused(_("This product does not exist."))
        cooperative_id = found[0]
        own = Product.objects.filter(pk=product.pk)
    else:
        assert cooperative is not None  # one of the two, checked above
        cooperative_id = cooperative.pk
        own = Product.objects.filter(cooperative_id=cooperative_id)
    candidates = own.exclude(status=Product.Status.ARCHIVED).filter(_not_under_open_recall())
    if product is not None and not candidates.exists():
        raise RecallRefused(_("This product is archived or already under an open recall."))
    reason = _("Recall: %(hazard)s") % {"hazard": hazard[:200]}
    # Order parts first, then the products: the order a cancellation takes its locks in.
    held = seller_orders_hold_for_recall(
        product_ids=candidates.values("pk"), reason=reason, actor=actor
    )
    # Then the products, locked and moved (the catalog and search drop them).
    moves = products_status_set(
        products=candidates,
        to_status=Product.Status.RECALLED,
        actor=actor,
        trigger=StatusTrigger.RECALL,
        reason=reason,
    )
    if not moves:
        raise RecallRefused(
            _("This product was recalled just now.")
            if product is not None
            else _("This cooperative has no product left to recall.")
        )
    recall = Recall.objects.create(
        scope=Recall.Scope.PRODUCT if product is not None else Recall.Scope.COOPERATIVE,
        cooperative_id=cooperative_id,
        product=product,
        hazard=hazard,
        risk=risk,
        measures=measures,
        buyer_action=buyer_action,
        product_count=moves.count,
        opened_by=actor,
    )
    moved = own.filter(status=Product.Status.RECALLED, updated_at=moves.at)
    try:
        with transaction.atomic():
            # The products just moved (locked by this transaction until it commits);
            # the partial unique index refuses one already under an open recall.
            insert_select(
                RecallProduct,
                source=moved,
                columns={"product_id": "pk"},
                constants={"recall_id": recall.pk, "open": True},
            )
    except IntegrityError:
        raise RecallRefused(_("One of these products was recalled just now.")) from None
    recalled = RecallProduct.objects.filter(recall=recall).values("product_id")
    # A checkout that held a product's lock before this recall did commits its order
    # before the products move: a second pass holds it too, skipping (rather than
    # waiting for, against the lock order) a part someone else is changing right now.
    held += seller_orders_hold_for_recall(
        product_ids=recalled, reason=reason, actor=actor, skip_locked=True
    )
    carts = cart_lines_remove_products(product_ids=recalled)
    buyers = _buyers_email(recall, recalled)
    if inspection is not None:
        inspection_outcome_carried(
            inspection=inspection, actor=actor, outcome=Inspection.Outcome.RECALL
        )
    audit_record(
        action=Action.RECALL_OPENED,
        actor=actor,
        cooperative_id=cooperative_id,
        subject=recall.number,
        detail={
            "recall": recall.pk,
            "scope": recall.scope,
            "risk": risk,
            "products": moves.count,
            "orders_held": len(held),
            "cart_lines_removed": carts,
            "buyers_emailed": buyers,
        },
    )
    _managers_email(recall, "recall_opened")
    catalog_changed()
    return recall


@transaction.atomic
def recall_close(*, recall: Recall, actor: User, note: str) -> Recall:
    """Close an open recall with a note. Its products stay off the market: they become
    unpublished, for their seller to publish again (and the policy to decide)."""
    _check_regulator(actor)
    note = _text(note, missing=_("Say why the recall is closed."))
    recall = Recall.objects.select_for_update().select_related("cooperative").get(pk=recall.pk)
    if recall.status != Recall.Status.OPEN:
        raise RecallRefused(_("This recall is already closed."))
    lines = RecallProduct.objects.filter(recall=recall, open=True)
    products_status_set(
        products=Product.objects.filter(pk__in=lines.values("product_id")),
        to_status=Product.Status.UNPUBLISHED,
        actor=actor,
        trigger=StatusTrigger.RECALL,
        reason=_("Recall %(number)s closed") % {"number": recall.number},
    )
    lines.update(open=False)
    recall.status = Recall.Status.CLOSED
    recall.closed_at = timezone.now()
    recall.closed_by = actor
    recall.close_note = note
    recall.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit_record(
        action=Action.RECALL_CLOSED,
        actor=actor,
        cooperative_id=recall.cooperative_id,
        subject=recall.number,
        detail={"recall": recall.pk, "note": note[:200]},
    )
    _managers_email(recall, "recall_closed")
    catalog_changed()
    return recall
