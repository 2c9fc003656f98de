from django.db.models import Count, Q

from sellers.models import Cooperative


def regulator_overview() -> dict[str, int]:
    """Headline counts for the regulator's home page, in one query."""
    return Cooperative.objects.aggregate(
        cooperatives=Count("id"),
        pending=Count("id", filter=Q(status=Cooperative.Status.PENDING)),
        verified=Count("id", filter=Q(status=Cooperative.Status.VERIFIED)),
        suspended=Count("id", filter=Q(status=Cooperative.Status.SUSPENDED)),
    )
