"""Exemptions: a granted appeal lifts one rule for one listing, as the listing stood.

An exemption records the facts it was granted on (seller country, category, price,
certificate number). Any change to one of them ends it: the listing is judged afresh,
and a new appeal is needed if a rule blocks it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from policy import evaluation
from policy.models import Exemption

if TYPE_CHECKING:
    pass


# Stored for the record in the site's language of record (English).
ENDED_BY_CHANGE = "The listing changed since the exemption was granted."


def exemption_facts(facts: evaluation.ListingFacts) -> dict[str, str]:
    """The facts an exemption covers, as stored with it."""
    return {
        "seller_country": facts.seller_country,
        "category_path": facts.category_path,
        "price": str(facts.price),
        "certificate_number": facts.certificate_number,
    }


def exemptions_still_covering(
    *, exemptions: list[Exemption], facts: evaluation.ListingFacts
) -> frozenset[int]:
    """The rule ids of ``exemptions`` (one listing's, in force) that still cover the
    listing's ``facts``. Those granted on other facts no longer count; inside a write
    they are ended, with the reason kept."""
    now = exemption_facts(facts)
    stale = [exemption.pk for exemption in exemptions if exemption.facts != now]
    if stale and connection.in_atomic_block:
        Exemption.objects.filter(pk__in=stale).update(
            ended_at=timezone.now(), ended_reason=ENDED_BY_CHANGE
        )
    return frozenset(e.rule_id for e in exemptions if e.pk not in stale)


def exemptions_end_for_seller_country(*, cooperative_id: int, country: str) -> int:
    """A cooperative moved: its listings' exemptions granted in another country end."""
    return (
        Exemption.objects.in_force()
        .filter(product__cooperative_id=cooperative_id)
        .exclude(facts__seller_country=country)
        .update(ended_at=timezone.now(), ended_reason=ENDED_BY_CHANGE)
    )
