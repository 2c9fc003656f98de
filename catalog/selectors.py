"""Reads of the catalog: what buyers may see, search, and the seller's own listings.

Listing pages run a fixed number of queries whatever their size: one for the page of
products (with cooperative, category and province joined), one for their main photos,
and no COUNT over the catalog: pages know whether a next page exists by fetching one
row more than they show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import F, FloatField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from catalog.models import Category, Product, ProductPhoto
from marketplace.models import Province
from policy.selectors.certification import stars_subquery
from sellers.models import Cooperative

SORTS = ("relevance", "newest", "price_asc", "price_desc")
PAGE_SIZE = 24


def visible_products() -> QuerySet[Product]:
    """The public catalog: the listings for sale (``Product.objects.for_sale``)."""
    return Product.objects.for_sale()


def with_main_photo(products: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card shows: its cooperative, category, origin, main photo and
    ``stars`` (while certified, else None; computed in the same query)."""
    if "stars" not in products.query.annotations:
        products = products.annotate(stars=stars_subquery())
    return products.select_related("cooperative", "category", "origin_province").prefetch_related(
        Prefetch(
            "photos",
            queryset=ProductPhoto.objects.filter(position=0).only(
                "id", "product_id", "card", "alt_text", "position"
            ),
            to_attr="main_photos",
        )
    )


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: Category | None = None
    province_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    cooperative_id: int | None = None
    min_stars: int | None = None
    sort: str = ""


def product_search(*, filters: ProductFilters) -> QuerySet[Product]:
    products = visible_products()
    if filters.category is not None:
        products = products.filter(category__path__startswith=filters.category.path)
    if filters.province_id:
        products = products.filter(origin_province_id=filters.province_id)
    if filters.min_price is not None:
        products = products.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(price__lte=filters.max_price)
    if filters.in_stock:
        products = products.filter(stock__gt=0)
    if filters.cooperative_id:
        products = products.filter(cooperative_id=filters.cooperative_id)
    if filters.min_stars:
        products = products.annotate(stars=stars_subquery()).filter(stars__gte=filters.min_stars)
    sort = filters.sort if filters.sort in SORTS else ("relevance" if filters.q else "newest")
    if filters.q:
        if connection.vendor == "postgresql":
            query = SearchQuery(filters.q, config="simple", search_type="websearch")
            products = products.filter(search_vector=query)
            if sort == "relevance":
                products = products.annotate(rank=SearchRank(F("search_vector"), query))
        else:
            match = fts5_query(filters.q)
            if not match:
                return with_main_photo(products.none())
            products = products.filter(pk__in=RawSQL(FTS5_MATCHING, [match]))  # noqa: S611 (constant SQL, bound parameter)
            if sort == "relevance":
                rank = RawSQL(FTS5_RANK, [match], FloatField())  # noqa: S611 (constant SQL, bound parameter)
                products = products.annotate(rank=-rank)
    if sort == "relevance" and filters.q:
        products = products.order_by("-rank", "-published_at", "-id")
    elif sort == "price_asc":
        products = products.order_by("price", "-id")
    elif sort == "price_desc":
        products = products.order_by("-price", "-id")
    else:
        products = products.order_by("-published_at", "-id")
    return with_main_photo(products)


# The embedded defaults' index (catalog migration 0003): rowid is the product's id.
FTS5_MATCHING = "SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s"
# bm25 is lower for better matches; negated so that both back ends sort on "-rank".
FTS5_RANK = (
    "SELECT bm25(catalog_product_fts) FROM catalog_product_fts "
    "WHERE catalog_product_fts MATCH %s AND rowid = catalog_product.id"
)
_WORD = re.compile(r"[^\W_]+")


def fts5_query(text: str) -> str:
    """The FTS5 expression for what a buyer typed, read as PostgreSQL's
    ``websearch_to_tsquery`` reads it for plain words: every word must appear, a word
    after "-" must not. Each word is quoted, so no input is FTS5 syntax."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for chunk in text.lower().split()[:16]:
        words = _WORD.findall(chunk)
        (unwanted if chunk.startswith("-") else wanted).extend(words)
    if not wanted:
        return ""
    expression = " AND ".join(f'"{word}"' for word in wanted)
    for word in unwanted:
        expression += f' NOT "{word}"'
    return expression


@dataclass(frozen=True)
class Page:
    """A window of results without a COUNT: ``has_next`` comes from one extra row."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(products: QuerySet, *, number: int, size: int = PAGE_SIZE) -> Page:
    number = max(1, min(number, 1000))
    start = (number - 1) * size
    rows = list(products[start : start + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)


def featured_products(*, limit: int = 12, pool: int = 8) -> list[Product]:
    """The home page's picks: recent listings, mixed across cooperatives and categories.

    Newest first alone shows whichever cooperative published last (a catalogue import
    fills the page). From the ``limit * pool`` newest listings, each round takes one
    listing from every cooperative in turn (the cooperative with the newest listing
    first), each cooperative's newest in a category not yet shown in that round when
    it has one, until ``limit`` are chosen. Same two queries as a plain page.
    """
    recent = list(
        with_main_photo(visible_products().order_by("-published_at", "-id"))[: limit * pool]
    )
    queues: dict[int, list[Product]] = {}
    for product in recent:
        queues.setdefault(product.cooperative_id, []).append(product)
    chosen: list[Product] = []
    while len(chosen) < limit and any(queues.values()):
        shown_this_round: set[int] = set()
        for queue in queues.values():
            if not queue or len(chosen) == limit:
                continue
            pick = next((p for p in queue if p.category_id not in shown_this_round), queue[0])
            queue.remove(pick)
            shown_this_round.add(pick.category_id)
            chosen.append(pick)
    return chosen


def category_by_slug(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise Http404
    return category


def category_tree() -> list[tuple[Category, list[Category]]]:
    """Top categories with their children, in one query."""
    nodes = list(Category.objects.filter(depth__lte=2).order_by("path"))
    roots = [node for node in nodes if node.depth == 1]
    children: dict[str, list[Category]] = {root.path: [] for root in roots}
    for node in nodes:
        if node.depth == 2:
            children[node.path[: Category.steplen]].append(node)
    return [(root, children[root.path]) for root in roots]


def category_ancestors(*, category: Category) -> list[Category]:
    """The category's ancestors, root first. Categories change rarely (in the admin):
    the list is cached for ten minutes, sparing product pages a query."""
    key = f"catalog:ancestors:{category.pk}:{category.path}"
    ancestors = cache.get(key)
    if ancestors is None:
        steplen = Category.steplen
        paths = [category.path[:i] for i in range(steplen, len(category.path), steplen)]
        ancestors = list(Category.objects.filter(path__in=paths).order_by("depth"))
        cache.set(key, ancestors, timeout=600)
    return ancestors


def category_children(*, category: Category) -> list[Category]:
    return list(
        Category.objects.filter(path__startswith=category.path, depth=category.depth + 1).order_by(
            "path"
        )
    )


def categories_by_id() -> dict[int, Category]:
    """Every category, by id (a few hundred rows that change in the admin): cached for
    ten minutes, for pages that name categories of figures without joining them."""
    categories = cache.get("catalog:categories")
    if categories is None:
        categories = Category.objects.in_bulk()
        cache.set("catalog:categories", categories, timeout=600)
    return categories


def provinces_by_id() -> dict[int, Province]:
    provinces = cache.get("catalog:provinces")
    if provinces is None:
        provinces = Province.objects.in_bulk()
        cache.set("catalog:provinces", provinces, timeout=600)
    return provinces


def public_product(*, slug: str, viewer) -> Product:
    """A product page: public while visible; its cooperative's members may preview it.
    ``stars`` and ``ocop_number`` carry its certificate in force (None without one)."""
    product = (
        Product.objects.select_related("cooperative", "category")
        .annotate(stars=stars_subquery(), ocop_number=stars_subquery(field="number"))
        .filter(slug=slug)
        .first()
    )
    if product is None:
        raise Http404
    # Provinces are a few dozen rows that rarely change: taken from a cached map
    # rather than joined, which makes the hottest page's query half as costly.
    provinces = provinces_by_id()
    product.origin_province = (
        provinces.get(product.origin_province_id) if product.origin_province_id else None
    )
    product.cooperative.province = (
        provinces.get(product.cooperative.province_id) if product.cooperative.province_id else None
    )
    if product.is_for_sale:
        return product
    if viewer.is_authenticated and product.cooperative.memberships.filter(user=viewer).exists():
        return product
    raise Http404


def cooperative_products(*, cooperative: Cooperative, status: str = "") -> QuerySet[Product]:
    """The seller's own listings, every status (for the workspace)."""
    products = Product.objects.filter(cooperative=cooperative)
    if status:
        products = products.filter(status=status)
    return with_main_photo(products.order_by("-updated_at", "-id"))


def storefront_products(*, cooperative: Cooperative, limit: int = 48) -> list[Product]:
    return list(
        with_main_photo(
            visible_products().filter(cooperative=cooperative).order_by("-published_at", "-id")
        )[:limit]
    )


def product_lookup(*, text: str, limit: int = 20) -> list[Product]:
    """Listings of any status whose title contains ``text`` or whose SKU is ``text``
    (the regulator finding a product to certify)."""
    text = text.strip()
    if not text:
        return []
    return list(
        Product.objects.select_related("cooperative", "category")
        .filter(Q(title__icontains=text) | Q(sku__iexact=text))
        .order_by("title", "pk")[:limit]
    )


def product_by_id(*, pk: int) -> Product:
    try:
        return Product.objects.select_related("cooperative", "category").get(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None


def categories_in_tree_order() -> QuerySet[Category]:
    """Every category, parents before their children (for a form's category choices)."""
    return Category.objects.order_by("path")
