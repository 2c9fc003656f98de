"""Keyset ("seek") pagination for long, append-only lists read newest first.

A page is the rows after a cursor, in ``(-created_at, -id)`` order: no ``COUNT(*)`` and
no ``OFFSET``, so the hundredth page costs what the first does on an index of
``(created_at, id)``. The cursor names the last row shown (its time and id); a
tampered cursor is refused by :func:`cursor_parse`, never passed to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

_SEPARATOR = "~"


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str  # empty on the last page


def cursor_of(row: Any) -> str:
    return f"{row.created_at.isoformat()}{_SEPARATOR}{row.pk}"


def cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    """The (time, id) a cursor names, or None when it is not one of ours."""
    when, separator, pk = cursor.rpartition(_SEPARATOR)
    if not separator or not pk.isdigit() or len(pk) > 18:
        return None
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment, int(pk)


def keyset_page(queryset: QuerySet, *, after: tuple[datetime, int] | None, size: int) -> KeysetPage:
    """One page of ``queryset`` newest first, starting after the row ``after`` names."""
    rows = queryset.order_by("-created_at", "-id")
    if after is not None:
        moment, pk = after
        rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    return KeysetPage(items=items, next_cursor=cursor_of(items[-1]) if more else "")
