"""What the production-mode browser test shows: run in the subprocess that owns the
site's database (``python -m tests.e2e.production_world``), it makes, through the
services, a verified cooperative with a logo and a business licence and two
products with photos, and prints what the test needs to know as JSON."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import listing


def _png(name: str, color: str, size=(640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def build() -> dict:
    from catalog.services.categories import category_ensure
    from catalog.services.photos import photo_add
    from catalog.services.products import product_publish
    from sellers.models import Membership
    from sellers.services import cooperative_attach_licence, cooperative_set_logo
    from tests.factories import CooperativeFactory, MembershipFactory

    category = category_ensure(slug="household-goods", name="Household goods")
    cooperative = CooperativeFactory(legal_name="Koperasi Anyaman Lontar")
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    cooperative_set_logo(cooperative=cooperative, actor=manager, upload=_png("logo.png", "navy"))
    cooperative_attach_licence(
        cooperative=cooperative, actor=manager, upload=_png("licence.png", "white")
    )
    cooperative.refresh_from_db()
    slugs = []
    for title, color in (("Lontar basket", "olive"), ("Pandan mat", "teal")):
        product = listing(cooperative, manager, category, title=title, price="75000", stock=4)
        photo_add(product=product, actor=manager, upload=_png(f"{product.slug}.png", color))
        product = product_publish(product=product, actor=manager)
        slugs.append(product.slug)
    return {
        "products": slugs,
        "storefront": cooperative.slug,
        "licence": cooperative.business_licence.name,
        "manager": manager.email,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(build()))
