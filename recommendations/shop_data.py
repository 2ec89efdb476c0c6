"""A run's input as plain arrays: the shop's products and every interaction, read without model
instances.

Interactions are the bulk (hundreds of thousands of rows): they are read as raw rows with the
timestamp already turned into Unix seconds by the database (PostgreSQL `date_part('epoch', ...)`,
SQLite `julianday`), in chunks through the DB-API cursor, so no Django field converter runs per
row. Databases without such an expression fall back to `values_list`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, Max, Value, When

from catalog.models import AVAILABLE_STOCK, Interaction, InteractionKind, Product, Shop
from recommendations import run_output

CHUNK = 50_000
KINDS = tuple(InteractionKind.values)


class _UnixSeconds(Func):
    """A datetime column as float seconds since 1970 (UTC)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        # date_part is float8 arithmetic; EXTRACT goes through numeric since PostgreSQL 14 (145
        # against 86 ms for 406k rows). Both are the correctly rounded microseconds / 1e6.
        return self.as_sql(compiler, connection, template="date_part('epoch', %(expressions)s)")

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite stores Django's datetimes as UTC text; julianday reads fractional seconds.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template)


def load_shop_data(shop: Shop, snapshot: dict) -> run_output.ShopData:
    """Products (by pk) and interactions (customers by pk) of `shop`, up to its latest
    interaction when the read starts (rows stored meanwhile wait for the next run)."""
    import numpy as np

    from recommendations.services import is_repurchasable

    products = list(
        Product.objects.for_shop(shop)
        .order_by("pk")
        .values_list("pk", "title", "category", "stock_status", "tags")
    )
    product_ids = np.array([row[0] for row in products], dtype=np.int64)
    bounds = Interaction.objects.for_shop(shop).aggregate(last=Max("pk"))
    last_id = bounds["last"]
    customer_col, product_col, kinds, stamps = _interaction_columns(shop, last_id)
    # Interactions of products outside the shop's list (none, by the foreign key) are dropped.
    positions = np.searchsorted(product_ids, product_col)
    positions = np.minimum(positions, max(len(product_ids) - 1, 0))
    keep = product_ids[positions] == product_col if len(product_ids) else np.zeros(0, dtype=bool)
    if not keep.all():
        customer_col, positions, stamps = customer_col[keep], positions[keep], stamps[keep]
        kinds = [kind for kind, kept in zip(kinds, keep, strict=True) if kept]
    customer_ids, users = np.unique(customer_col, return_inverse=True)
    until = None
    if len(stamps):
        until = (
            Interaction.objects.for_shop(shop)
            .filter(pk__lte=last_id)
            .aggregate(until=Max("occurred_at"))["until"]
        )
    return run_output.ShopData(
        product_ids=[row[0] for row in products],
        titles=[row[1] for row in products],
        categories=[row[2] for row in products],
        available=np.array([row[3] in AVAILABLE_STOCK for row in products], dtype=bool),
        repurchasable=np.array(
            [is_repurchasable(row[2], row[4], snapshot) for row in products], dtype=bool
        ),
        customer_ids=[int(pk) for pk in customer_ids],
        users=users.astype(np.int64).reshape(-1),
        items=positions.astype(np.int64),
        kinds=kinds,
        timestamps=stamps,
        until=until,
        last_id=last_id,
    )


def _interaction_columns(shop: Shop, last_id: int | None):
    """(customer ids, product ids, kinds, Unix seconds) of the shop's interactions up to
    `last_id`, as arrays (kinds a list of str)."""
    import numpy as np

    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), [], np.zeros(0, np.float64))
    if last_id is None:
        return empty
    rows = Interaction.objects.for_shop(shop).filter(pk__lte=last_id).order_by()
    if connection.vendor not in ("postgresql", "sqlite"):
        return _columns_from_values(
            rows.values_list("customer_id", "product_id", "kind", "occurred_at")
        )
    # Every column a number (the kind as its index in KINDS): a chunk becomes one float array
    # in one call. Ids stay exact as floats below 2**53.
    kind_code = Case(
        *(When(kind=kind, then=Value(code)) for code, kind in enumerate(KINDS)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    query = rows.annotate(code=kind_code, stamp=_UnixSeconds(F("occurred_at"))).values_list(
        "customer_id", "product_id", "code", "stamp"
    )
    sql, params = query.query.sql_with_params()
    columns = _binary_copy(sql, params) if connection.vendor == "postgresql" else None
    if columns is None:
        columns = _fetched(sql, params)
    if columns is None:
        return empty
    customer_col, product_col, codes, stamps = columns
    if (codes < 0).any():  # a kind this app does not write: read the plain way
        return _columns_from_values(
            rows.values_list("customer_id", "product_id", "kind", "occurred_at")
        )
    kinds = np.array(KINDS, dtype=object)[codes].tolist()
    return customer_col, product_col, kinds, stamps


def _fetched(sql: str, params):
    """The four columns through the DB-API cursor, in chunks (any database)."""
    import numpy as np

    blocks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            blocks.append(np.array(chunk, dtype=np.float64))
    if not blocks:
        return None
    block = np.concatenate(blocks)
    return (
        block[:, 0].astype(np.int64),
        block[:, 1].astype(np.int64),
        block[:, 2].astype(np.int64),
        block[:, 3].copy(),
    )


def _binary_copy(sql: str, params):
    """The four columns as four packed big-endian byte strings aggregated by PostgreSQL (one row
    back, no Python object per interaction: a row-by-row fetch or COPY costs ~4 us a row in
    the driver). All four aggregates see the rows in the same order (one scan, one node)."""
    import numpy as np

    # `sql` is Django's compiled query; its values travel separately in `params`.
    query = (
        "SELECT string_agg(int8send(q.c::int8), ''), string_agg(int8send(q.p::int8), ''), "  # noqa: S608
        "string_agg(int4send(q.k::int4), ''), string_agg(float8send(q.t::float8), ''), "
        f"count(*) FROM ({sql}) AS q (c, p, k, t)"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        *packed, count = cursor.fetchone()
    if not count:
        return None
    customer, product, code, stamp = (
        np.frombuffer(bytes(column), dtype=kind)
        for column, kind in zip(packed, (">i8", ">i8", ">i4", ">f8"), strict=True)
    )
    if not len(customer) == len(product) == len(code) == len(stamp) == count:
        return None
    return (
        customer.astype(np.int64),
        product.astype(np.int64),
        code.astype(np.int64),
        stamp.astype(np.float64),
    )


def _columns_from_values(rows):
    import numpy as np

    customers, products, kinds, stamps = [], [], [], []
    for customer_id, product_id, kind, occurred_at in rows.iterator(chunk_size=20000):
        customers.append(customer_id)
        products.append(product_id)
        kinds.append(kind)
        stamps.append(occurred_at.timestamp())
    return (
        np.array(customers, dtype=np.int64),
        np.array(products, dtype=np.int64),
        kinds,
        np.array(stamps, dtype=np.float64),
    )
