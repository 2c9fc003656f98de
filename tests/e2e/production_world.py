"""What the production-mode browser test shows: run in the subprocess that owns the
site's database (``python -m tests.e2e.production_world``), it makes, through the
services, a verified cooperative with a logo and a business licence and two
products with photos, and prints what the test needs to know as JSON."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def _png(name: str, color: str, size=(640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def build() -> dict:
    from catalog.services.categories import category_ensure
    from catalog.services.photos import photo_add
    from catalog.services.products import product_publish
    from sellers.models import Membership
    from sellers.services import (
        cooperative_attach_licence,
        cooperative_create,
        cooperative_set_logo,
        cooperative_verify,
    )
    from tests.factories import (
        CooperativeFactory,
        MembershipFactory,
        RegulatorFactory,
        UserFactory,
        listing,
    )

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
    # A registration a regulator verified: two entries on the audit trail.
    regulator = RegulatorFactory(email="inspector@example.test")
    founder = UserFactory()
    registered = cooperative_create(
        creator=founder,
        legal_name="Koperasi Garam Amed",
        registration_number="AHU-0012345.AH.01.26",
        country="ID",
        province=cooperative.province,
        commune="Amed",
        member_count=12,
        story="Sea salt raked by hand on the beaches of Amed.",
        contact_email="salt@example.test",
        tax_identifier="01.234.567.8-901.000",
    )
    cooperative_attach_licence(
        cooperative=registered, actor=founder, upload=_png("amed.png", "white")
    )
    cooperative_verify(cooperative=registered, actor=regulator, reason="Documents checked.")
    # A recalled product with a photo, after an inspection with evidence.
    from policy.services.inspections import inspection_record
    from policy.services.recalls import recall_open

    tray = listing(cooperative, manager, category, title="Rattan tray", price="90000", stock=2)
    photo_add(product=tray, actor=manager, upload=_png("tray.png", "maroon"))
    tray = product_publish(product=tray, actor=manager)
    inspection = inspection_record(
        actor=regulator,
        product=tray,
        inspected_on=tray.created_at.date(),
        findings=["labelling"],
        outcome="recall",
        evidence=[_png("evidence.png", "gray")],
    )
    recall = recall_open(
        actor=regulator,
        product=tray,
        inspection=inspection,
        hazard="Splinters on the rim.",
        risk="medium",
        measures="Withdrawn from sale.",
        buyer_action="return",
    )
    # A sale, so that the dashboard has figures and charts to draw.
    from django.utils import timezone

    from catalog.models import Product
    from policy.services.rollups import rollups_rebuild
    from tests.factories import place_order

    place_order(UserFactory(), Product.objects.get(slug=slugs[1]), quantity=2)
    rollups_rebuild(first=timezone.localdate())
    return {
        "recall": recall.pk,
        "inspection": inspection.pk,
        "tray": tray.pk,
        "evidence": inspection.evidence.get().file.name,
        "regulator": regulator.email,
        "regulator_name": regulator.full_name,
        "registered": registered.legal_name,
        "products": slugs,
        "storefront": cooperative.slug,
        "licence": cooperative.business_licence.name,
        "manager": manager.email,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(build()))
