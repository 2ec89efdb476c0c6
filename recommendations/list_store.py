"""Writing a run's lists: one row per customer and per (product, kind), items as JSON.

PostgreSQL takes them through COPY (catalog.csv_io.bulk.copy_rows, the importer's writer), other
databases through `bulk_create` in large batches. Either way each list's JSON is encoded once,
here, and a re-delivered job rewrites its own lists instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from recommendations import run_output
from recommendations.models import (
    CustomerRecommendation,
    ListKind,
    ProductRecommendation,
    RecommendationRun,
)

_MODEL_REASONS = ("because_you", "similar_to")
BATCH = 5000


def store_lists(
    run: RecommendationRun, data: run_output.ShopData, customer_recs, similar, together
) -> int:
    """Replace `run`'s stored lists; returns how many rows were written."""
    strongest = run_output.strongest_kinds(data, len(data.customer_ids), len(data.product_ids))
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
            # The items go as JSON text written directly (run_output.ItemText).
            text = run_output.ItemText(data)
            written = _copy(
                CustomerRecommendation,
                ("customer", "source"),
                run,
                (
                    (
                        data.customer_ids[user],
                        sources[user],
                        text.customer_items(recs, strongest, user),
                    )
                    for user, recs in enumerate(customer_recs)
                ),
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
