from django.db import transaction
from django.utils.text import slugify

from sellers.models import Cooperative, Membership


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "cooperative"
    slug, n = base, 2
    while Cooperative.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def cooperative_create(
    *, creator, legal_name: str, registration_number: str, country: str, **fields
) -> Cooperative:
    """Create a cooperative pending verification; its creator becomes its manager."""
    cooperative = Cooperative.objects.create(
        legal_name=legal_name,
        slug=_unique_slug(legal_name),
        registration_number=registration_number,
        country=country,
        **fields,
    )
    Membership.objects.create(cooperative=cooperative, user=creator, role=Membership.Role.MANAGER)
    return cooperative
