"""A seller order's life: confirm, ship, deliver, cash received, cancel (stock returns).

One transition function checks ``SellerOrder.TRANSITIONS`` under a row lock, records
the move with its actor, and announces it by email through the outbox.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services.stock import stock_return
from marketplace.models import User
from marketplace.notifications import Email, emails_queue
from marketplace.sql import in_list, insert_select
from orders.locks import seller_order_lock
from orders.models import Order, OrderLine, SellerOrder, SellerOrderStatusChange
from orders.services.assessment import sale_complete
from sellers.selectors import is_member, manager_emails

Status = SellerOrder.Status


class FulfilmentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(FulfilmentError):
    pass


class InvalidTransition(FulfilmentError):
    pass


def _is_seller(seller_order: SellerOrder, actor: User) -> bool:
    return is_member(user=actor, cooperative_id=seller_order.cooperative_id)


def _transition(
    *,
    seller_order: SellerOrder,
    actor: User | None,
    to_status: str,
    note: str = "",
    shipment: tuple[str, str] | None = None,
) -> SellerOrder:
    """The one way an order part changes status: checked against the transition table,
    saved with its history row; ``shipment`` is the (carrier, tracking reference) a
    shipping sets."""
    locked = seller_order_lock(seller_order_id=seller_order.pk)
    if not locked.can_become(to_status):
        raise InvalidTransition(
            _("An order part that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display().lower(),
                "target": Status(to_status).label.lower(),
            }
        )
    before = locked.status
    locked.status = to_status
    update_fields = ["status", "updated_at"]
    if shipment is not None:
        locked.carrier, locked.tracking_reference = shipment
        update_fields += ["carrier", "tracking_reference"]
    update_fields += sale_complete(locked)  # delivered, and paid online already
    locked.save(update_fields=update_fields)
    SellerOrderStatusChange.objects.create(
        seller_order=locked, from_status=before, to_status=to_status, actor=actor, note=note
    )
    if to_status == Status.CANCELLED:
        stock_return(
            quantities={
                line.product_id: line.quantity for line in locked.lines.exclude(product=None)
            }
        )
    _announce(seller_order=locked, note=note)
    return locked


def _announce(*, seller_order: SellerOrder, note: str) -> None:
    buyer_email = seller_order.order.buyer.email
    managers = manager_emails(cooperative_ids=[seller_order.cooperative_id]).get(
        seller_order.cooperative_id, []
    )
    emails_queue(
        messages=[
            (
                [buyer_email],
                "orders/email/status_changed_subject.txt",
                "orders/email/status_changed.txt",
                {
                    "seller_order": seller_order,
                    "note": note,
                    "url": reverse("orders:detail", args=[seller_order.order_id]),
                },
            ),
            (
                managers,
                "orders/email/status_changed_subject.txt",
                "orders/email/status_changed.txt",
                {
                    "seller_order": seller_order,
                    "note": note,
                    "url": reverse("orders:seller_order", args=[seller_order.pk]),
                },
            ),
        ]
    )


def _require_seller(seller_order: SellerOrder, actor: User) -> None:
    if not _is_seller(seller_order, actor):
        raise NotAllowed(_("Only the cooperative of this order part can do this."))


@transaction.atomic
def seller_order_confirm(*, seller_order: SellerOrder, actor: User) -> SellerOrder:
    _require_seller(seller_order, actor)
    return _transition(seller_order=seller_order, actor=actor, to_status=Status.CONFIRMED)


@transaction.atomic
def seller_order_ship(
    *, seller_order: SellerOrder, actor: User, carrier: str = "", tracking_reference: str = ""
) -> SellerOrder:
    _require_seller(seller_order, actor)
    return _transition(
        seller_order=seller_order,
        actor=actor,
        to_status=Status.SHIPPED,
        shipment=(carrier.strip()[:80], tracking_reference.strip()[:80]),
    )


@transaction.atomic
def seller_order_deliver(*, seller_order: SellerOrder, actor: User) -> SellerOrder:
    _require_seller(seller_order, actor)
    return _transition(seller_order=seller_order, actor=actor, to_status=Status.DELIVERED)


@transaction.atomic
def seller_order_cash_received(*, seller_order: SellerOrder, actor: User) -> SellerOrder:
    """Pay on delivery: the cooperative confirms it received the money."""
    _require_seller(seller_order, actor)
    locked = seller_order_lock(seller_order_id=seller_order.pk, related=("order__buyer",))
    if locked.status != Status.DELIVERED:
        raise InvalidTransition(_("Cash is received once the parcel is delivered."))
    if locked.cash_received_at is None:
        locked.cash_received_at = timezone.now()
        locked.save(update_fields=["cash_received_at", "updated_at", *sale_complete(locked)])
        SellerOrderStatusChange.objects.create(
            seller_order=locked,
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
            note=_("Payment received."),
        )
        _announce(seller_order=locked, note=_("Payment received."))
    return locked


@transaction.atomic
def seller_order_cancel(*, seller_order: SellerOrder, actor: User, reason: str = "") -> SellerOrder:
    """The buyer or the cooperative cancels before shipping; the stock goes back."""
    is_buyer = seller_order.order.buyer_id == actor.pk
    if not is_buyer and not _is_seller(seller_order, actor):
        raise NotAllowed(_("Only the buyer or the cooperative can cancel this order part."))
    return _transition(
        seller_order=seller_order,
        actor=actor,
        to_status=Status.CANCELLED,
        note=(reason or "").strip()[:500],
    )


@transaction.atomic
def seller_order_hold(
    *, seller_order: SellerOrder, reason: str, actor: User | None = None
) -> SellerOrder:
    """Stop an unshipped order part (a product in it is recalled) until its cooperative
    cancels it or confirms it again."""
    return _transition(
        seller_order=seller_order, actor=actor, to_status=Status.ON_HOLD, note=reason
    )


def seller_orders_to_hold(
    *, product_ids, skip_locked: bool = False
) -> list[tuple[int, str, int, str, str]]:
    """Lock, in primary-key order, the unshipped order parts holding any of
    ``product_ids`` (ids or a queryset of them) and return, read under the lock, each
    one's (id, status, order id, buyer's email, cooperative name): a recall calls this
    before it locks the products, the order every other path takes its locks in.
    ``skip_locked`` leaves out the parts another transaction holds (for a second pass
    made after the products are locked, which must not wait for them)."""
    holding = OrderLine.objects.filter(product_id__in=product_ids).values("seller_order_id")
    return list(
        SellerOrder.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .filter(status__in=[Status.PLACED, Status.CONFIRMED], pk__in=holding)
        .order_by("pk")
        .values_list("pk", "status", "order_id", "order__buyer__email", "cooperative_name")
    )


@transaction.atomic
def seller_orders_hold_for_recall(
    *, product_ids, reason: str, actor: User | None = None, skip_locked: bool = False
) -> list[int]:
    """Put on hold every unshipped order part holding any of ``product_ids`` (ids, or a
    queryset of them), for its cooperative to cancel or resolve, in a fixed number of
    statements however many there are; returns the ids of the parts held. Each buyer
    gets one email naming their held orders (rendered by the relay); the recall service
    that calls this tells the cooperative."""
    parts = seller_orders_to_hold(product_ids=product_ids, skip_locked=skip_locked)
    if not parts:
        return []
    held = [pk for pk, *_rest in parts]
    now = timezone.now()
    locked = SellerOrder.objects.filter(in_list("pk", held))  # ours until the commit
    insert_select(
        SellerOrderStatusChange,
        source=locked,
        columns={"seller_order_id": "pk", "from_status": "status"},
        constants={
            "to_status": Status.ON_HOLD,
            "actor_id": actor.pk if actor is not None and actor.pk else None,
            "note": reason,
            "created_at": now,
        },
    )
    locked.update(status=Status.ON_HOLD, updated_at=now)
    by_buyer: dict[str, list[dict]] = {}
    for _pk, _status, order_id, email, cooperative in sorted(parts, key=lambda part: part[2]):
        by_buyer.setdefault(email, []).append(
            {
                "number": Order.number_for(order_id),
                "cooperative": cooperative,
                "id": order_id,  # the email links to it when the relay renders it
            }
        )
    emails_queue(
        messages=[
            Email(
                [email],
                "orders/email/held_for_recall_subject.txt",
                "orders/email/held_for_recall.txt",
                {"orders": orders, "reason": reason},
            )
            for email, orders in by_buyer.items()
        ],
        defer=True,
    )
    return held
