"""The run's loader reads raw rows (timestamps from the database) into the same arrays."""

from datetime import UTC, datetime

import numpy as np

from catalog.models import Interaction, Product
from recommendations import services


def test_loaded_arrays_match_the_stored_interactions(shop, planted):
    # A timestamp with microseconds, to check the database-side conversion's precision.
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    Interaction.objects.filter(
        pk=Interaction.objects.for_shop(shop).order_by("pk").first().pk
    ).update(occurred_at=moment)
    data = services.load_shop_data(shop, services.settings_snapshot(shop))
    rows = list(
        Interaction.objects.for_shop(shop).values_list(
            "customer_id", "product_id", "kind", "occurred_at"
        )
    )
    assert len(data.users) == len(rows)
    loaded = sorted(
        (data.customer_ids[user], data.product_ids[item], kind, float(stamp))
        for user, item, kind, stamp in zip(
            data.users, data.items, data.kinds, data.timestamps, strict=True
        )
    )
    stored = sorted(
        (customer, product, kind, occurred_at.timestamp())
        for customer, product, kind, occurred_at in rows
    )
    # Keys must match exactly; the stamps to within a millisecond (the database
    # and Python round the last digit differently).
    assert [row[:3] for row in loaded] == [row[:3] for row in stored]
    assert np.allclose([row[3] for row in loaded], [row[3] for row in stored], rtol=0, atol=1e-3)
    assert abs(data.timestamps.min() - moment.timestamp()) < 1e-3
    assert data.last_id == Interaction.objects.for_shop(shop).order_by("-pk").first().pk
    assert data.until == max(row[3] for row in rows)
    assert data.product_ids == list(
        Product.objects.for_shop(shop).order_by("pk").values_list("pk", flat=True)
    )
    assert data.users.dtype == np.int64 and data.timestamps.dtype == np.float64


def test_brands_load_with_the_products_in_their_order(shop, planted):
    products = planted["products"]
    Product.objects.filter(pk=products[3].pk).update(brand="Alpine")
    Product.objects.filter(pk=products[1].pk).update(brand="Zed")
    data = services.load_shop_data(shop, services.settings_snapshot(shop))
    brand_of = dict(Product.objects.for_shop(shop).values_list("pk", "brand"))
    assert data.brands == [brand_of[pk] for pk in data.product_ids]
    assert {"Alpine", "Zed"} <= set(data.brands)


def test_a_shop_without_interactions_loads_empty_arrays(shop):
    Product.objects.create(shop=shop, sku="A-1", title="A")
    data = services.load_shop_data(shop, services.settings_snapshot(shop))
    assert len(data.users) == 0 and data.last_id is None and data.until is None
    assert len(data.product_ids) == 1


def test_a_kind_outside_the_known_ones_is_read_as_stored(shop, planted):
    first = Interaction.objects.for_shop(shop).order_by("pk").first()
    Interaction.objects.filter(pk=first.pk).update(kind="wishlist")
    data = services.load_shop_data(shop, services.settings_snapshot(shop))
    assert data.kinds.count("wishlist") == 1
    assert len(data.kinds) == Interaction.objects.for_shop(shop).count()


def test_postgresql_packed_read_equals_the_row_by_row_fetch(shop, planted):
    import pytest
    from django.db import connection
    from django.db.models import F

    from recommendations import shop_data

    if connection.vendor != "postgresql":
        pytest.skip("the packed read is PostgreSQL's")
    # Stamps around 1970 and 2000 (PostgreSQL's own epoch), with microseconds: the packed read
    # converts the stored microseconds itself and must give date_part's seconds bit for bit.
    moments = (
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 123457, tzinfo=UTC),
        datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
    )
    rows = Interaction.objects.for_shop(shop).order_by("pk")
    for pk, moment in zip(rows.values_list("pk", flat=True)[:4], moments, strict=True):
        Interaction.objects.filter(pk=pk).update(occurred_at=moment)
    packed = shop_data._packed_columns(
        rows.values_list("customer_id", "product_id", "quantity", "occurred_at")
    )
    fetched = shop_data._fetched(
        rows.annotate(stamp=shop_data._UnixSeconds(F("occurred_at"))).values_list(
            "customer_id", "product_id", "quantity", "stamp"
        )
    )
    assert packed is not None and len(packed[0]) == rows.count()
    for mine, theirs in zip(packed, fetched, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert packed[3][0] == -1e-6


def test_positions_and_distinct_ids_equal_numpys_search_and_unique():
    from recommendations import run_output, shop_data

    rng = np.random.default_rng(2)
    dense = np.arange(1000, 1400, dtype=np.int64)
    spread = np.sort(rng.choice(10**9, 400, replace=False)).astype(np.int64)
    for ids in (dense, dense[::3], spread, dense[:1], dense[:0]):
        values = np.concatenate([rng.choice(ids, 500) if len(ids) else [], [5, 10**10, 1100]])
        values = values.astype(np.int64)
        found = np.searchsorted(ids, values)
        expected = [
            int(f) if f < len(ids) and ids[f] == v else -1
            for f, v in zip(found, values, strict=True)
        ]
        assert run_output.index_of(ids, values).tolist() == expected
        for some in (values, values[:-3]):  # with and without far-off values
            distinct, index = shop_data._distinct(some)
            unique, inverse = np.unique(some, return_inverse=True)
            assert distinct.tolist() == unique.tolist() and index.tolist() == inverse.tolist()
    assert run_output.index_of(dense, np.zeros(0, np.int64)).tolist() == []
    assert [part.tolist() for part in shop_data._distinct(np.zeros(0, np.int64))] == [[], []]
