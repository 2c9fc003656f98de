from django.db import transaction

from catalog.models import Category


@transaction.atomic
def category_ensure(*, slug: str, name: str, parent: Category | None = None) -> Category:
    """Return the category with ``slug``, creating it under ``parent`` if missing."""
    existing = Category.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if parent is None:
        return Category.add_root(slug=slug, name=name)
    return parent.add_child(slug=slug, name=name)
