"""Product photos: at most eight, ordered, the first is the main one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from catalog.locks import product_lock
from catalog.models import Product, ProductPhoto
from catalog.pagecache import catalog_changed
from catalog.services.products import ProductError, require_member
from marketplace.images import image_renditions, open_checked_image
from marketplace.models import User


def _lock_product(product: Product) -> Product:
    return product_lock(product_id=product.pk)


def _renumber(product: Product, ordered: list[ProductPhoto]) -> None:
    for position, photo in enumerate(ordered):
        if photo.position != position:
            photo.position = position
    ProductPhoto.objects.bulk_update(ordered, ["position"])
    catalog_changed()


@transaction.atomic
def photo_add(*, product: Product, actor: User, upload, alt_text: str = "") -> ProductPhoto:
    """Validate and store a photo with its renditions; nothing is stored on error."""
    require_member(cooperative=product.cooperative, actor=actor)
    image = open_checked_image(upload)
    product = _lock_product(product)
    count = product.photos.count()
    if count >= ProductPhoto.MAX_PER_PRODUCT:
        raise ProductError(
            _("A product has at most %(n)d photos.") % {"n": ProductPhoto.MAX_PER_PRODUCT},
            field="photo",
        )
    renditions = image_renditions(image, sizes=ProductPhoto.SIZES)
    last = product.photos.aggregate(last=Max("position"))["last"]
    photo = ProductPhoto(
        product=product,
        position=0 if last is None else last + 1,
        alt_text=(alt_text or product.title)[:200],
        width=renditions["original"].width,
        height=renditions["original"].height,
    )
    photo.image.save(renditions["original"].name, renditions["original"].content, save=False)
    photo.card.save(renditions["card"].name, renditions["card"].content, save=False)
    photo.large.save(renditions["large"].name, renditions["large"].content, save=False)
    photo.save()
    catalog_changed()
    return photo


@transaction.atomic
def photo_move(*, photo: ProductPhoto, actor: User, offset: int) -> ProductPhoto:
    """Move a photo ``offset`` places (-1 earlier, +1 later) in its product's order."""
    require_member(cooperative=photo.product.cooperative, actor=actor)
    _lock_product(photo.product)
    ordered = list(photo.product.photos.order_by("position", "id"))
    index = next(i for i, p in enumerate(ordered) if p.pk == photo.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    _renumber(photo.product, ordered)
    photo.refresh_from_db()
    return photo


@transaction.atomic
def photo_make_main(*, photo: ProductPhoto, actor: User) -> ProductPhoto:
    require_member(cooperative=photo.product.cooperative, actor=actor)
    _lock_product(photo.product)
    ordered = list(photo.product.photos.order_by("position", "id"))
    ordered.sort(key=lambda p: p.pk != photo.pk)
    _renumber(photo.product, ordered)
    photo.refresh_from_db()
    return photo


@transaction.atomic
def photo_delete(*, photo: ProductPhoto, actor: User) -> None:
    require_member(cooperative=photo.product.cooperative, actor=actor)
    product = _lock_product(photo.product)
    files = [photo.image, photo.card, photo.large]
    names = [(f.storage, f.name) for f in files if f]
    photo.delete()
    _renumber(product, list(product.photos.order_by("position", "id")))
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
