"""The demo catalogue: a few hundred listings, generated deterministically.

Each cooperative gets lines of products crossed with variants; every listing is
created, photographed and published through the catalog services, so the demo shows
the listing policy at work (the foreign cooperative's textiles come out blocked).
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Category, Product
from catalog.pagecache import catalog_changed
from catalog.services.photos import photo_add
from catalog.services.products import ListingBlocked, ProductError, product_create, product_publish
from demo.images import product_photo_upload

# registration number -> lines: (category, title, motif, unit, base price, story, certificate)
LINES = {
    "KOP-NTT-2011-0042": [
        (
            "woven-sarongs",
            "Hinggi ikat sarong",
            "textile",
            "piece",
            850_000,
            "Hand-spun cotton dyed with indigo and morinda, woven over six weeks.",
            "",
        ),
        (
            "batik-ikat",
            "Ikat shoulder cloth",
            "textile",
            "piece",
            420_000,
            "A narrow cloth for ceremonies, tied and dyed in the village.",
            "",
        ),
        (
            "clothing",
            "Ikat-trimmed shirt",
            "textile",
            "piece",
            375_000,
            "Sewn in Waingapu from offcuts of the cooperative's cloths.",
            "",
        ),
    ],
    "KOP-ACEH-2009-0117": [
        (
            "coffee-tea",
            "Gayo arabica, roasted beans",
            "beans",
            "pack",
            95_000,
            "Washed arabica from 1,400 m, roasted in Takengon each week.",
            "ID-HALAL-0117",
        ),
        (
            "coffee-tea",
            "Gayo arabica, ground",
            "beans",
            "pack",
            90_000,
            "Medium roast, ground for filter or tubruk.",
            "ID-HALAL-0118",
        ),
        (
            "green-coffee",
            "Gayo green coffee, grade 1",
            "beans",
            "kg",
            140_000,
            "Export-grade green beans for roasters.",
            "",
        ),
    ],
    "KOP-DIY-2004-0311": [
        (
            "pottery",
            "Kasongan terracotta vase",
            "pottery",
            "piece",
            180_000,
            "Thrown on a kick wheel and fired in a shared wood kiln.",
            "",
        ),
        (
            "pottery",
            "Terracotta water jug",
            "pottery",
            "piece",
            120_000,
            "Keeps water cool; unglazed river clay.",
            "",
        ),
        (
            "kitchenware",
            "Clay cooking pot",
            "pottery",
            "piece",
            95_000,
            "For slow-cooked gudeg and soups.",
            "",
        ),
    ],
    "KOP-NTB-2014-0093": [
        (
            "honey-preserves",
            "Sumbawa wild forest honey",
            "jar",
            "pack",
            150_000,
            "Harvested by hand from wild Apis dorsata combs.",
            "ID-HALAL-0093",
        ),
        (
            "soaps-oils",
            "Honey and candlenut soap",
            "other",
            "piece",
            35_000,
            "Cold-process soap with forest honey and candlenut oil.",
            "",
        ),
        (
            "spices-condiments",
            "Sumbawa tamarind paste",
            "jar",
            "pack",
            30_000,
            "Sour tamarind pressed with palm sugar.",
            "ID-HALAL-0094",
        ),
    ],
    "91440101MA59UQ7788": [
        (
            "woven-sarongs",
            "Printed polyester sarong",
            "textile",
            "piece",
            60_000,
            "Machine-printed sarong shipped from Guangzhou.",
            "",
        ),
        ("soaps-oils", "Rose facial oil", "other", "piece", 1_750_000, "Imported facial oil.", ""),
        (
            "kitchenware",
            "Stainless steel wok",
            "other",
            "piece",
            1_900_000,
            "Carbon-steel wok with wooden handle.",
            "",
        ),
        (
            "kitchenware",
            "Plastic food containers",
            "other",
            "pack",
            85_000,
            "Set of six containers.",
            "",
        ),
    ],
}

VARIANTS = [
    "",
    "indigo",
    "natural",
    "large",
    "small",
    "morinda red",
    "gift set",
    "family size",
    "limited batch",
    "classic",
    "heritage",
    "everyday",
    "festival",
    "village",
    "deluxe",
]


def demo_catalog_seed(*, cooperative, actor, per_line: int) -> int:
    """Create the cooperative's demo listings that are missing; return how many."""
    lines = LINES.get(cooperative.registration_number, [])
    existing = set(Product.objects.filter(cooperative=cooperative).values_list("sku", flat=True))
    categories = {c.slug: c for c in Category.objects.all()}
    created = 0
    for line_no, (slug, title, motif, unit, price, story, certificate) in enumerate(lines):
        for n in range(per_line):
            sku = f"{cooperative.registration_number[-4:]}-{line_no}-{n:02d}"
            if sku in existing:
                continue
            variant = VARIANTS[n % len(VARIANTS)]
            name = f"{title}, {variant}" if variant else title
            product = product_create(
                cooperative=cooperative,
                actor=actor,
                category=categories[slug],
                sku=sku,
                title=name,
                description=f"{title}. {story}",
                story=story,
                unit=unit,
                price=Decimal(price + (n % 5) * price // 20),
                stock=(n * 7) % 40 + (0 if n % 11 == 10 else 3),
                certificate_number=certificate,
            )
            photo_add(
                product=product,
                actor=actor,
                upload=product_photo_upload(name, motif, variant=n),
                alt_text=name,
            )
            created += 1
            if product.status == Product.Status.BLOCKED or not cooperative.can_publish:
                continue
            with contextlib.suppress(ListingBlocked, ProductError):
                product_publish(product=product, actor=actor)
    return created


def demo_catalog_interleave_dates() -> None:
    """Spread the demo's publication dates so cooperatives alternate, newest first.

    The seed publishes one cooperative's listings after another's, one product line
    after another, so "newest first" (the first catalog page) would show the last
    cooperative's last line only. Cooperatives take turns, and so do each one's
    categories, one hour apart, as if they had published side by side.
    """
    published = list(
        Product.objects.filter(published_at__isnull=False)
        .order_by("pk")
        .only("pk", "cooperative_id", "category_id", "published_at")
    )
    # Within a cooperative, its categories take turns too.
    by_cooperative: dict[int, list[tuple[int, int, Product]]] = {}
    in_category: dict[tuple[int, int], int] = {}
    for product in published:
        key = (product.cooperative_id, product.category_id)
        in_category[key] = in_category.get(key, -1) + 1
        by_cooperative.setdefault(product.cooperative_id, []).append(
            (in_category[key], product.category_id, product)
        )
    order = []
    for cooperative_id, products in by_cooperative.items():
        products.sort(key=lambda entry: entry[:2])
        order += [(rank, cooperative_id, entry[2]) for rank, entry in enumerate(products)]
    order.sort(key=lambda entry: entry[:2])
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for slot, (_rank, _cooperative, product) in enumerate(order):
        product.published_at = now - timedelta(hours=slot + 1)
    Product.objects.bulk_update([entry[2] for entry in order], ["published_at"], batch_size=500)
    catalog_changed()
