"""Reads of inspections and sanctions (the policy's low layer): the next step of a
cooperative's ladder, what its members see in their workspace, and the regulator's
queues. Members never read an inspection's notes or evidence: these reads leave them out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from policy.models import Inspection, Sanction

WARNING_WINDOW = timedelta(days=14)
WARNINGS_BEFORE_WATCH = 3
Step = Sanction.Step


def sanction_next_step(*, cooperative_id: int, now: datetime | None = None) -> int | None:
    """The step the ladder expects next for the cooperative, or None while suspended."""
    now = now or timezone.now()
    standing = set(
        Sanction.objects.filter(
            cooperative_id=cooperative_id, step__gte=Step.WATCH_LIST, lifted_at__isnull=True
        ).values_list("step", flat=True)
    )
    if Step.SUSPENSION in standing:
        return None
    if Step.WATCH_LIST in standing:
        return Step.SUSPENSION
    recent = Sanction.objects.filter(
        cooperative_id=cooperative_id, step=Step.WARNING, issued_at__gte=now - WARNING_WINDOW
    ).count()
    return Step.WATCH_LIST if recent >= WARNINGS_BEFORE_WATCH else Step.WARNING


def cooperative_sanctions(*, cooperative_id: int, limit: int = 20) -> list[Sanction]:
    """The cooperative's latest sanction steps, newest first (its managers see them)."""
    return list(
        Sanction.objects.filter(cooperative_id=cooperative_id)
        .select_related("inspection")
        .order_by("-issued_at", "-pk")[:limit]
    )


def cooperative_inspections(*, cooperative_id: int, limit: int = 20) -> list[Inspection]:
    """The cooperative's latest inspections as its members see them: date, product,
    findings and outcome; never the notes nor the evidence."""
    return list(
        Inspection.objects.filter(cooperative_id=cooperative_id)
        .select_related("product")
        .only("pk", "inspected_on", "findings", "outcome", "cooperative_id", "product__title")
        .order_by("-inspected_on", "-pk")[:limit]
    )


def watch_list() -> QuerySet[Sanction]:
    """The cooperatives on the watch list now, longest first."""
    return (
        Sanction.objects.filter(step=Step.WATCH_LIST, lifted_at__isnull=True)
        .select_related("cooperative")
        .order_by("issued_at", "pk")
    )


def inspections_pending() -> QuerySet[Inspection]:
    """Inspections whose outcome (a revocation, a recall, a sanction) is not yet taken."""
    return (
        Inspection.objects.exclude(outcome=Inspection.Outcome.NO_ACTION)
        .filter(outcome_done_at__isnull=True)
        .select_related("cooperative", "product")
        .order_by("inspected_on", "pk")
    )


def inspection_register(*, pending: bool = False) -> QuerySet[Inspection]:
    """Every inspection, newest first (or those with an outcome waiting)."""
    if pending:
        return inspections_pending()
    return Inspection.objects.select_related("cooperative", "product").order_by(
        "-inspected_on", "-pk"
    )


def inspection_get(*, pk: int) -> Inspection:
    """One inspection, with its evidence, for the regulator (404 when there is none)."""
    return get_object_or_404(
        Inspection.objects.select_related(
            "cooperative", "product", "inspector", "outcome_done_by"
        ).prefetch_related("evidence"),
        pk=pk,
    )


def standing_sanctions(*, cooperative_id: int) -> list[Sanction]:
    """The cooperative's watch list or suspension in force."""
    return list(
        Sanction.objects.filter(
            cooperative_id=cooperative_id, step__gte=Step.WATCH_LIST, lifted_at__isnull=True
        ).order_by("step")
    )


def recent_warnings(*, cooperative_id: int, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Sanction.objects.filter(
        cooperative_id=cooperative_id, step=Step.WARNING, issued_at__gte=now - WARNING_WINDOW
    ).count()


def sanction_get(*, pk: int) -> Sanction:
    return get_object_or_404(Sanction, pk=pk)
