"""Exemptions: a granted appeal lifts one rule for one listing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policy.models import Exemption

if TYPE_CHECKING:
    from catalog.models import Product


def exemptions_revoke(*, product: Product) -> int:
    """An exemption was granted for the listing as it was: moving it to another category
    ends it, so that the listing is judged afresh where it now is."""
    deleted, _ = Exemption.objects.filter(product=product).delete()
    return deleted
