"""A run's input as plain arrays: the shop's products and every interaction, read without model
instances.

Interactions are the bulk (hundreds of thousands of rows), read without a Python object per row
on PostgreSQL (each column packed by the database into one binary value, `_packed_columns`) and
as raw rows with the timestamp already in Unix seconds on SQLite (`julianday`, in chunks through
the DB-API cursor), so no Django field converter runs per row. Other databases fall back to
`values_list`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, Max, Value, When

from catalog.models import AVAILABLE_STOCK, Interaction, InteractionKind, Product, Shop
from recommendations import run_output

CHUNK = 50_000
KINDS = tuple(InteractionKind.values)


class _UnixSeconds(Func):
    """A datetime column as float seconds since 1970 (UTC). The SQLite read uses it; on
    PostgreSQL it is the reference `_packed_columns` computes the same seconds as."""

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
        .values_list("pk", "title", "category", "stock_status", "tags", "brand")
    )
    product_ids = np.array([row[0] for row in products], dtype=np.int64)
    bounds = Interaction.objects.for_shop(shop).aggregate(last=Max("pk"))
    last_id = bounds["last"]
    customer_col, product_col, kinds, stamps = _interaction_columns(shop, last_id)
    # Interactions of products outside the shop's list (none, by the foreign key) are dropped.
    positions = run_output.index_of(product_ids, product_col)
    keep = positions >= 0
    if not keep.all():
        customer_col, positions, stamps = customer_col[keep], positions[keep], stamps[keep]
        kinds = [kind for kind, kept in zip(kinds, keep, strict=True) if kept]
    customer_ids, users = _distinct(customer_col)
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
        brands=[row[5] for row in products],
    )


def _distinct(values):
    """`np.unique(values, return_inverse=True)` (sorted distinct values, each value's index
    among them), through a presence table over the values' span when that is small: no sort
    of every interaction."""
    import numpy as np

    if len(values) == 0:
        return np.unique(values, return_inverse=True)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * len(values):
        return np.unique(values, return_inverse=True)
    present = np.zeros(span, dtype=bool)
    present[values - low] = True
    index = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, index[values - low]


def _interaction_columns(shop: Shop, last_id: int | None):
    """(customer ids, product ids, kinds, Unix seconds) of the shop's interactions up to
    `last_id`, as arrays (kinds a list of str)."""
    import numpy as np

    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), [], np.zeros(0, np.float64))
    if last_id is None:
        return empty
    rows = Interaction.objects.for_shop(shop).filter(pk__lte=last_id).order_by()
    kind_code = Case(
        *(When(kind=kind, then=Value(code)) for code, kind in enumerate(KINDS)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    if connection.vendor == "postgresql":
        query = rows.annotate(code=kind_code).values_list(
            "customer_id", "product_id", "code", "occurred_at"
        )
        columns = _packed_columns(query)
    elif connection.vendor == "sqlite":
        # Every column a number (the kind as its index in KINDS): a chunk becomes one float
        # array in one call. Ids stay exact as floats below 2**53.
        query = rows.annotate(code=kind_code, stamp=_UnixSeconds(F("occurred_at"))).values_list(
            "customer_id", "product_id", "code", "stamp"
        )
        columns = _fetched(query)
    else:
        return _columns_from_values(
            rows.values_list("customer_id", "product_id", "kind", "occurred_at")
        )
    if columns is None:
        return empty
    customer_col, product_col, codes, stamps = columns
    if (codes < 0).any():  # a kind this app does not write: read the plain way
        return _columns_from_values(
            rows.values_list("customer_id", "product_id", "kind", "occurred_at")
        )
    kinds = np.array(KINDS, dtype=object)[codes].tolist()
    return customer_col, product_col, kinds, stamps


def _fetched(query):
    """The four numeric columns of `query` through the DB-API cursor, in chunks (any database);
    None when there are no rows."""
    import numpy as np

    sql, params = query.query.sql_with_params()
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


# PostgreSQL's binary timestamptz: microseconds since 2000-01-01 UTC, 946,684,800 s after 1970.
_MICROSECONDS_2000 = 946_684_800_000_000


def _packed_columns(query):
    """(customer ids, product ids, kind codes, Unix seconds) of `query`'s four columns (customer,
    product, kind code, occurred_at), each packed by PostgreSQL into one big-endian byte string
    (`string_agg` of `int8send` ...) and fetched in the binary format: one row back, no Python
    object per interaction (a row-by-row fetch or COPY costs ~4 us a row in the driver). All four
    aggregates see the rows in the same order (one scan, one node). None when there are no rows.

    The seconds are `date_part('epoch', occurred_at)` computed here, bit for bit: PostgreSQL
    divides the microseconds since 1970, as a float8, by 1e6 (timestamptz_part_common)."""
    import numpy as np
    import psycopg

    sql, params = query.query.sql_with_params()
    # `sql` is Django's compiled query; its values travel separately in `params`.
    packed_sql = (
        "SELECT string_agg(int8send(q.c::int8), ''), string_agg(int8send(q.p::int8), ''), "  # noqa: S608
        "string_agg(int2send(q.k::int2), ''), string_agg(timestamptz_send(q.t), ''), "
        f"count(*) FROM ({sql}) AS q (c, p, k, t)"
    )
    connection.ensure_connection()
    # A server-side binding cursor: Django's client-side one cannot fetch binary results, and
    # the text format would send every byte string as hex.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(packed_sql, params, binary=True)
        *packed, count = cursor.fetchone()
    if not count:
        return None
    customer, product, code, micros = (
        np.frombuffer(column, dtype=kind)
        for column, kind in zip(packed, (">i8", ">i8", ">i2", ">i8"), strict=True)
    )
    if not len(customer) == len(product) == len(code) == len(micros) == count:
        raise RuntimeError("PostgreSQL packed the interaction columns unevenly")
    stamps = (micros.astype(np.int64) + _MICROSECONDS_2000).astype(np.float64) / 1e6
    return customer.astype(np.int64), product.astype(np.int64), code.astype(np.int64), stamps


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
