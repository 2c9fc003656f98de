"""Catalog pages on a realistic catalog: 100 000 products from 2 000 cooperatives.

    python bench/catalog.py               # seed once (idempotent), then measure
    python bench/catalog.py --reseed      # drop the benchmark's data and seed again
    python bench/catalog.py --explain     # also EXPLAIN ANALYZE each page's slowest query
    python bench/catalog.py --profile search-common   # also cProfile one page

Measures in-process (``django.test.Client``, anonymous visitor, ``DEBUG=0``) the median
server time of the public catalog pages and compares each with a bare page that renders
``base.html`` with no query. Prints a table, and as the last line one JSON object with
the ratios. Not a test: nothing passes or fails on timing.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this folder comes first on sys.path and this file would
    # shadow the ``catalog`` app: put the repository root there instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from bench import common

N_PRODUCTS = 100_000
N_COOPERATIVES = 2_000
FOREIGN_SHARE = 0.10
BATCH = 5_000
RANDOM_SEED = 20_251_125
REGISTRATION_PREFIX = "BENCH-"

# --- Vocabulary ---------------------------------------------------------------------

# Leaf category -> (unit, common names, rare names). Indonesian and English mixed,
# as sellers write them.
LEAVES = {
    "batik-ikat": (
        "piece",
        [
            "kain batik tulis",
            "batik cap",
            "kain tenun ikat",
            "selendang batik",
            "ikat weaving cloth",
            "batik scarf",
            "kain songket",
            "tenun ikat ikat lungsi",
        ],
        ["kain ulos"],
    ),
    "woven-sarongs": (
        "piece",
        [
            "sarung tenun",
            "sarung tenun ikat",
            "sarung songket",
            "woven sarong",
            "sarung sutra",
            "sarung lurik",
        ],
        ["sarung gedogan"],
    ),
    "clothing": (
        "piece",
        [
            "kemeja batik",
            "blus tenun",
            "outer tenun ikat",
            "cotton shirt",
            "kebaya",
            "dress tenun",
            "jaket lurik",
            "kaos katun",
        ],
        ["baju bodo"],
    ),
    "coffee-tea": (
        "pack",
        [
            "kopi arabica",
            "kopi robusta",
            "kopi bubuk",
            "teh hijau",
            "teh hitam",
            "ground coffee",
            "roasted coffee beans",
            "teh melati",
            "kopi arabica specialty",
        ],
        ["kopi luwak liar", "teh kayu aro"],
    ),
    "spices-condiments": (
        "pack",
        [
            "rempah bumbu",
            "lada hitam",
            "kayu manis",
            "cengkeh",
            "pala",
            "sambal",
            "kunyit bubuk",
            "jahe merah",
            "spice mix",
            "garam laut",
        ],
        ["sambal andaliman", "andaliman kering"],
    ),
    "honey-preserves": (
        "pack",
        [
            "madu hutan",
            "madu kelulut",
            "wild honey",
            "selai nanas",
            "manisan pala",
            "gula aren",
            "madu randu",
            "forest honey",
        ],
        ["madu pahit"],
    ),
    "basketry": (
        "piece",
        [
            "anyaman rotan",
            "keranjang rotan",
            "tas anyaman pandan",
            "tikar pandan",
            "rattan basket",
            "bakul bambu",
            "anyaman bambu",
        ],
        ["tas purun"],
    ),
    "pottery": (
        "piece",
        [
            "gerabah",
            "kendi gerabah",
            "vas keramik",
            "piring keramik",
            "cobek tanah liat",
            "clay pot",
            "gerabah hias",
        ],
        ["gentong kasongan"],
    ),
    "woodcraft": (
        "piece",
        [
            "ukiran kayu jati",
            "talenan kayu",
            "wooden bowl",
            "patung kayu",
            "sendok kayu",
            "kotak kayu",
        ],
        ["topeng kayu"],
    ),
    "green-coffee": (
        "kg",
        [
            "biji kopi hijau arabica",
            "green coffee beans",
            "kopi mentah robusta",
            "green bean arabica",
            "gabah kopi",
        ],
        ["kopi liberika"],
    ),
    "cocoa-beans": (
        "kg",
        ["biji kakao fermentasi", "kakao", "cocoa beans", "nib kakao", "bubuk kakao"],
        ["kakao criollo"],
    ),
    "seeds-seedlings": (
        "pack",
        [
            "bibit kopi",
            "benih padi",
            "bibit kakao",
            "benih cabai",
            "seedlings",
            "bibit durian",
            "benih sayur",
        ],
        ["bibit andaliman"],
    ),
    "kitchenware": (
        "piece",
        [
            "panci",
            "wajan",
            "spatula kayu",
            "rantang",
            "cooking pot",
            "kitchen knife",
            "parutan",
            "dandang",
            "stainless pan",
        ],
        ["kukusan bambu"],
    ),
    "soaps-oils": (
        "piece",
        [
            "sabun herbal",
            "sabun sereh",
            "minyak kelapa murni",
            "minyak atsiri",
            "sabun kopi",
            "essential oil",
            "lulur rempah",
            "sabun madu",
        ],
        ["minyak kemiri"],
    ),
    "solar-lighting": (
        "piece",
        [
            "lampu tenaga surya",
            "solar lamp",
            "lentera surya",
            "solar lantern",
            "panel surya mini",
            "lampu taman",
        ],
        ["senter surya"],
    ),
    "books": (
        "piece",
        ["buku resep", "buku cerita rakyat", "cookbook", "buku tenun", "novel", "buku anak"],
        ["kamus bahasa sumba"],
    ),
}
RARE_SHARE = 0.03  # of a leaf's products carry one of its rare names
PLACES = [
    "Gayo",
    "Toraja",
    "Kintamani",
    "Flores",
    "Sumba",
    "Garut",
    "Jogja",
    "Pekalongan",
    "Lasem",
    "Bali",
    "Lombok",
    "Sumbawa",
    "Kalimantan",
    "Papua",
    "Aceh",
    "Minang",
    "Jepara",
    "Tuban",
    "Kasongan",
    "Bajawa",
    "Ende",
    "Mandailing",
    "Priangan",
    "Baduy",
]
ADJECTIVES = [
    "organik",
    "premium",
    "asli",
    "handmade",
    "tradisional",
    "alami",
    "natural",
    "fair trade",
    "murni",
    "hand-woven",
    "pilihan",
    "original",
    "eksklusif",
    "classic",
]
COLORS = [
    "merah",
    "biru",
    "hijau",
    "kuning",
    "hitam",
    "putih",
    "cokelat",
    "indigo",
    "maroon",
    "natural",
    "krem",
    "abu-abu",
    "red",
    "blue",
    "green",
    "black",
]
SIZES = {
    "pack": ["100 g", "200 g", "250 g", "500 g", "1 kg", "330 ml", "600 ml"],
    "kg": ["1 kg", "5 kg", "10 kg", "25 kg", "60 kg"],
    "piece": [
        "S",
        "M",
        "L",
        "XL",
        "kecil",
        "sedang",
        "besar",
        "small",
        "large",
        "200 x 110 cm",
        "set 3 pcs",
        "set 6 pcs",
        "30 cm",
        "45 cm",
    ],
}
SENTENCES = [
    "Dibuat dengan tangan oleh anggota koperasi.",
    "Made by hand by the members of the cooperative.",
    "Bahan baku dipilih langsung dari kebun petani.",
    "Sourced directly from smallholder farms.",
    "Dikemas rapi dan aman untuk pengiriman ke seluruh Indonesia.",
    "Packed with care and shipped within two working days.",
    "Setiap produk unik dan bisa sedikit berbeda dari foto.",
    "Each piece is unique and may differ slightly from the photo.",
    "Tanpa bahan pengawet dan pewarna buatan.",
    "No preservatives and no artificial colours.",
    "Proses tradisional yang diwariskan turun-temurun.",
    "A traditional process handed down for generations.",
    "Cocok untuk hadiah dan oleh-oleh.",
    "A fine gift for family and friends.",
]
STORIES = [
    "Koperasi kami berdiri untuk memberi harga yang adil kepada para perajin desa.",
    "Our cooperative was founded so that village makers earn a fair price.",
    "Para ibu di desa bekerja bersama setelah panen selesai.",
    "The women of the village work together once the harvest is in.",
    "Sebagian hasil penjualan kembali ke sekolah desa.",
    "Part of every sale goes back to the village school.",
]
COOP_TRADES = [
    "Kopi",
    "Tenun",
    "Madu",
    "Gerabah",
    "Rotan",
    "Kakao",
    "Rempah",
    "Batik",
    "Anyaman",
    "Teh",
    "Sabun",
    "Kayu",
    "Tani",
    "Serba Usaha",
]
# Root category -> share of the cooperatives that specialise in it.
HOME_SPECIALTIES = {
    "food-beverages": 0.30,
    "textiles-fashion": 0.20,
    "crafts": 0.18,
    "agricultural-raw-materials": 0.12,
    "household-goods": 0.06,
    "beauty": 0.08,
    "electronics": 0.02,
    "books": 0.04,
}
FOREIGN_SPECIALTIES = {
    "textiles-fashion": 0.30,
    "household-goods": 0.25,
    "beauty": 0.20,
    "electronics": 0.20,
    "food-beverages": 0.05,
}
FOREIGN = [  # country, region, cities
    ("CN", "Guangdong", ["Guangzhou", "Shenzhen", "Foshan"]),
    ("CN", "Zhejiang", ["Yiwu", "Hangzhou", "Ningbo"]),
    ("CN", "Fujian", ["Xiamen", "Quanzhou"]),
    ("MY", "Selangor", ["Shah Alam", "Klang"]),
    ("TH", "Bangkok", ["Bangkok"]),
]
STATUSES = {"active": 0.90, "draft": 0.04, "unpublished": 0.03, "archived": 0.03}
SPECIALTY_SHARE = 0.85  # of a cooperative's products in its specialty, the rest anywhere
PHOTO_VARIANTS = 6

# Searches: a common word, two words, a rare word.
SEARCHES = [
    ("search-common", "kopi"),
    ("search-two-words", "tenun ikat"),
    ("search-rare", "andaliman"),
]
CATEGORY_SLUG = "food-beverages"
PRODUCT_PAGES = 250  # distinct products the product page rotates over


# --- Seeding ------------------------------------------------------------------------


def _photo_names(variant: int) -> dict[str, str]:
    return {kind: f"bench/photo-{variant}-{kind}.jpg" for kind in ("image", "card", "large")}


def ensure_images() -> None:
    """A few small shared JPEGs under MEDIA_ROOT that every photo row points at."""
    from django.conf import settings
    from PIL import Image, ImageDraw

    sizes = {"image": (1200, 900), "card": (400, 300), "large": (1000, 750)}
    for variant in range(PHOTO_VARIANTS):
        for kind, name in _photo_names(variant).items():
            path = settings.MEDIA_ROOT / name
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            width, height = sizes[kind]
            hue = 40 * variant
            image = Image.new("RGB", (width, height), (hue % 256, 120, 200 - hue % 200))
            draw = ImageDraw.Draw(image)
            for i in range(0, width, max(1, width // 12)):
                draw.rectangle([i, 0, i + width // 24, height], fill=(230, 200 - i % 100, 90))
            image.save(path, "JPEG", quality=70)


def _ensure_categories():
    from catalog.services.categories import category_ensure
    from demo.management.commands.seed_demo import CATEGORY_TREE, _names

    leaves_by_root = {}
    for slug, names, children in CATEGORY_TREE:
        parent = category_ensure(slug=slug, name=names[0], translations=_names(names))
        leaves = [
            category_ensure(
                slug=child_slug,
                name=child_names[0],
                parent=parent,
                translations=_names(child_names),
            )
            for child_slug, child_names in children
        ]
        leaves_by_root[slug] = leaves or [parent]
    return leaves_by_root


def is_seeded() -> bool:
    from catalog.models import Product, ProductPhoto
    from sellers.models import Cooperative

    return (
        Cooperative.objects.filter(registration_number__startswith=REGISTRATION_PREFIX).count()
        == N_COOPERATIVES
        and Product.objects.count() == N_PRODUCTS
        and ProductPhoto.objects.count() == N_PRODUCTS
        and not Product.objects.filter(search_vector__isnull=True).exists()
    )


class _Rollback(Exception):
    pass


def search_vectors_current(*, sample: int = 50) -> bool:
    """Whether the stored vectors are what ``search_vector_refresh`` makes *today*: the
    function may have changed since the seed (other fields, weights). Recomputes a
    spread sample in a transaction that is rolled back and compares."""
    from django.db import transaction

    from catalog.models import Product
    from catalog.services.products import search_vector_refresh

    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    ids = ids[:: max(1, len(ids) // sample)]
    stored = dict(Product.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    try:
        with transaction.atomic():
            search_vector_refresh(products=Product.objects.filter(pk__in=ids))
            fresh = dict(Product.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
            raise _Rollback
    except _Rollback:
        pass
    return stored == fresh


def refresh_search_vectors() -> None:
    from django.db import connection

    from catalog.models import Product
    from catalog.services.products import search_vector_refresh

    with common.timed("search_vector_refresh (one UPDATE)"):
        search_vector_refresh(products=Product.objects.all())
    with common.timed("VACUUM ANALYZE catalog_product"), connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) catalog_product")


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _cooperatives(rng: random.Random, provinces: list) -> list:
    from django.utils.text import slugify

    from sellers.models import Cooperative

    rows = []
    for n in range(N_COOPERATIVES):
        foreign = n % round(1 / FOREIGN_SHARE) == 0  # exactly 10%, spread over the ids
        if foreign:
            country, region, cities = FOREIGN[n % len(FOREIGN)]
            city = rng.choice(cities)
            name = f"{city} {rng.choice(['Trading', 'Export', 'Home Goods', 'Supply'])} Co. {n}"
            specialty = _weighted(rng, FOREIGN_SPECIALTIES)
            extra = {"country": country, "region": region, "commune": city, "province": None}
        else:
            province = rng.choice(provinces)
            place = rng.choice(PLACES)
            name = f"Koperasi {rng.choice(COOP_TRADES)} {place} {n}"
            specialty = _weighted(rng, HOME_SPECIALTIES)
            extra = {"country": "ID", "province": province, "commune": place}
        cooperative = Cooperative(
            legal_name=name,
            slug=f"{slugify(name)}-{n}",
            registration_number=f"{REGISTRATION_PREFIX}{n:05d}",
            year_founded=rng.randint(1980, 2024),
            member_count=rng.randint(0, 400),
            story=rng.choice(STORIES),
            contact_email=f"coop{n}@bench.lokapasar.test",
            payout_method=Cooperative.PayoutMethod.BANK,
            payout_account=f"BANK {n:010d}",
            status=Cooperative.Status.VERIFIED,
            status_reason="Verified (benchmark data).",
            **extra,
        )
        cooperative.bench_specialty = specialty
        rows.append(cooperative)
    Cooperative.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _title(rng: random.Random, leaf_slug: str) -> tuple[str, str]:
    unit, names, rare = LEAVES[leaf_slug]
    noun = rng.choice(rare) if rng.random() < RARE_SHARE else rng.choice(names)
    words = [noun.capitalize()]
    if rng.random() < 0.5:
        words.append(rng.choice(ADJECTIVES))
    if rng.random() < 0.7:
        words.append(rng.choice(PLACES))
    if unit == "piece" and rng.random() < 0.6:
        words.append(rng.choice(COLORS))
    if rng.random() < 0.8:
        words.append(rng.choice(SIZES[unit]))
    return " ".join(words), unit


def _price(rng: random.Random) -> int:
    value = math.exp(rng.uniform(math.log(10_000), math.log(5_000_000)))
    return min(5_000_000, max(10_000, round(value / 500) * 500))


def _products(rng: random.Random, cooperatives: list, leaves_by_root: dict) -> int:
    from django.utils import timezone
    from django.utils.text import slugify

    from catalog.models import Product, ProductPhoto

    all_leaves = [leaf for leaves in leaves_by_root.values() for leaf in leaves]
    # Some cooperatives list a few products, some many (log-normal sizes).
    weights = [rng.lognormvariate(0, 1) for _ in cooperatives]
    owners = rng.choices(cooperatives, weights=weights, k=N_PRODUCTS)
    now = timezone.now()
    year = timedelta(days=365).total_seconds()
    created = 0
    for start in range(0, N_PRODUCTS, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, N_PRODUCTS)):
            cooperative = owners[n]
            if rng.random() < SPECIALTY_SHARE:
                leaf = rng.choice(leaves_by_root[cooperative.bench_specialty])
            else:
                leaf = rng.choice(all_leaves)
            title, unit = _title(rng, leaf.slug)
            status = _weighted(rng, STATUSES)
            published_at = None
            if status == "draft":
                created_at = now - timedelta(seconds=rng.uniform(0, year))
            else:
                published_at = now - timedelta(seconds=rng.uniform(0, year))
                created_at = published_at - timedelta(seconds=rng.uniform(0, 30 * 86_400))
            food = leaf.slug in {"coffee-tea", "spices-condiments", "honey-preserves"}
            batch.append(
                Product(
                    cooperative=cooperative,
                    category=leaf,
                    sku=f"B-{n:06d}",
                    title=title,
                    slug=f"{slugify(title)[:180]}-b{n}",
                    description=" ".join([f"{title}.", *rng.sample(SENTENCES, rng.randint(1, 3))]),
                    story=rng.choice(STORIES) if rng.random() < 0.4 else "",
                    origin_province=cooperative.province,
                    origin_commune=cooperative.commune,
                    unit=unit,
                    price=_price(rng),
                    stock=0 if rng.random() < 0.08 else rng.randint(1, 500),
                    certificate_number=f"HALAL-{n:08d}" if food and rng.random() < 0.3 else "",
                    status=status,
                    created_at=created_at,
                    published_at=published_at,
                )
            )
        Product.objects.bulk_create(batch)
        photos = []
        for product in batch:
            variant = product.pk % PHOTO_VARIANTS
            photos.append(
                ProductPhoto(
                    product=product,
                    position=0,
                    width=1200,
                    height=900,
                    alt_text=product.title[:200],
                    **_photo_names(variant),
                )
            )
        ProductPhoto.objects.bulk_create(photos)
        created += len(batch)
    return created


def seed(*, force: bool = False) -> float | None:
    """Seed the benchmark catalog unless it is already there at the right size.
    Returns the seconds it took, or None when nothing was done."""
    from django.db import connection, transaction

    from catalog.models import Product
    from catalog.services.products import search_vector_refresh
    from marketplace.models import Province
    from marketplace.services import provinces_seed

    ensure_images()
    if not force and is_seeded():
        common.log(f"catalog already seeded ({N_PRODUCTS} products, {N_COOPERATIVES} cooperatives)")
        if not search_vectors_current():
            common.log("search_vector_refresh has changed since the seed: refreshing the vectors")
            refresh_search_vectors()
        return None
    common.log(f"seeding {N_PRODUCTS} products from {N_COOPERATIVES} cooperatives ...")
    rng = random.Random(RANDOM_SEED)
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The benchmark's own database: everything the seed makes goes, with what
            # hangs on it (photos, decisions, memberships, ...).
            cursor.execute(
                "TRUNCATE catalog_product, sellers_cooperative, policy_listingrule "
                "RESTART IDENTITY CASCADE"
            )
        with common.timed("provinces and categories"):
            provinces_seed(country="ID")
            provinces = list(Province.objects.filter(country="ID").order_by("code"))
            leaves_by_root = _ensure_categories()
        with common.timed(f"{N_COOPERATIVES} cooperatives (bulk_create)"):
            cooperatives = _cooperatives(rng, provinces)
        with common.timed(f"{N_PRODUCTS} products + photos (bulk_create, batches of {BATCH})"):
            _products(rng, cooperatives, leaves_by_root)
        with common.timed("search_vector_refresh (one UPDATE)"):
            search_vector_refresh(products=Product.objects.all())
    with common.timed("VACUUM ANALYZE"), connection.cursor() as cursor:
        for table in (
            "catalog_product",
            "catalog_productphoto",
            "sellers_cooperative",
            "catalog_category",
            "marketplace_province",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    seconds = time.perf_counter() - started
    common.log(f"seeding took {seconds:.1f} s")
    return seconds


def ensure_seeded(*, force: bool = False) -> float | None:
    common.setup()
    return seed(force=force)


# --- Measuring ----------------------------------------------------------------------


@dataclass
class PageRun:
    name: str
    urls: list[str]
    error: str = ""
    queries: int | None = None
    bytes: int | None = None
    times_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return common.median(self.times_ms) if self.times_ms else None

    @property
    def p90(self) -> float | None:
        return common.percentile(self.times_ms, 0.9) if self.times_ms else None


def _product_urls() -> list[str]:
    from django.urls import reverse

    from catalog.selectors import visible_products

    ids = list(visible_products().values_list("pk", flat=True))
    chosen = random.Random(RANDOM_SEED + 1).sample(ids, min(PRODUCT_PAGES, len(ids)))
    slugs = dict(visible_products().filter(pk__in=chosen).values_list("pk", "slug"))
    return [reverse("catalog:product", args=[slugs[pk]]) for pk in chosen]


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} for {url}")
    return response


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:160]


def _explain(client, page: PageRun) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, page.urls[0])
    print(f"\n== {page.name} {page.urls[0]}: {len(ctx.captured_queries)} queries")
    for query in ctx.captured_queries:
        print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][:160]}")
    selects = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if selects:
        slowest = max(selects, key=lambda q: float(q["time"]))
        print(f"-- slowest query:\n{slowest['sql']}\n-- EXPLAIN (ANALYZE, BUFFERS):")
        print(common.explain_analyze(slowest["sql"]))


def _profile(client, page: PageRun, *, requests: int = 50) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(requests):
        _get(client, page.urls[i % len(page.urls)])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(35)
    print(f"\n== cProfile of {requests} requests of {page.name} (cumulative)")
    print(out.getvalue())


def measure(*, requests: int, warmup: int, explain: bool = False, profile: str = "") -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from catalog.selectors import ProductFilters, category_by_slug, product_search

    override_settings(ROOT_URLCONF="bench.urls").enable()
    client = Client()
    common.log(f"load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    for name, q in SEARCHES:
        hits = product_search(filters=ProductFilters(q=q)).count()
        common.log(f"{name} {q!r}: {hits} visible products match")
    in_category = product_search(
        filters=ProductFilters(category=category_by_slug(slug=CATEGORY_SLUG))
    ).count()
    common.log(f"category {CATEGORY_SLUG}: {in_category} visible products")

    pages = [
        PageRun("bare", ["/bench/bare/"]),
        PageRun("browse", ["/catalog/"]),
        *[PageRun(name, [f"/catalog/search/?q={q.replace(' ', '+')}"]) for name, q in SEARCHES],
        PageRun("category", [f"/catalog/c/{CATEGORY_SLUG}/"]),
        PageRun("product", _product_urls()),
    ]

    # Probe each page once, and count its queries.
    for page in pages:
        try:
            with CaptureQueriesContext(connection) as ctx:
                response = _get(client, page.urls[0])
            page.queries = len(ctx.captured_queries)
            page.bytes = len(response.content)
        except Exception as exc:
            page.error = _describe(exc)
            common.log(f"{page.name} fails: {page.error}")
    bare = pages[0]
    if not bare.error and bare.queries:
        common.log(f"WARNING: the bare view ran {bare.queries} queries (expected 0)")
    live = [page for page in pages if not page.error]

    # Warm-up; the product page warms up on other products than the timed ones.
    for i in range(warmup):
        for page in live:
            _get(client, page.urls[-(i + 1) % len(page.urls)])
    # Time spent in the database (execute and fetch) per request, to tell it apart from
    # Python (view, forms, templates): a wrapper around each query, nearly free.
    sql_ns = [0]

    def sql_timer(execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ns[0] += time.perf_counter_ns() - started

    with connection.execute_wrapper(sql_timer):
        for i in range(requests):
            for page in live:
                if page.error:
                    continue
                url = page.urls[i % len(page.urls)]
                sql_ns[0] = 0
                cpu_started = time.process_time_ns()
                started = time.perf_counter_ns()
                try:
                    _get(client, url)
                except Exception as exc:
                    page.error = _describe(exc)
                    continue
                page.times_ms.append((time.perf_counter_ns() - started) / 1e6)
                page.cpu_ms.append((time.process_time_ns() - cpu_started) / 1e6)
                page.sql_ms.append(sql_ns[0] / 1e6)

    if explain:
        for page in live:
            if page.name != "bare" and not page.error:
                _explain(client, page)
    if profile:
        for page in live:
            if page.name == profile:
                _profile(client, page)

    base = bare.median
    rows, errors = [], []
    for page in pages:
        if page.error or not page.times_ms:
            rows.append(
                [page.name, page.urls[0], "-", "-", "-", "-", page.queries, page.bytes, "-"]
            )
            errors.append(f"{page.name}: {page.error}")
            continue
        rows.append(
            [
                page.name,
                page.urls[0] if len(page.urls) == 1 else f"{len(page.urls)} products, rotated",
                f"{page.median:.2f}",
                f"{page.p90:.2f}",
                f"{common.median(page.sql_ms):.2f}",
                f"{common.median(page.cpu_ms):.2f}",
                page.queries,
                page.bytes,
                f"{page.median / base:.2f}" if base else "-",
            ]
        )
    print()
    common.log(
        f"{requests} timed requests per page after {warmup} warm-up rounds; "
        "server time in-process (django.test.Client), anonymous visitor, DEBUG=0; "
        "sql ms: median time inside the database calls of one request; cpu ms: median "
        "CPU time of this Python process (client + server, not PostgreSQL) per request"
    )
    common.log(f"load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    common.print_table(
        ["page", "url", "median ms", "p90 ms", "sql ms", "cpu ms", "queries", "bytes", "x bare"],
        rows,
        align="llrrrrrrr",
    )
    for error in errors:
        common.log(f"ERROR {error}")
    by_name = {page.name: page for page in pages}

    def page_ratio(name):
        page = by_name[name]
        return None if page.error or not page.times_ms else common.ratio(page.median, base)

    search_ratios = [page_ratio(name) for name, _ in SEARCHES]
    return {
        "browse_ratio": page_ratio("browse"),
        "search_ratio": None if None in search_ratios else max(search_ratios),
        "category_ratio": page_ratio("category"),
        "product_ratio": page_ratio("product"),
        "browse_queries": by_name["browse"].queries,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the data and seed again")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print each page's queries and EXPLAIN ANALYZE its slowest",
    )
    parser.add_argument(
        "--profile",
        default="",
        metavar="PAGE",
        help="cProfile 50 requests of PAGE (browse, search-common, ...)",
    )
    args = parser.parse_args(argv)
    common.setup()
    seed(force=args.reseed)
    result = measure(
        requests=args.requests, warmup=args.warmup, explain=args.explain, profile=args.profile
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
