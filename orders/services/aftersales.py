"""After delivery: returns within the window (refund recorded, optional restock) and
reviews (one per order line, one reply from the cooperative)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.pagecache import catalog_changed
from catalog.services.stock import stock_return
from marketplace.models import User
from marketplace.money import money_share
from marketplace.notifications import emails_queue
from orders.locks import return_request_lock, seller_order_lock
from orders.models import (
    OrderLine,
    ReturnLine,
    ReturnRequest,
    ReturnRequestStatusChange,
    Review,
    SellerOrder,
)
from orders.services.assessment import returns_accepted
from sellers.selectors import is_member, manager_emails


class AftersalesError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _delivered_at(seller_order: SellerOrder):
    change = seller_order.status_changes.filter(to_status=SellerOrder.Status.DELIVERED).first()
    return change.created_at if change else None


@transaction.atomic
def return_request(
    *, seller_order: SellerOrder, buyer: User, quantities: dict[int, int], reason: str
) -> ReturnRequest:
    """Ask to return some lines of a delivered order part, within the window, once per line."""
    seller_order = seller_order_lock(seller_order_id=seller_order.pk)
    if seller_order.order.buyer_id != buyer.pk:
        raise AftersalesError(_("Only the buyer can ask for a return."))
    if seller_order.status != SellerOrder.Status.DELIVERED:
        raise AftersalesError(_("Only a delivered order can be returned."))
    delivered_at = _delivered_at(seller_order)
    window = timedelta(days=settings.RETURN_WINDOW_DAYS)
    if delivered_at is None or timezone.now() > delivered_at + window:
        raise AftersalesError(
            _("Returns are accepted within %(days)d days of delivery.")
            % {"days": settings.RETURN_WINDOW_DAYS}
        )
    reason = (reason or "").strip()
    if not reason:
        raise AftersalesError(_("Tell the cooperative why you return it."))
    lines = {line.pk: line for line in seller_order.lines.all()}
    wanted = {pk: q for pk, q in quantities.items() if q}
    if not wanted:
        raise AftersalesError(_("Choose what to return."))
    for pk, quantity in wanted.items():
        line = lines.get(pk)
        if line is None:
            raise AftersalesError(_("This line is not part of the order."))
        if not isinstance(quantity, int) or not 1 <= quantity <= line.quantity:
            raise AftersalesError(
                _("Return from 1 to %(n)d of “%(title)s”.")
                % {"n": line.quantity, "title": line.title}
            )
    if ReturnLine.objects.filter(order_line_id__in=wanted).exists():
        raise AftersalesError(_("A return was already asked for one of these lines."))
    request = ReturnRequest.objects.create(seller_order=seller_order, reason=reason)
    ReturnRequestStatusChange.objects.create(
        return_request=request, to_status=request.status, actor=buyer, note=reason
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=request, order_line_id=pk, quantity=q) for pk, q in wanted.items()
    )
    _announce(
        request, "orders/email/return_requested_subject.txt", "orders/email/return_requested.txt"
    )
    return request


@transaction.atomic
def return_decide(
    *,
    return_request: ReturnRequest,
    actor: User,
    accept: bool,
    restock_items: bool,
    response: str = "",
) -> ReturnRequest:
    """The cooperative accepts (the refund is recorded, stock optionally restored) or refuses."""
    request = return_request_lock(return_request_id=return_request.pk)
    if not is_member(user=actor, cooperative_id=request.seller_order.cooperative_id):
        raise AftersalesError(_("Only the cooperative of this order can decide the return."))
    if request.status != ReturnRequest.Status.REQUESTED:
        raise AftersalesError(_("This return has already been decided."))
    response = (response or "").strip()
    if not accept and not response:
        raise AftersalesError(_("Tell the buyer why the return is refused."))
    request.response = response
    if accept:
        refund = Decimal("0")
        quantities: dict[int, int] = {}
        for returned in request.lines.select_related("order_line"):
            line = returned.order_line
            refund += money_share(line.line_total, part=returned.quantity, whole=line.quantity)
            if line.product_id:
                quantities[line.product_id] = quantities.get(line.product_id, 0) + returned.quantity
        request.refund_amount = refund
        if restock_items:
            stock_return(quantities=quantities)
            request.restocked = True
    _return_transition(
        request=request,
        to_status=ReturnRequest.Status.ACCEPTED if accept else ReturnRequest.Status.REFUSED,
        actor=actor,
        note=response,
    )
    if accept:
        returns_accepted(return_request=request)  # netted in the month it is accepted in
    _announce(request, "orders/email/return_decided_subject.txt", "orders/email/return_decided.txt")
    return request


def _return_transition(*, request: ReturnRequest, to_status: str, actor, note: str) -> None:
    """The one way a return changes status: checked against ``ReturnRequest.TRANSITIONS``
    on the locked row, saved with what the decision sets, and recorded with its actor."""
    if not request.can_become(to_status):
        raise AftersalesError(_("This return has already been decided."))
    before = request.status
    request.status = to_status
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save()
    ReturnRequestStatusChange.objects.create(
        return_request=request,
        from_status=before,
        to_status=to_status,
        actor=actor,
        note=note,
        created_at=request.decided_at,
    )


def _announce(request: ReturnRequest, subject: str, body: str) -> None:
    seller_order = request.seller_order
    managers = manager_emails(cooperative_ids=[seller_order.cooperative_id]).get(
        seller_order.cooperative_id, []
    )
    emails_queue(
        messages=[
            (
                [seller_order.order.buyer.email, *managers],
                subject,
                body,
                {"return_request": request, "seller_order": seller_order},
            )
        ]
    )


@transaction.atomic
def review_create(*, order_line: OrderLine, buyer: User, rating: int, text: str = "") -> Review:
    line = OrderLine.objects.select_related("seller_order__order").get(pk=order_line.pk)
    if line.seller_order.order.buyer_id != buyer.pk:
        raise AftersalesError(_("Only the buyer can review this purchase."))
    if line.seller_order.status != SellerOrder.Status.DELIVERED:
        raise AftersalesError(_("You can review a product once it is delivered."))
    if line.product_id is None:
        raise AftersalesError(_("This product no longer exists."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise AftersalesError(_("Give from 1 to 5 stars."))
    if Review.objects.filter(order_line=line).exists():
        raise AftersalesError(_("You already reviewed this purchase."))
    review = Review.objects.create(
        order_line=line,
        product_id=line.product_id,
        buyer=buyer,
        rating=rating,
        text=(text or "").strip()[:4000],
    )
    catalog_changed()
    return review


@transaction.atomic
def review_reply(*, review: Review, actor: User, reply: str) -> Review:
    review = Review.objects.select_for_update().select_related("product").get(pk=review.pk)
    if not is_member(user=actor, cooperative_id=review.product.cooperative_id):
        raise AftersalesError(_("Only the cooperative can reply."))
    if review.replied_at is not None:
        raise AftersalesError(_("The cooperative has already replied."))
    reply = (reply or "").strip()[:4000]
    if not reply:
        raise AftersalesError(_("Write the reply."))
    review.reply = reply
    review.replied_at = timezone.now()
    review.save(update_fields=["reply", "replied_at"])
    catalog_changed()
    return review
