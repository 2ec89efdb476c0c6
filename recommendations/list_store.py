"""Writing a run's lists: one row per customer and per (product, kind), items as JSON; and its
model arrays (store_model_data).

PostgreSQL takes them through COPY (catalog.csv_io.bulk.copy_rows, the importer's writer), other
databases through `bulk_create` in large batches. Either way each list's JSON is encoded once,
here, and a re-delivered job rewrites its own lists instead of duplicating them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction

from recommendations import run_output
from recommendations.models import (
    CustomerRecommendation,
    ListKind,
    ProductRecommendation,
    RecommendationRun,
    RunModelData,
)

_MODEL_REASONS = ("because_you", "similar_to")
BATCH = 5000


def store_lists(
    run: RecommendationRun, data: run_output.ShopData, customer_recs, similar, together
) -> int:
    """Replace `run`'s stored lists; returns how many rows were written."""
    sources = [
        "model" if any(r.reason in _MODEL_REASONS for r in recs) else "fallback"
        for recs in customer_recs
    ]
    product_lists = [
        (kind, item, recs)
        for kind, lists in ((ListKind.SIMILAR, similar), (ListKind.BOUGHT_TOGETHER, together))
        for item, recs in enumerate(lists)
        if recs
    ]
    with transaction.atomic():
        CustomerRecommendation.objects.filter(run=run).delete()
        ProductRecommendation.objects.filter(run=run).delete()
        if connection.vendor == "postgresql":
            _fast_compression()
            # The items go as JSON text written directly (run_output.ItemText).
            text = run_output.ItemText(data)
            written = _copy(
                CustomerRecommendation,
                ("customer", "source"),
                run,
                zip(data.customer_ids, sources, text.customer_lists(customer_recs), strict=True),
            )
            written += _copy(
                ProductRecommendation,
                ("product", "kind"),
                run,
                (
                    (data.product_ids[item], kind, text.items(recs))
                    for kind, item, recs in product_lists
                ),
            )
        else:
            strongest = run_output.strongest_kinds(
                data, len(data.customer_ids), len(data.product_ids)
            )
            written = _bulk_create(
                (
                    CustomerRecommendation(
                        run=run,
                        customer_id=data.customer_ids[user],
                        source=sources[user],
                        items=run_output.customer_items(recs, data, strongest, user),
                    )
                    for user, recs in enumerate(customer_recs)
                ),
                CustomerRecommendation,
            )
            written += _bulk_create(
                (
                    ProductRecommendation(
                        run=run,
                        product_id=data.product_ids[item],
                        kind=kind,
                        items=[run_output.item_json(r, data, None) for r in recs],
                    )
                    for kind, item, recs in product_lists
                ),
                ProductRecommendation,
            )
    return written


def store_model_data(run: RecommendationRun, arrays: bytes, popular_by_category: dict) -> None:
    """Create or replace `run`'s RunModelData row. On PostgreSQL the arrays (megabytes) go as a
    binary parameter: Django's client-side binding would send them as a hex literal for the
    server to parse back."""
    if connection.vendor != "postgresql":
        RunModelData.objects.update_or_create(
            run=run, defaults={"arrays": arrays, "popular_by_category": popular_by_category}
        )
        return
    import psycopg
    from psycopg.types.json import Jsonb

    quote = connection.ops.quote_name
    table = quote(RunModelData._meta.db_table)
    run_col, arrays_col, popular_col = (
        quote(RunModelData._meta.get_field(name).column)
        for name in ("run", "arrays", "popular_by_category")
    )
    with transaction.atomic():
        _fast_compression()
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({run_col}, {arrays_col}, {popular_col}) "  # noqa: S608
                f"VALUES (%s, %b, %s) ON CONFLICT ({run_col}) DO UPDATE SET "
                f"{arrays_col} = EXCLUDED.{arrays_col}, {popular_col} = EXCLUDED.{popular_col}",
                [run.pk, arrays, Jsonb(popular_by_category)],
            )


def stored_item_factors(run_id: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(product ids, item factors) as stored by `run_id`'s store_model_data; None if absent."""
    blob = RunModelData.objects.filter(run_id=run_id).values_list("arrays", flat=True).first()
    if not blob:
        return None
    arrays = np.load(io.BytesIO(bytes(blob)))  # reads only the two arrays asked for
    return arrays["item_ids"], arrays["item_factors"]


def _fast_compression() -> None:
    """LZ4 instead of pglz for the values this transaction stores out of line (PostgreSQL 14+
    built with lz4; nothing otherwise). The lists' JSON is megabytes: pglz took ~0.2 s of server
    time per run at 4,339 customers, and tried in vain on the model arrays (floats). Reading
    back decompresses either transparently."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


def _copy(model, names: tuple[str, str], run: RecommendationRun, rows: Iterable[tuple]) -> int:
    """COPY (run, names[0], names[1], items) rows; items are JSON text already."""
    from catalog.csv_io.bulk import copy_rows

    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in ("run", *names, "items")]
    column_list = ", ".join(quote(field.column) for field in fields)
    count = 0

    def shaped() -> Iterable[tuple]:
        nonlocal count
        for first, second, items in rows:
            count += 1
            yield (run.pk, first, second, items)

    copy_rows(quote(model._meta.db_table), column_list, shaped())
    return count


def _bulk_create(objects: Iterable, model) -> int:
    count = 0
    batch: list = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch, batch_size=BATCH)
            count += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=BATCH)
        count += len(batch)
    return count
