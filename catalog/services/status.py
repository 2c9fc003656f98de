"""The one way to move a listing's status.

:func:`product_status_set` moves one listing and :func:`products_status_set` a set of
them (progressive closure, recalls). Both check ``catalog.models.TRANSITIONS`` (which
move, by which trigger), save the status with the rows locked, and write exactly one
``ProductStatusChange`` per listing moved, in the caller's transaction. A listing
already in the target status is left alone and gets no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.locks import product_lock, products_lock
from catalog.models import TRANSITIONS, Product, ProductStatusChange
from catalog.pagecache import catalog_changed
from catalog.services.errors import InvalidTransition
from marketplace.sql import in_list, insert_select

Status = Product.Status


def _refused(*, current: str, to_status: str) -> InvalidTransition:
    return InvalidTransition(
        _("A listing that is %(status)s cannot become %(target)s.")
        % {"status": Status(current).label.lower(), "target": Status(to_status).label.lower()}
    )


@transaction.atomic
def product_status_set(
    *, product: Product, to_status: str, actor, trigger: str, reason: str = ""
) -> ProductStatusChange | None:
    """Move ``product`` to ``to_status``; returns the history row, or ``None`` when it
    already was there. Raises ``InvalidTransition`` when ``trigger`` may not make the
    move. The status is re-read under the row lock; ``product`` is updated in place."""
    locked = product_lock(product_id=product.pk)
    before = locked.status
    if before == to_status:
        product.status = before
        return None
    if not locked.can_move_to(to_status, trigger=trigger):
        raise _refused(current=before, to_status=to_status)
    now = timezone.now()
    product.status = to_status
    product.updated_at = now
    fields = ["status", "updated_at"]
    if to_status == Status.ACTIVE and locked.published_at is None:
        product.published_at = now
        fields.append("published_at")
    product.save(update_fields=fields)
    change = ProductStatusChange.objects.create(
        product=product,
        from_status=before,
        to_status=to_status,
        trigger=trigger,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        created_at=now,
    )
    catalog_changed()
    return change


@dataclass(frozen=True)
class StatusMoves:
    """What :func:`products_status_set` moved: how many listings, and the one timestamp
    their history rows share (``None`` when none moved)."""

    count: int
    at: datetime | None = None

    def __bool__(self) -> bool:
        return self.count > 0


@transaction.atomic
def products_status_set(
    *,
    products: QuerySet[Product] | Iterable[int],
    to_status: str,
    actor,
    trigger: str,
    reason: str = "",
) -> StatusMoves:
    """Move every listing of ``products`` that ``trigger`` may move to ``to_status``: one
    ``INSERT … SELECT`` writes their history rows and one UPDATE their status, with no
    Python object per listing, whatever their number.

    Listings already in ``to_status``, or that the table does not let ``trigger`` move
    (an archived listing under a recall), are left alone. Rows are locked in primary-key
    order (``catalog.locks``) and their status read under the lock.
    """
    movable_from = [
        status
        for status in Status.values
        if status != to_status and trigger in TRANSITIONS.get((status, to_status), ())
    ]
    moving = list(
        products_lock(products=products)
        .filter(status__in=movable_from)
        .values_list("pk", flat=True)
    )
    if not moving:
        return StatusMoves(count=0)
    now = timezone.now()
    locked = Product.objects.filter(in_list("pk", moving))  # ours until the commit
    insert_select(
        ProductStatusChange,
        source=locked,
        columns={"product_id": "pk", "from_status": "status"},
        constants={
            "to_status": to_status,
            "trigger": trigger,
            "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
            "reason": reason,
            "created_at": now,
        },
    )
    update = {"status": to_status, "updated_at": now}
    if to_status == Status.ACTIVE:
        update["published_at"] = Coalesce("published_at", Value(now))
    locked.update(**update)
    catalog_changed()
    return StatusMoves(count=len(moving), at=now)
