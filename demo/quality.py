"""The demo's quality oversight: certified products (3, 4 and 5 stars) and one
certificate that expired last month, awarded through the certification service."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from catalog.selectors import visible_products
from policy.models import Certificate
from policy.services.certification import certificate_award

# (number, level, community, marketing, quality, months ago issued); the last one expired.
CERTIFICATES = (
    ("OCOP-DEMO-2025-0001", Certificate.Level.NATIONAL, 38, 24, 33, 10),  # 95: 5 stars
    ("OCOP-DEMO-2025-0002", Certificate.Level.PROVINCE, 31, 18, 27, 8),  # 76: 4 stars
    ("OCOP-DEMO-2025-0003", Certificate.Level.PROVINCE, 30, 17, 25, 6),  # 72: 4 stars
    ("OCOP-DEMO-2025-0004", Certificate.Level.PROVINCE, 24, 14, 21, 4),  # 59: 3 stars
    ("OCOP-DEMO-2025-0005", Certificate.Level.PROVINCE, 22, 13, 20, 2),  # 55: 3 stars
    ("OCOP-DEMO-2022-0006", Certificate.Level.PROVINCE, 29, 16, 26, 37),  # 71, expired
)


def demo_quality_seed(*, regulator) -> int:
    """Award the demo's certificates once (idempotent); returns how many were added."""
    if Certificate.objects.filter(number__startswith="OCOP-DEMO-").exists():
        return 0
    today = timezone.localdate()
    # One product per cooperative first, so that every storefront shows a badge.
    # OCOP rates the home country's producers.
    local = visible_products().filter(cooperative__country=settings.MARKETPLACE_COUNTRY)
    live = list(local.order_by("pk").values_list("pk", "cooperative_id"))
    firsts = list({cooperative: pk for pk, cooperative in reversed(live)}.values())
    chosen = (firsts + [pk for pk, _ in live if pk not in firsts])[: len(CERTIFICATES)]
    products = [visible_products().get(pk=pk) for pk in chosen]
    for product, (number, level, community, marketing, quality, months) in zip(
        products, CERTIFICATES, strict=False
    ):
        issued_on = today - timedelta(days=30 * months)
        # Left empty, the service sets the default 36 months; the oldest has lapsed.
        expires_on = today - timedelta(days=20) if months >= 36 else None
        certificate_award(
            product=product,
            actor=regulator,
            number=number,
            level=level,
            score_community=community,
            score_marketing=marketing,
            score_quality=quality,
            issued_on=issued_on,
            expires_on=expires_on,
        )
    return len(products)


# The demo's recalls: one open (a product buyers received, with an unshipped order
# that goes on hold) and one closed, through the recall service.
OPEN_RECALL = {
    "hazard": "Aflatoxin above the legal limit found by the provincial laboratory in "
    "the batch sold since last month.",
    "risk": "serious",
    "measures": "Withdrawn from sale; the batch is being destroyed and production is "
    "stopped until a new analysis.",
    "buyer_action": "dispose",
}
CLOSED_RECALL = {
    "hazard": "Labels without the allergen warning (contains nuts).",
    "risk": "medium",
    "measures": "Sale stopped until the labels were corrected.",
    "buyer_action": "return",
}


def demo_recalls_seed(*, regulator) -> int:
    """Open one recall and close another (idempotent); returns how many were opened."""
    from orders.models import OrderLine, SellerOrder
    from policy.models import Recall
    from policy.services.recalls import recall_close, recall_open

    if Recall.objects.exists():
        return 0
    from catalog.models import Category

    certified = Certificate.objects.values("product_id")
    food = Category.objects.filter(slug="food-beverages").first()
    candidates = visible_products().exclude(pk__in=certified)
    if food is not None:  # aflatoxin and allergens: the recalls are of foods
        candidates = candidates.filter(category__path__startswith=food.path)
    delivered = OrderLine.objects.filter(seller_order__status=SellerOrder.Status.DELIVERED)
    waiting = OrderLine.objects.filter(
        seller_order__status__in=[SellerOrder.Status.PLACED, SellerOrder.Status.CONFIRMED]
    )
    best = (
        candidates.filter(pk__in=delivered.values("product_id"))
        .filter(pk__in=waiting.values("product_id"))
        .order_by("pk")
        .first()
    ) or candidates.filter(pk__in=delivered.values("product_id")).order_by("pk").first()
    if best is None:
        return 0
    from policy.models import Inspection
    from policy.services.inspections import inspection_record
    from policy.services.sanctions import sanction_issue

    today = timezone.localdate()
    found = inspection_record(
        actor=regulator,
        product=best,
        inspected_on=today - timedelta(days=3),
        findings=[Inspection.Finding.FOOD_SAFETY, Inspection.Finding.TRACEABILITY],
        outcome=Inspection.Outcome.RECALL,
        notes="Samples from two sacks sent to the provincial laboratory; batch records "
        "incomplete for the last month.",
    )
    recall_open(actor=regulator, product=best, inspection=found, **OPEN_RECALL)
    storage = inspection_record(
        actor=regulator,
        cooperative=best.cooperative,
        inspected_on=today - timedelta(days=3),
        findings=[Inspection.Finding.TRACEABILITY],
        outcome=Inspection.Outcome.SANCTION,
        notes="Storage room damp; no humidity log.",
    )
    sanction_issue(
        cooperative=best.cooperative,
        actor=regulator,
        step=1,
        reason="Batch and storage records missing for the coffee sold last month.",
        inspection=storage,
    )
    # One inspection whose outcome (revoking a certificate) is still to be carried out.
    certified_product = Certificate.objects.filter(status="active").order_by("pk").first()
    if certified_product is not None:
        inspection_record(
            actor=regulator,
            product=certified_product.product,
            inspected_on=today - timedelta(days=1),
            findings=[Inspection.Finding.QUALITY_BELOW],
            outcome=Inspection.Outcome.REVOKE_CERTIFICATE,
            notes="Tasting panel scored well below the certified level.",
        )
    other = candidates.exclude(pk=best.pk).exclude(cooperative=best.cooperative).order_by("-pk")
    closed = other.first()
    if closed is not None:
        recall = recall_open(actor=regulator, product=closed, **CLOSED_RECALL)
        recall_close(
            recall=recall,
            actor=regulator,
            note="Labels corrected and checked on site; the cooperative may list it again.",
        )
    return 2 if closed is not None else 1
