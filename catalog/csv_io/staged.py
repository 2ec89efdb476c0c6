# ruff: noqa: S608 - names in the SQL come from the models and this module; values are parameters
"""The interactions import on PostgreSQL: rows checked and written set-based, in the database.

The file's cells go, as text and with their line numbers, into a temporary table (COPY, one
statement per STAGE_COPY_ROWS rows, the job's progress noted between them); Python only reads
the CSV. In the database then:

1. Rows whose every cell is already in the form the interaction rule (`rules.clean_interaction`)
   would give back unchanged (`_PLAIN`: printable ASCII ids, a known kind in lower case, a
   whole quantity, an amount of at most 2 decimals, an ISO 8601 time with a real date) are
   converted by SQL casts. Every other row (a cell to clean, a formula guard, a bad value) is
   read back and put through the rule itself, so its result or error message is the rule's.
2. SKUs are resolved by a join on the importing shop's products; a row naming another SKU is
   reported by line, as before ("Unknown product SKU ...").
3. Only if the import goes ahead (see `imports`): the shop's missing customers are created in
   one statement, and the rows are written with INSERT ... SELECT joined to the shop's
   customers, WRITE_CHUNK_ROWS at a time, each chunk committed with the job's progress.

Shop isolation: every join names the importing shop (products and customers of other shops
never match). Memory: the worker holds one chunk of odd rows at most; the rows wait in the
database's temporary tables (dropped at the end, and at the start of a retry on the same
connection).
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.utils import timezone

from catalog.csv_io.columns import INTERACTIONS, RowError, parse_interaction
from catalog.models import Customer, Interaction, Product, Shop

STAGE_COPY_ROWS = 20_000  # rows per COPY into the staging table; progress is noted between
ODD_ROWS = 5_000  # rows put through the Python rule per round trip

STAGE, ODD, FIXED, GOOD = "import_stage", "import_odd", "import_fixed", "import_good"
_COLUMNS = INTERACTIONS.columns  # customer_id, sku, kind, quantity, value, occurred_at, ref

# Printable ASCII, no space at either end or two in a row, not starting with the exporter's
# formula guard ('): `clean_text` returns such a cell unchanged.
_CLEAN = r"^[!-&(-~]( ?[!-~])*$"
_DAY = (
    r"(19|20)[0-9]{2}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"  # 29 February goes through the rule
)
_OFFSET = r"(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)"
_TIME = r"[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"


def _when_pattern() -> str:
    # A time without an offset is in the site's zone; the connection's zone is UTC, so a cast
    # reads it right only when the site's zone is UTC too (else the rule reads it).
    if settings.TIME_ZONE == "UTC":
        return f"^{_DAY}({_TIME}{_OFFSET}?)?$"
    return f"^{_DAY}{_TIME}{_OFFSET}$"


def _plain() -> str:
    """SQL: true for a staged row the casts in `_good_rows` read exactly as the rule would."""
    ids = f"~ '{_CLEAN}'"
    return f"""coalesce(
        length(customer_id) <= 64 AND customer_id {ids}
        AND length(sku) <= 64 AND sku {ids}
        AND kind IN ('view', 'cart', 'purchase', 'rating')
        AND (coalesce(quantity, '') = '' OR quantity ~ '^[1-9][0-9]{{0,5}}$')
        AND CASE WHEN kind = 'rating'
            THEN coalesce(value, '') ~ '^([1-4](\\.[0-9]{{1,2}})?|5(\\.00?)?)$'
            ELSE coalesce(value, '') = '' OR value ~ '^(0|[1-9][0-9]{{0,9}})(\\.[0-9]{{1,2}})?$'
            END
        AND (coalesce(occurred_at, '') = '' OR occurred_at ~ '{_when_pattern()}')
        AND (coalesce(recommendation_ref, '') = ''
            OR length(recommendation_ref) <= 64 AND recommendation_ref {ids}),
        false)"""


def without_nul(text: str | Iterable[str]) -> str | Iterable[str]:
    """The text without NUL characters, which PostgreSQL text cannot hold (the rule strips
    them, like every control character, from every cell anyway)."""
    if isinstance(text, str):
        return text.replace("\x00", "")
    return (line.replace("\x00", "") if "\x00" in line else line for line in text)


def applies(kind_name: str) -> bool:
    return kind_name == "interactions" and connection.vendor == "postgresql"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class Staging:
    """One import's rows in the database's temporary tables, between checking and writing.

    Quacks like `imports.Spool` for the writer: `rows` (good rows) and `batches()`, whose
    chunks `write_chunk` stores."""

    def __init__(self, shop: Shop):
        self.shop = shop
        self.rows = 0

    def __enter__(self) -> Staging:
        self.drop()
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is None:
            self.drop()
        else:  # in a transaction the error aborted, dropping fails too; the session ends it
            with contextlib.suppress(DatabaseError):
                self.drop()

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {ODD}, {FIXED}, {GOOD}")

    # --- Checking -----------------------------------------------------------------------------

    def stage(
        self,
        columns: list[str],
        rows: Iterable[tuple[int, list[str] | str]],
        on_row_error: Callable[[int, str], None],
        on_progress: Callable[[int], None],
        max_rows: int,
        too_many: Callable[[int], Exception],
    ) -> int:
        """COPY the rows' cells into the staging table; misshapen rows go to `on_row_error`.
        Returns the rows read; past `max_rows` rows, raises `too_many(line)`."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE} (line integer, "
                + ", ".join(f"{name} text" for name in _COLUMNS)
                + ")"
            )
        copy_sql = f"COPY {STAGE} (line, {', '.join(columns)}) FROM STDIN"
        count = 0
        pending: list[tuple] = []
        # The rows are read into a list first: the upload's pieces are read from the database,
        # over the connection that a COPY in progress holds.
        for line, cells in rows:
            count += 1
            if count > max_rows:
                raise too_many(line)
            if type(cells) is str:
                on_row_error(line, cells)
            else:
                pending.append((line, *cells))
            if count % STAGE_COPY_ROWS == 0:
                self._copy(copy_sql, pending)
                pending = []
                on_progress(count)
        self._copy(copy_sql, pending)
        return count

    @staticmethod
    def _copy(copy_sql: str, rows: list[tuple]) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def check(self, columns: list[str], listed: int) -> tuple[list[dict], int, list[dict], int]:
        """Sort the staged rows: plain ones stay, the others go through the rule (good ones
        kept, typed); then SKUs are resolved. Returns (rule errors listed, rule error count,
        unknown-SKU errors listed, their count); lists are in line order, `listed` at most."""
        with connection.cursor() as cursor:
            # Temporary tables are never analysed by autovacuum: without statistics the
            # planner guesses their size and may pick nested loops over millions of rows.
            cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute(f"CREATE TEMP TABLE {ODD} AS SELECT * FROM {STAGE} WHERE NOT {_plain()}")
            cursor.execute(f"SELECT count(*) FROM {ODD}")
            if cursor.fetchone()[0]:
                cursor.execute(f"DELETE FROM {STAGE} s USING {ODD} o WHERE s.line = o.line")
                cursor.execute(f"CREATE INDEX ON {ODD} (line)")
            cursor.execute(
                f"CREATE TEMP TABLE {FIXED} (line integer, customer_id text, sku text, "
                "kind text, quantity integer, value numeric(12, 2), occurred_at timestamptz, "
                "recommendation_ref text)"
            )
        rule_errors: list[dict] = []
        rule_error_count = 0
        for chunk in self._odd_rows(columns):
            fixed = []
            for line, fields in chunk:
                try:
                    cleaned = parse_interaction(fields)
                except RowError as exc:
                    rule_error_count += 1
                    if len(rule_errors) < listed:
                        rule_errors.append({"line": line, "error": str(exc)})
                    continue
                fixed.append(
                    (line, cleaned["customer"], cleaned["sku"], cleaned["kind"],
                     cleaned["quantity"], cleaned["value"], cleaned["occurred_at"],
                     cleaned["recommendation_ref"])
                )  # fmt: skip
            if fixed:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(f"COPY {FIXED} FROM STDIN") as copy,
                ):
                    for row in fixed:
                        copy.write_row(row)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {FIXED}")
        sku_errors, sku_error_count = self._resolve_skus(listed)
        return rule_errors, rule_error_count, sku_errors, sku_error_count

    def _odd_rows(self, columns: list[str]) -> Iterator[list[tuple[int, dict]]]:
        after = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT line, {', '.join(columns)} FROM {ODD} WHERE line > %s "
                    "ORDER BY line LIMIT %s",
                    [after, ODD_ROWS],
                )
                chunk = cursor.fetchall()
            if not chunk:
                return
            after = chunk[-1][0]
            yield [(row[0], dict(zip(columns, row[1:], strict=True))) for row in chunk]

    def _resolve_skus(self, listed: int) -> tuple[list[dict], int]:
        """Keep the rows whose SKU the shop has (typed, numbered in line order, in GOOD)."""
        rows = f"""
            SELECT line, customer_id, sku, kind,
                coalesce(nullif(quantity, '')::integer, 1) AS quantity,
                nullif(value, '')::numeric(12, 2) AS value,
                nullif(occurred_at, '')::timestamptz AS occurred_at,
                coalesce(recommendation_ref, '') AS recommendation_ref
            FROM {STAGE}
            UNION ALL
            SELECT line, customer_id, sku, kind, quantity, value, occurred_at,
                recommendation_ref
            FROM {FIXED}"""
        products = _table(Product)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""CREATE TEMP TABLE {GOOD} AS
                SELECT row_number() OVER (ORDER BY s.line) AS n, s.line,
                    s.customer_id, p.id AS product_id, s.kind, s.quantity, s.value,
                    s.occurred_at, s.recommendation_ref
                FROM ({rows}) s JOIN {products} p ON p.shop_id = %s AND p.sku = s.sku""",
                [self.shop.pk],
            )
            self.rows = cursor.rowcount
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {STAGE}) + (SELECT count(*) FROM {FIXED})"
            )
            unknown = cursor.fetchone()[0] - self.rows
            errors = []
            if unknown:
                cursor.execute(
                    f"""SELECT s.line, s.sku FROM ({rows}) s
                    WHERE NOT EXISTS (
                        SELECT 1 FROM {products} p WHERE p.shop_id = %s AND p.sku = s.sku)
                    ORDER BY s.line LIMIT %s""",
                    [self.shop.pk, listed],
                )
                errors = [
                    {
                        "line": line,
                        "error": f"Unknown product SKU {sku!r}: import the product first.",
                    }
                    for line, sku in cursor.fetchall()
                ]
            cursor.execute(f"CREATE UNIQUE INDEX ON {GOOD} (n)")
            cursor.execute(f"ANALYZE {GOOD}")
        return errors, unknown

    # --- Writing ------------------------------------------------------------------------------

    def batches(self, size: int, after: int = 0) -> Iterator[Chunk]:
        """Chunks of the good rows by their number (1-based, in line order), from the one
        after `after` (rows an earlier attempt wrote); the shop's missing customers are
        created before the first."""
        self._create_customers()
        for first in range(after + 1, self.rows + 1, size):
            yield Chunk(self, range(first, min(first + size, self.rows + 1)))

    def _create_customers(self) -> None:
        names, values, params = ["shop_id", "external_id"], ["%s", "g.customer_id"], [self.shop.pk]
        for field in Customer._meta.concrete_fields:
            if field.primary_key or field.name in ("shop", "external_id"):
                continue
            names.append(field.column)
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        customers = _table(Customer)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {customers} ({", ".join(names)})
                SELECT {", ".join(values)}
                FROM (SELECT DISTINCT customer_id FROM {GOOD}) g
                WHERE NOT EXISTS (SELECT 1 FROM {customers} c
                    WHERE c.shop_id = %s AND c.external_id = g.customer_id)
                ON CONFLICT DO NOTHING""",
                [*params, self.shop.pk],
            )

    def write_chunk(self, numbers: range) -> int:
        """INSERT ... SELECT the good rows numbered `numbers`; returns how many."""
        known = {
            "shop": "%s",
            "customer": "c.id",
            "product": "g.product_id",
            "kind": "g.kind",
            "quantity": "g.quantity",
            "value": "g.value",
            "occurred_at": "coalesce(g.occurred_at, %s)",
            "recommendation_ref": "g.recommendation_ref",
        }
        now = timezone.now()
        names, values, params = [], [], []
        for field in Interaction._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.name in known:
                values.append(known[field.name])
                if field.name == "shop":
                    params.append(self.shop.pk)
                elif field.name == "occurred_at":
                    params.append(now)
            elif field.has_default():  # a column added later: its default
                values.append("%s")
                params.append(field.get_db_prep_save(field.get_default(), connection))
            else:
                continue
            names.append(connection.ops.quote_name(field.column))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {_table(Interaction)} ({", ".join(names)})
                SELECT {", ".join(values)}
                FROM {GOOD} g JOIN {_table(Customer)} c
                    ON c.shop_id = %s AND c.external_id = g.customer_id
                WHERE g.n >= %s AND g.n < %s""",
                [*params, self.shop.pk, numbers.start, numbers.stop],
            )
            written = cursor.rowcount
        if written != len(numbers):
            raise IntegrityError(
                f"{len(numbers) - written:,} rows lost their customer while importing."
            )
        return written


class Chunk(NamedTuple):
    """Good rows of a staging by number, as the writer takes them (`imports.write_batch`)."""

    staging: Staging
    numbers: range

    def __len__(self) -> int:
        return len(self.numbers)

    def write(self) -> int:
        return self.staging.write_chunk(self.numbers)


def merged(listed: int, *errors: list[dict]) -> list[dict]:
    """Row errors of several checks, each in line order, as one list in line order."""
    return list(heapq.merge(*errors, key=lambda error: error["line"]))[:listed]
