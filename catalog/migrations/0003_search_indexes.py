"""The full-text search indexes, one per database back end.

PostgreSQL keeps each product's vector in ``catalog_product.search_vector``, indexed
with GIN. SQLite (the embedded defaults) has no such column type: the same text (see
``catalog.services.products.search_text``) is kept in an FTS5 table whose rowid is the
product's id, written by the same service that refreshes PostgreSQL's vector.
"""

from django.db import migrations

POSTGRESQL = (
    "CREATE INDEX IF NOT EXISTS catalog_product_search_gin "
    "ON catalog_product USING gin (search_vector)",
    "DROP INDEX IF EXISTS catalog_product_search_gin",
)
SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts "
    "USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')",
    "DROP TABLE IF EXISTS catalog_product_fts",
)
BY_VENDOR = {"postgresql": POSTGRESQL, "sqlite": SQLITE}


def create(apps, schema_editor):
    if statements := BY_VENDOR.get(schema_editor.connection.vendor):
        schema_editor.execute(statements[0])


def drop(apps, schema_editor):
    if statements := BY_VENDOR.get(schema_editor.connection.vendor):
        schema_editor.execute(statements[1])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
