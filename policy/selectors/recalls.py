"""Reads of recalls: the public notices, the regulator's register, and a recall's products."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import Category, Product
from catalog.selectors import with_main_photo
from policy.models import Recall, RecallProduct

PAGE_SIZE = 20


def recall_notices(
    *, status: str = Recall.Status.OPEN, risk: str = "", category: Category | None = None
) -> QuerySet[Recall]:
    """Recalls, newest first, of a status, optionally one risk level, and optionally
    holding a product of a category (or one under it)."""
    recalls = Recall.objects.select_related("cooperative", "product").filter(status=status)
    if risk:
        recalls = recalls.filter(risk=risk)
    if category is not None:
        recalls = recalls.filter(
            Exists(
                RecallProduct.objects.filter(
                    recall=OuterRef("pk"), product__category__path__startswith=category.path
                )
            )
        )
    return recalls.order_by("-opened_at", "-pk")


def recall_page(recalls: QuerySet[Recall], *, number) -> Page:
    """One page of recalls, each with ``lead``: the product its notice pictures (the
    recalled product, or the cooperative's first), photo included, in three queries."""
    page = Paginator(recalls, PAGE_SIZE).get_page(number)
    recalls_here = list(page)
    leads = {recall.pk: recall.product_id for recall in recalls_here if recall.product_id}
    wide = [recall.pk for recall in recalls_here if not recall.product_id]
    if wide:
        leads.update(
            RecallProduct.objects.filter(recall_id__in=wide)
            .values("recall_id")
            .annotate(first=Min("product_id"))
            .values_list("recall_id", "first")
        )
    products = {
        product.pk: product
        for product in with_main_photo(Product.objects.filter(pk__in=set(leads.values())))
    }
    for recall in recalls_here:
        lead = leads.get(recall.pk)
        recall.lead = products.get(lead) if lead else None  # type: ignore[attr-defined]
    page.object_list = recalls_here
    return page


def recall_get(*, pk: int) -> Recall:
    """One recall with what its pages show (404 when there is none)."""
    return get_object_or_404(
        Recall.objects.select_related("cooperative", "product", "opened_by", "closed_by"), pk=pk
    )


def recall_products(*, recall: Recall, number) -> Page:
    """A page of the recall's products, with their cards' photos."""
    products = with_main_photo(
        Product.objects.filter(
            Exists(RecallProduct.objects.filter(recall=recall, product_id=OuterRef("pk")))
        ).order_by("title", "pk")
    )
    return Paginator(products, 48).get_page(number)


def open_recall_for(*, product_id: int) -> Recall | None:
    """The open recall a product is under, if any."""
    return Recall.objects.filter(
        status=Recall.Status.OPEN, lines__product_id=product_id, lines__open=True
    ).first()


def open_recall_count() -> int:
    return Recall.objects.filter(status=Recall.Status.OPEN).count()
