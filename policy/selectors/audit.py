"""The audit trail as the regulator reads it: filtered, newest first, a page at a time.

Reads ``marketplace.AuditEvent`` only (the rows every regulated action writes in its
own transaction). Each filter resolves to ids first, so the page is one indexed query
whatever the size of the trail; nothing counts the whole table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from marketplace.models import AuditEvent, User
from marketplace.pagination import KeysetPage, keyset_page
from sellers.selectors import cooperative_ids_matching

PAGE_SIZE = 50
# People a name filter may stand for: beyond this, the regulator narrows the name.
ACTOR_MATCHES = 50


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    cooperative: str = ""
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _actor_ids(text: str) -> list[int]:
    text = " ".join(text.split())
    return list(
        User.objects.filter(Q(email__iexact=text) | Q(full_name__icontains=text))
        .order_by("pk")
        .values_list("pk", flat=True)[:ACTOR_MATCHES]
    )


def audit_events(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "cooperative")
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_id__in=_actor_ids(filters.actor))
    if filters.cooperative:
        events = events.filter(
            cooperative_id__in=cooperative_ids_matching(text=filters.cooperative)
        )
    if filters.since:
        events = events.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    return events


def audit_page(
    *, filters: AuditFilters, after: tuple[datetime, int] | None, size: int = PAGE_SIZE
) -> KeysetPage:
    return keyset_page(audit_events(filters=filters), after=after, size=size)


def audit_rows(*, filters: AuditFilters) -> Iterator[AuditEvent]:
    """Every matching event newest first, read in chunks (for the CSV download)."""
    return audit_events(filters=filters).order_by("-created_at", "-id").iterator(chunk_size=2000)
