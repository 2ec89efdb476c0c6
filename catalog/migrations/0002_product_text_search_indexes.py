"""Indexes for the product list's text search on PostgreSQL (SKU, title, brand).

Django's `icontains` becomes `UPPER(col::text) LIKE UPPER('%term%')`, which a B-tree cannot
serve: without these, a search scans every product of the shop (about 60 ms at 100,000). Trigram
GIN indexes (pg_trgm) on the same expressions let PostgreSQL answer from the index. Creating the
extension needs a privileged role; where that is refused the search still works, unindexed.
SQLite has no such index and is left alone.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = {
    "catalog_product_title_trgm": "USING gin (UPPER(title::text) gin_trgm_ops)",
    "catalog_product_brand_trgm": "USING gin (UPPER(brand::text) gin_trgm_ops)",
    "catalog_product_sku_upper": "(shop_id, UPPER(sku::text))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm unavailable (%s); product search stays unindexed", exc)
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_product {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
