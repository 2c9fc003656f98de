"""Reads for the regulator's pages: the overview, the rules, the appeal queue."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import Product
from policy.models import Appeal, Certificate, ListingDecision, ListingRule, Recall
from policy.selectors.oversight import inspections_pending, watch_list
from sellers.models import Cooperative


def regulator_overview() -> dict[str, int]:
    """Headline counts for the regulator's home page."""
    overview = Cooperative.objects.aggregate(
        cooperatives=Count("id"),
        pending=Count("id", filter=Q(status=Cooperative.Status.PENDING)),
        verified=Count("id", filter=Q(status=Cooperative.Status.VERIFIED)),
        suspended=Count("id", filter=Q(status=Cooperative.Status.SUSPENDED)),
    )
    overview |= Product.objects.aggregate(
        blocked_listings=Count("id", filter=Q(status=Product.Status.BLOCKED)),
        suspended_listings=Count("id", filter=Q(status=Product.Status.SUSPENDED)),
        active_listings=Count("id", filter=Q(status=Product.Status.ACTIVE)),
    )
    overview["pending_appeals"] = Appeal.objects.filter(status=Appeal.Status.PENDING).count()
    overview["rules_active"] = ListingRule.objects.filter(is_active=True).count()
    today = timezone.localdate()
    overview |= Certificate.objects.filter(
        status=Certificate.Status.ACTIVE, issued_on__lte=today, expires_on__gte=today
    ).aggregate(
        certified=Count("id"),
        expiring=Count("id", filter=Q(expires_on__lte=today + timedelta(days=90))),
    )
    overview["open_recalls"] = Recall.objects.filter(status=Recall.Status.OPEN).count()
    overview["inspections_pending"] = inspections_pending().count()
    overview["watch_list"] = watch_list().count()
    return overview


def rules_list():
    return ListingRule.objects.prefetch_related("categories").annotate(
        blocked=Count(
            "decisions",
            filter=Q(decisions__outcome=ListingDecision.Outcome.BLOCKED),
        )
    )


def appeal_queue(*, status: str = Appeal.Status.PENDING):
    appeals = Appeal.objects.select_related(
        "decision__product__cooperative", "decision__rule", "filed_by"
    )
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("filed_at")


def certificate_register(*, show: str = "valid"):
    """The certificate register: in force ("valid"), in force and expiring within 90
    days ("expiring", soonest first), expired or revoked ("lapsed"), or all."""
    today = timezone.localdate()
    certificates = Certificate.objects.select_related("product__cooperative", "issuer")
    in_force = Q(status=Certificate.Status.ACTIVE, expires_on__gte=today)
    if show == "valid":
        return certificates.filter(in_force).order_by("-issued_on", "-pk")
    if show == "expiring":
        return certificates.filter(in_force, expires_on__lte=today + timedelta(days=90)).order_by(
            "expires_on", "pk"
        )
    if show == "lapsed":
        return certificates.filter(
            Q(status=Certificate.Status.REVOKED)
            | Q(status=Certificate.Status.ACTIVE, expires_on__lt=today)
        ).order_by("-expires_on", "-pk")
    return certificates.order_by("-created_at", "-pk")
