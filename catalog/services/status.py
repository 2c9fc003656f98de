"""The one way to move a listing's status.

:func:`product_status_set` moves one listing and :func:`products_status_set` a set of
them (progressive closure, recalls). Both check ``catalog.models.TRANSITIONS`` (which
move, by which trigger), save the status with the rows locked, and write exactly one
``ProductStatusChange`` per listing moved, in the caller's transaction. A listing
already in the target status is left alone and gets no row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.locks import product_lock, products_lock
from catalog.models import TRANSITIONS, Product, ProductStatusChange
from catalog.pagecache import catalog_changed
from catalog.services.errors import InvalidTransition

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


@transaction.atomic
def products_status_set(
    *,
    products: QuerySet[Product] | Iterable[int],
    to_status: str,
    actor,
    trigger: str,
    reason: str = "",
) -> list[ProductStatusChange]:
    """Move every listing of ``products`` that ``trigger`` may move to ``to_status``, in
    one UPDATE, and write their history rows in one INSERT; returns those rows.

    Listings already in ``to_status``, or that the table does not let ``trigger`` move
    (an archived listing under a recall), are left alone. Rows are locked in primary-key
    order (``catalog.locks``) and their status read under the lock.
    """
    current = dict(
        products_lock(products=products).exclude(status=to_status).values_list("pk", "status")
    )
    moving = {
        pk: before
        for pk, before in current.items()
        if trigger in TRANSITIONS.get((before, to_status), ())
    }
    if not moving:
        return []
    now = timezone.now()
    update = {"status": to_status, "updated_at": now}
    if to_status == Status.ACTIVE:
        update["published_at"] = Coalesce("published_at", Value(now))
    Product.objects.filter(pk__in=moving).update(**update)
    actor = actor if actor is not None and actor.is_authenticated else None
    changes = ProductStatusChange.objects.bulk_create(
        ProductStatusChange(
            product_id=pk,
            from_status=before,
            to_status=to_status,
            trigger=trigger,
            actor=actor,
            reason=reason,
            created_at=now,
        )
        for pk, before in moving.items()
    )
    catalog_changed()
    return changes
