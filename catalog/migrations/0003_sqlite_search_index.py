"""Full-text search index on SQLite (the embedded defaults): an FTS5 table.

PostgreSQL keeps its vector in ``catalog_product.search_vector`` (0002). SQLite has no
such column type, so the same text (see ``catalog.services.products.search_text``) is
kept in an FTS5 table whose rowid is the product's id, written by the same service
that refreshes PostgreSQL's vector. Products that already exist are indexed here.
"""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts "
    "USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')"
)
DROP = "DROP TABLE IF EXISTS catalog_product_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE)
    # A database seeded before this migration: index what it holds, with the models
    # as they are at this point of history.
    from django.conf import settings

    Product = apps.get_model("catalog", "Product")
    rows = []
    for product in Product.objects.select_related("category", "cooperative").iterator():
        names = [getattr(product.category, f"name_{code}", "") or "" for code, _ in settings.LANGUAGES]
        parts = [product.title, *names, product.cooperative.legal_name]
        parts += [product.origin_commune, product.description, product.story]
        rows.append((product.pk, " ".join(part or "" for part in parts)))
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany("INSERT INTO catalog_product_fts (rowid, body) VALUES (%s, %s)", rows)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]

    operations = [migrations.RunPython(create, drop)]
