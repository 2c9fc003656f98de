"""The listing policy's answers to what the apps below it announce."""

from django.dispatch import receiver

from catalog.signals import category_tree_changed
from policy.services.closure import listings_reevaluate
from policy.services.exemptions import exemptions_end_for_seller_country
from sellers.signals import cooperative_identity_changed


@receiver(cooperative_identity_changed, dispatch_uid="policy.cooperative_identity_changed")
def cooperative_listings_reevaluate(sender, *, cooperative, actor, fields, **kwargs) -> None:
    """Cross-border or not may have changed with the country: judge its listings again."""
    if "country" in fields:
        exemptions_end_for_seller_country(
            cooperative_id=cooperative.pk, country=cooperative.country.code
        )
        listings_reevaluate(actor=actor, cooperative_id=cooperative.pk)


@receiver(category_tree_changed, dispatch_uid="policy.category_tree_changed")
def catalog_reevaluate_after_a_move(sender, *, category, **kwargs) -> None:
    """Rules cover categories by their place in the tree: a move can bring listings
    under a protected category, or take them out. Judge the catalog again at once."""
    listings_reevaluate()
