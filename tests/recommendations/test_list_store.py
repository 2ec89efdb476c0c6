"""What a run writes besides its lists' contents: the model arrays row, and how PostgreSQL
compresses what the run stores."""

import io

import numpy as np
import pytest
from django.db import connection, transaction

from recommendations import list_store
from recommendations.models import RunModelData
from tests.recommendations.conftest import run_now

FAST = {"candidates": ["als"], "tuning_budget_s": 0}


def test_a_run_stores_its_model_arrays_and_a_second_write_replaces_them(shop, planted):
    run = run_now(shop, **FAST)
    assert run.job.status == "succeeded"
    row = RunModelData.objects.get(run=run)
    arrays = np.load(io.BytesIO(bytes(row.arrays)))
    assert arrays["item_ids"].tolist() == sorted(arrays["item_ids"].tolist())
    assert arrays["item_factors"].shape[0] == len(arrays["item_ids"])
    assert row.popular_by_category and all(row.popular_by_category.values())

    blob = bytes(range(256)) * 3  # every byte value, NUL included
    list_store.store_model_data(run, blob, {"Tents > Shelf": [1, 2]})
    row = RunModelData.objects.get(run=run)
    assert bytes(row.arrays) == blob
    assert row.popular_by_category == {"Tents > Shelf": [1, 2]}
    assert RunModelData.objects.filter(run=run).count() == 1


def test_the_lists_and_arrays_transactions_compress_with_lz4_where_postgresql_has_it(
    transactional_db,
):
    if connection.vendor != "postgresql":
        pytest.skip("TOAST compression is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        cursor.execute("SHOW default_toast_compression")
        before = cursor.fetchone()[0]
    has_lz4 = row is not None and "lz4" in row[0]
    big_list = (
        "[" + ", ".join(f'{{"p": {i}, "t": "Similar to “Item {i}”"}}' for i in range(500)) + "]"
    )
    with transaction.atomic():
        list_store._fast_compression()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE lists_probe (items jsonb) ON COMMIT DROP")
            cursor.execute("INSERT INTO lists_probe VALUES (%s::jsonb)", [big_list])
            cursor.execute("SELECT pg_column_compression(items) FROM lists_probe")
            compression = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SHOW default_toast_compression")
        after = cursor.fetchone()[0]
    assert compression == ("lz4" if has_lz4 else before)
    assert after == before  # for that transaction only
