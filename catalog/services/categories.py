from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from catalog.models import Category


@transaction.atomic
def category_ensure(
    *, slug: str, name: str, parent: Category | None = None, translations: dict | None = None
) -> Category:
    """Return the category with ``slug``, creating it under ``parent`` if missing.

    ``translations`` maps a language code to the name in that language.
    """
    existing = Category.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    names = {
        build_localized_fieldname("name", code): value
        for code, value in (translations or {}).items()
    }
    if parent is None:
        return Category.objects.add_root(create_kwargs={"slug": slug, "name": name, **names})
    return Category.objects.add_child(
        Category.objects.get(pk=parent.pk),
        create_kwargs={"slug": slug, "name": name, **names},
    )


@transaction.atomic
def category_move(*, category: Category, under: Category | None) -> Category:
    """Move ``category`` (and its branch) under ``under``, or to the top level; the
    listing policy re-evaluates the catalog in the same transaction."""
    category = Category.objects.get(pk=category.pk)
    if under is None:
        Category.objects.move(category, Category.get_last_root_node(), pos="last-sibling")
    else:
        Category.objects.move(category, Category.objects.get(pk=under.pk), pos="last-child")
    return Category.objects.get(pk=category.pk)
