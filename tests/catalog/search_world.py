"""A small catalog and the searches buyers type, shared by both back ends' runs.

``tests/catalog/test_search_backends.py`` builds it in PostgreSQL's test database and,
in a subprocess with no ``DATABASE_URL``, in a fresh SQLite database (the embedded
defaults), then compares what each finds. Everything is made through the services.
"""

from __future__ import annotations

from catalog.selectors import ProductFilters, product_search
from catalog.services.categories import category_ensure
from tests.factories import CooperativeFactory, listing, manager_of

QUERIES = [
    "kopi",  # the Indonesian name of the category only
    "café",  # its French name, with an accent
    "coffee",
    "arabica",  # a word of the title
    "volcanic",  # a word of the description only
    "grandmother",  # a word of the story only
    "Kintamani",  # the cooperative's name only
    "kopi arabica",  # every word must be found
    "kopi -arabica",  # a word that must not be
    "TENUN",  # case does not matter
    "nothing-like-this",
    "'\"&|!():*<-> ",  # punctuation only: nothing, and no error
]


def build() -> None:
    food = category_ensure(slug="food-beverages", name="Food & beverages")
    coffee = category_ensure(
        slug="coffee-tea",
        name="Coffee & tea",
        parent=food,
        translations={"id": "Kopi & teh", "fr": "Café et thé"},
    )
    textiles = category_ensure(
        slug="textiles-fashion", name="Textiles & fashion", translations={"id": "Tekstil"}
    )
    kintamani = CooperativeFactory(legal_name="Koperasi Petani Kintamani")
    weavers = CooperativeFactory(legal_name="Koperasi Tenun Sumba")
    listings = [
        (kintamani, coffee, "Arabica beans", "Grown on volcanic soil.", ""),
        (kintamani, coffee, "Roasted robusta", "Dark roast.", "Our grandmother's recipe."),
        (weavers, textiles, "Ikat sarong", "Hand woven.", "Dyed with indigo."),
    ]
    for cooperative, category, title, description, story in listings:
        listing(
            cooperative,
            manager_of(cooperative),
            category,
            title=title,
            description=description,
            story=story,
            price="50000",
            stock=5,
            publish=True,
        )


def results() -> dict[str, list[str]]:
    """What each query finds, newest first (relevance is scored differently by each
    back end; what is found and in which date order must not be)."""
    return {
        query: [p.title for p in product_search(filters=ProductFilters(q=query, sort="newest"))]
        for query in QUERIES
    }
