"""Reads for cooperatives: who belongs where, what is visible to whom."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from sellers.models import Cooperative, CooperativeStatusChange, Invitation, Membership

ACTIVE_COOPERATIVE_SESSION_KEY = "active_cooperative_id"


def membership_roles_for_user(*, user) -> set[str]:
    """The membership roles (``member``, ``manager``) the user holds in any cooperative."""
    return set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("cooperative", "cooperative__province")
        .order_by("cooperative__legal_name")
    )


def active_membership(*, user, session) -> Membership | None:
    """The membership the user is working in: the one chosen in this session, else the
    first. A stale choice (membership removed) falls back silently."""
    memberships = list(memberships_for_user(user=user))
    if not memberships:
        return None
    chosen = session.get(ACTIVE_COOPERATIVE_SESSION_KEY)
    for membership in memberships:
        if membership.cooperative_id == chosen:
            return membership
    return memberships[0]


def publishing_cooperatives() -> QuerySet[Cooperative]:
    """Cooperatives whose listings may be published and shown: verified, not suspended.

    The catalog filters its visible products through this, so a suspension hides a
    cooperative's listings at once and a reinstatement brings them back.
    """
    return Cooperative.objects.filter(status=Cooperative.Status.VERIFIED)


def cooperative_can_publish(*, cooperative: Cooperative) -> bool:
    return cooperative.can_publish


def cooperative_directory(
    *, province_id: int | None = None, query: str = "", category=None
) -> QuerySet:
    """Verified cooperatives, optionally only those selling in ``category`` (or below)."""
    cooperatives = publishing_cooperatives().select_related("province")
    if category is not None:
        from catalog.models import Product

        cooperatives = cooperatives.filter(
            Exists(
                Product.objects.for_sale().filter(
                    cooperative=OuterRef("pk"), category__path__startswith=category.path
                )
            )
        )
    if province_id:
        cooperatives = cooperatives.filter(province_id=province_id)
    if query:
        cooperatives = cooperatives.filter(
            Q(legal_name__icontains=query) | Q(story__icontains=query) | Q(commune__icontains=query)
        )
    return cooperatives.order_by("legal_name")


def storefront_cooperative(*, slug: str, viewer) -> Cooperative:
    """A storefront is public only while the cooperative is verified; its own members
    may preview it before (and while suspended)."""
    cooperative = Cooperative.objects.select_related("province").filter(slug=slug).first()
    if cooperative is None:
        raise Http404
    if cooperative.can_publish or member_of(user=viewer, cooperative=cooperative):
        return cooperative
    raise Http404


def verification_queue(*, status: str = Cooperative.Status.PENDING) -> QuerySet[Cooperative]:
    cooperatives = Cooperative.objects.select_related("province").annotate(
        members=Count("memberships")
    )
    if status:
        cooperatives = cooperatives.filter(status=status)
    return cooperatives.order_by("created_at")


def queue_counts() -> dict[str, int]:
    return Cooperative.objects.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Cooperative.Status.values}
    )


def status_history(*, cooperative: Cooperative) -> QuerySet[CooperativeStatusChange]:
    return cooperative.status_changes.select_related("actor")


def cooperative_members(*, cooperative: Cooperative) -> QuerySet[Membership]:
    return cooperative.memberships.select_related("user").order_by("role", "user__email")


def open_invitations(*, cooperative: Cooperative) -> list[Invitation]:
    return [
        i for i in cooperative.invitations.filter(accepted_at=None, revoked_at=None) if i.is_open
    ]


def member_of(*, user, cooperative: Cooperative) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, cooperative=cooperative).first()


def is_member(*, user, cooperative_id: int) -> bool:
    return Membership.objects.filter(cooperative_id=cooperative_id, user=user).exists()


def manager_emails(*, cooperative_ids) -> dict[int, list[str]]:
    """The managers' email addresses of each cooperative, in one query."""
    emails: dict[int, list[str]] = {}
    for cooperative_id, email in Membership.objects.filter(
        cooperative_id__in=list(cooperative_ids), role=Membership.Role.MANAGER
    ).values_list("cooperative_id", "user__email"):
        emails.setdefault(cooperative_id, []).append(email)
    return emails


def cooperative_ids_matching(*, text: str, limit: int = 50) -> list[int]:
    """The cooperatives a regulator means by ``text``: its registration number, or
    words of its legal name (at most ``limit``, for a filter that stays bounded)."""
    text = " ".join(text.split())
    if not text:
        return []
    return list(
        Cooperative.objects.filter(
            Q(registration_number__iexact=text) | Q(legal_name__icontains=text)
        )
        .order_by("legal_name")
        .values_list("pk", flat=True)[:limit]
    )


def cooperative_by_id(*, pk: int) -> Cooperative:
    """One cooperative, whatever its status (404 when there is none): a regulator's read."""
    cooperative = Cooperative.objects.select_related("province").filter(pk=pk).first()
    if cooperative is None:
        raise Http404
    return cooperative


def cooperatives_matching(*, text: str, limit: int = 20) -> list[Cooperative]:
    """The cooperatives a regulator finds by registration number or words of the name."""
    ids = cooperative_ids_matching(text=text, limit=limit)
    return list(Cooperative.objects.filter(pk__in=ids).order_by("legal_name")) if ids else []


def registered_abroad(cooperative: str = ""):
    """Whether the cooperative (at the path ``cooperative`` from the queried model, or
    the cooperative itself) is registered abroad, as an SQL expression: what
    ``Cooperative.is_cross_border`` says, for a query to group or filter by."""
    from django.conf import settings
    from django.db.models import BooleanField, ExpressionWrapper

    field = f"{cooperative}__country" if cooperative else "country"
    return ExpressionWrapper(
        ~Q(**{field: settings.MARKETPLACE_COUNTRY}), output_field=BooleanField()
    )


def daily_registrations(*, start, end) -> QuerySet:
    """Per day, province and home or abroad, the cooperatives registered from ``start``
    to ``end`` (for the dashboard's rollups)."""
    from django.db.models import F
    from django.db.models.functions import TruncDate

    return (
        Cooperative.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values(
            rollup_day=TruncDate("created_at"),
            rollup_province=F("province_id"),
            rollup_cross_border=registered_abroad(),
        )
        .annotate(rollup_count=Count("id"))
    )


def daily_status_moves(*, start, end, to_status: str) -> QuerySet:
    """Per day, province and home or abroad, the cooperatives moved to ``to_status``
    (verified, suspended) from ``start`` to ``end``."""
    from django.db.models import F
    from django.db.models.functions import TruncDate

    return (
        CooperativeStatusChange.objects.filter(
            to_status=to_status, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values(
            rollup_day=TruncDate("created_at"),
            rollup_province=F("cooperative__province_id"),
            rollup_cross_border=registered_abroad("cooperative"),
        )
        .annotate(rollup_count=Count("id"))
    )


# What the data API tells other government systems about a cooperative: what its
# storefront shows, but its contacts (a member's phone or email), its tax identifier,
# payout account and licence, which are never loaded.
REGISTRY_FIELDS = (
    "id",
    "legal_name",
    "slug",
    "country",
    "province__code",
    "province__name",
    "region",
    "commune",
    "year_founded",
    "member_count",
    "status",
    "created_at",
)


# The statuses the registry may be filtered by.
COOPERATIVE_STATUSES = tuple(Cooperative.Status.values)


def cooperatives_registry(
    *, status: str = "", province_id: int | None = None, abroad: bool | None = None
) -> QuerySet[Cooperative]:
    """Cooperatives of every status (each carries its own), in registration order (an
    order a paging reader keeps while new ones register), with ``abroad``: registered
    outside the home country."""
    cooperatives = (
        Cooperative.objects.select_related("province")
        .only(*REGISTRY_FIELDS)
        .annotate(abroad=registered_abroad())
    )
    if status:
        cooperatives = cooperatives.filter(status=status)
    if province_id:
        cooperatives = cooperatives.filter(province_id=province_id)
    if abroad is not None:
        cooperatives = cooperatives.filter(abroad=abroad)
    return cooperatives.order_by("pk")


def commune_cooperatives() -> list[dict]:
    """The verified cooperatives that say where they are (a province and a commune), with
    the day they opened (first verified; registered, for one verified before the status
    history was kept): what the digital-village marks count."""
    from django.db.models import Min, Subquery
    from django.db.models.functions import Coalesce

    first_verified = (
        CooperativeStatusChange.objects.filter(
            cooperative=OuterRef("pk"), to_status=Cooperative.Status.VERIFIED
        )
        .order_by()
        .values("cooperative")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    return list(
        Cooperative.objects.filter(status=Cooperative.Status.VERIFIED, province__isnull=False)
        .exclude(commune="")
        .annotate(opened=Coalesce(Subquery(first_verified), "created_at"))
        .values("id", "province_id", "commune", "opened")
        .order_by("id")  # a new commune is named as its first cooperative writes it
    )


def cooperative_names(*, ids) -> dict[int, str]:
    """{id: legal name} of the cooperatives named (for a report's rows)."""
    from marketplace.sql import in_list

    ids = list(ids)
    if not ids:
        return {}
    return dict(
        Cooperative.objects.filter(in_list("pk", ids)).order_by().values_list("id", "legal_name")
    )
