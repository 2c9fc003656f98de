"""The listing policy's answers to what the apps below it announce."""

from django.dispatch import receiver

from policy.services.closure import listings_reevaluate
from sellers.signals import cooperative_identity_changed


@receiver(cooperative_identity_changed, dispatch_uid="policy.cooperative_identity_changed")
def cooperative_listings_reevaluate(sender, *, cooperative, actor, fields, **kwargs) -> None:
    """Cross-border or not may have changed with the country: judge its listings again."""
    if "country" in fields:
        listings_reevaluate(actor=actor, cooperative_id=cooperative.pk)
