# ruff: noqa: S608 - names in the SQL come from the models and this module; values are parameters
"""The interactions import on PostgreSQL: rows checked and written set-based, in the database.

While the file is read (Python only reads the CSV and sorts the rows):

1. Rows whose every cell is already in the form the interaction rule (`rules.clean_interaction`)
   would give back unchanged (`plain_row`: printable ASCII ids, a known kind in lower case, a
   whole quantity, an amount of at most 2 decimals, an ISO 8601 time with a real date) go, as
   text and with their line numbers, into a temporary table (COPY, one statement per
   STAGE_COPY_ROWS rows, the job's progress noted between them); SQL casts type them later.
   Every other row (a cell to clean, a formula guard, a bad value) is put through the rule
   itself, so its result or error message is the rule's, and the typed result is COPYed to a
   second table.

Then, in the database:

2. SKUs are resolved by a join on the importing shop's products; a row naming another SKU is
   reported by line, as before ("Unknown product SKU ...").
3. Only if the import goes ahead (see `imports`): the shop's missing customers are created in
   one statement, and the rows are written with INSERT ... SELECT joined to the shop's
   customers and products, WRITE_CHUNK_ROWS at a time, each chunk committed with the job's
   progress (`write_chunk`: the foreign keys are checked for the whole chunk at once where the
   database role may).

Shop isolation: every join names the importing shop (products and customers of other shops
never match). Memory: the worker holds one COPY's rows at most; the rows wait in the
database's temporary tables (dropped at the end, and at the start of a retry on the same
connection).
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from catalog.csv_io.columns import INTERACTIONS, RowError, parse_interaction
from catalog.models import Customer, Interaction, Product, Shop

log = logging.getLogger(__name__)

STAGE_COPY_ROWS = 20_000  # rows per COPY into the staging table; progress is noted between

STAGE, FIXED, GOOD, WRITE = "import_stage", "import_fixed", "import_good", "import_write"
WRITE_CHUNK_ROWS = 20_000  # rows per INSERT ... SELECT, each committed with the job's progress
WORK_MEM = "256MB"  # the import's session only, while it lasts (PostgreSQL's default is 4MB)
_COLUMNS = INTERACTIONS.columns  # customer_id, sku, kind, quantity, value, occurred_at, ref

# Printable ASCII but the backslash (COPY's escape), no space at either end or two in a row, not
# starting with the exporter's formula guard ('), at most 64 characters: `clean_text` returns
# such an id unchanged. (The spaces are checked on the whole row, see `plain_row`.)
_ID = r"[!-&(-\[\]-~][ -\[\]-~]{0,63}"
_DAY = (
    r"(?:19|20)[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"  # 29 February goes through the rule
)
_OFFSET = r"(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)"
_TIME = r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_KIND_AND_VALUE = {  # the value a kind's rows need for the casts: an amount, or a rating's
    "other": ("(?:view|cart|purchase)", r"(?:(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2})?)?"),
    "rating": ("rating", r"(?:[1-4](?:\.[0-9]{1,2})?|5(?:\.00?)?)"),
}
_TAB = "\t"  # between a staged row's cells, as COPY's text format reads them


def _when_pattern() -> str:
    # A time without an offset is in the site's zone; the connection's zone is UTC, so a cast
    # reads it right only when the site's zone is UTC too (else the rule reads it).
    if settings.TIME_ZONE == "UTC":
        return f"{_DAY}(?:{_TIME}{_OFFSET}?)?"
    return f"{_DAY}{_TIME}{_OFFSET}"


def plain_row(columns: list[str]) -> Callable[[str], bool]:
    """For a file with these columns: a test of a row's cells joined by tabs that is true when
    the casts in `_resolve_skus` read every cell exactly as the rule would (the other rows go
    through the rule), and the text is then a line of COPY's text format as it stands.

    One regular expression over the whole row (a cell holding a tab fails: the row then has
    more of them than the header has columns), and the spaces of ids checked on the whole row.
    An empty optional cell, or an optional column the file does not have, is plain."""
    cells = {
        "customer_id": _ID,
        "sku": _ID,
        "quantity": "(?:[1-9][0-9]{0,5})?",
        "occurred_at": f"(?:{_when_pattern()})?",
        "recommendation_ref": f"(?:{_ID})?",
    }
    branches = [
        _TAB.join({**cells, "kind": kind, "value": value}[name] for name in columns)
        for kind, value in _KIND_AND_VALUE.values()
        if kind != "rating" or "value" in columns  # a rating needs its value
    ]
    fullmatch = re.compile("|".join(f"(?:{branch})" for branch in branches)).fullmatch
    tabs = len(columns) - 1

    def is_plain(text: str) -> bool:
        return (
            text.count(_TAB) == tabs
            and "  " not in text
            and " \t" not in text
            and text[-1:] != " "
            and fullmatch(text) is not None
        )

    return is_plain


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

    Quacks like `imports.Spool` for the writer: `rows` (good rows), `chunk_rows` and
    `batches(after)`, whose chunks `write_chunk` stores."""

    def __init__(self, shop: Shop, listed: int):
        self.shop = shop
        self.listed = listed  # errors listed at most, of each check (every one is counted)
        self.rows = 0
        self.rule_errors: list[dict] = []
        self.rule_error_count = 0
        self.keys_per_chunk = False  # see `write_chunk`

    def __enter__(self) -> Staging:
        self.drop()
        with connection.cursor() as cursor:  # sorts and hashes of millions of rows in memory
            cursor.execute(f"SET work_mem = '{WORK_MEM}'")
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is None:
            self.drop(reset=True)
        else:  # in a transaction the error aborted, this fails too; the session ends it
            with contextlib.suppress(DatabaseError):
                self.drop(reset=True)

    def drop(self, reset: bool = False) -> None:
        """Drop the import's tables; `reset`: and give the session its own work_mem back."""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {FIXED}, {GOOD}, {WRITE}")
            if reset:
                cursor.execute("RESET work_mem")

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
        """COPY the plain rows' cells into the staging table and the other rows, through the
        rule, into FIXED (rule errors in `rule_errors`); misshapen rows go to `on_row_error`.
        Returns the rows read; past `max_rows` rows, raises `too_many(line)`."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE} (line integer, "
                + ", ".join(f"{name} text" for name in _COLUMNS)
                + ")"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {FIXED} (line integer, customer_id text, sku text, "
                "kind text, quantity integer, value numeric(12, 2), occurred_at timestamptz, "
                "recommendation_ref text)"
            )
        copy_sql = f"COPY {STAGE} (line, {', '.join(columns)}) FROM STDIN"
        is_plain = plain_row(columns)
        count = 0
        plain: list[str] = []  # lines of COPY's text format
        odd: list[tuple[int, list[str]]] = []
        # The rows are read into lists first: the upload's pieces are read from the database,
        # over the connection that a COPY in progress holds.
        for line, cells in rows:
            count += 1
            if count > max_rows:
                raise too_many(line)
            if type(cells) is str:
                on_row_error(line, cells)
            else:
                text = _TAB.join(cells)
                if is_plain(text):
                    plain.append(f"{line}\t{text}\n")
                else:
                    odd.append((line, cells))
            if count % STAGE_COPY_ROWS == 0:
                self._copy_text(copy_sql, plain)
                self._fix(columns, odd)
                plain, odd = [], []
                on_progress(count)
        self._copy_text(copy_sql, plain)
        self._fix(columns, odd)
        return count

    @staticmethod
    def _copy_text(copy_sql: str, lines: list[str]) -> None:
        if lines:
            with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
                copy.write("".join(lines))

    @staticmethod
    def _copy(copy_sql: str, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def _fix(self, columns: list[str], rows: list[tuple[int, list[str]]]) -> None:
        """Put rows that are not plain through the rule; COPY the good ones, typed, to FIXED."""
        fixed = []
        for line, cells in rows:
            try:
                cleaned = parse_interaction(dict(zip(columns, cells, strict=True)))
            except RowError as exc:
                self.rule_error_count += 1
                if len(self.rule_errors) < self.listed:
                    self.rule_errors.append({"line": line, "error": str(exc)})
                continue
            fixed.append(
                (line, cleaned["customer"], cleaned["sku"], cleaned["kind"],
                 cleaned["quantity"], cleaned["value"], cleaned["occurred_at"],
                 cleaned["recommendation_ref"])
            )  # fmt: skip
        self._copy(f"COPY {FIXED} FROM STDIN", fixed)

    def check(self) -> tuple[list[dict], int]:
        """Resolve the SKUs of the staged and fixed rows. Returns (unknown-SKU errors listed,
        their count); the list is in line order, `listed` at most."""
        with connection.cursor() as cursor:
            # Temporary tables are never analysed by autovacuum: without statistics the
            # planner guesses their size and may pick nested loops over millions of rows.
            cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute(f"ANALYZE {FIXED}")
        return self._resolve_skus()

    def _resolve_skus(self) -> tuple[list[dict], int]:
        """Keep the rows whose SKU the shop has (typed, with their product, in GOOD)."""
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
                SELECT s.line, s.customer_id, p.id AS product_id, s.kind, s.quantity, s.value,
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
                    [self.shop.pk, self.listed],
                )
                errors = [
                    {
                        "line": line,
                        "error": f"Unknown product SKU {sku!r}: import the product first.",
                    }
                    for line, sku in cursor.fetchall()
                ]
            cursor.execute(f"ANALYZE {GOOD}")
        return errors, unknown

    # --- Writing ------------------------------------------------------------------------------

    @property
    def chunk_rows(self) -> int:
        return WRITE_CHUNK_ROWS

    def batches(self, after: int = 0) -> Iterator[Chunk]:
        """Chunks of `chunk_rows` good rows by their number (1-based, in line order), from the
        one after `after` (rows an earlier attempt wrote); the shop's missing customers are
        created, and every row given its customer's key, before the first."""
        size = self.chunk_rows
        self._create_customers()
        self._number_rows()
        self.keys_per_chunk = _may_switch_key_triggers_off()
        if not self.keys_per_chunk:
            log.info(
                "Import for shop %s: the database role may not set session_replication_role, "
                "so each row's foreign keys are checked by their triggers (slower).",
                self.shop.pk,
            )
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

    def _number_rows(self) -> None:
        """The good rows with their customer's key, numbered in line order (WRITE): the
        customers are looked up once for the whole file, not per chunk."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""CREATE TEMP TABLE {WRITE} AS
                SELECT row_number() OVER (ORDER BY g.line) AS n, c.id AS customer_id,
                    g.product_id, g.kind, g.quantity, g.value, g.occurred_at,
                    g.recommendation_ref
                FROM {GOOD} g JOIN {_table(Customer)} c
                    ON c.shop_id = %s AND c.external_id = g.customer_id""",
                [self.shop.pk],
            )
            if cursor.rowcount != self.rows:
                raise IntegrityError(
                    f"{self.rows - cursor.rowcount:,} rows lost their customer while importing."
                )
            cursor.execute(f"DROP TABLE {GOOD}")
            cursor.execute(f"CREATE UNIQUE INDEX ON {WRITE} (n)")
            cursor.execute(f"ANALYZE {WRITE}")

    def write_chunk(self, numbers: range) -> int:
        """INSERT ... SELECT the good rows numbered `numbers`; returns how many.

        Where the database role may (`keys_per_chunk`), the foreign keys are checked for the
        whole chunk at once instead of by triggers, three queries per row that took most of a
        write's time: the chunk's shop, customers and products are locked FOR KEY SHARE (as
        the triggers lock each), the chunk is refused if one of them is gone (as the triggers
        would refuse it), and the triggers are off for the INSERT only."""
        known = {
            "shop": "%s",
            "customer": "w.customer_id",
            "product": "w.product_id",
            "kind": "w.kind",
            "quantity": "w.quantity",
            "value": "w.value",
            "occurred_at": "coalesce(w.occurred_at, %s)",
            "recommendation_ref": "w.recommendation_ref",
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
        bounds = [numbers.start, numbers.stop]
        with connection.cursor() as cursor:
            if self.keys_per_chunk:
                self._lock_keys(cursor, bounds)
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"""INSERT INTO {_table(Interaction)} ({", ".join(names)})
                SELECT {", ".join(values)} FROM {WRITE} w WHERE w.n >= %s AND w.n < %s""",
                [*params, *bounds],
            )
            written = cursor.rowcount
            if self.keys_per_chunk:
                cursor.execute("SET LOCAL session_replication_role = origin")
        return written

    def _lock_keys(self, cursor, bounds: list[int]) -> None:
        """Lock the rows a chunk refers to FOR KEY SHARE; refuse it if one is gone.

        One primary-key probe per key: a join would read all the shop's customers for each
        chunk, and statistics not yet updated for the customers just created can make the
        planner read them all for each key (by the shop's index, or sequentially: the shop is
        checked after the lookup, and sequential scans are off for these statements)."""
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {_table(Shop)} WHERE id = %s FOR KEY SHARE) s",
            [self.shop.pk],
        )
        if cursor.fetchone()[0] != 1:
            raise IntegrityError("The shop was deleted while importing.")
        for model, column in ((Customer, "customer_id"), (Product, "product_id")):
            cursor.execute(
                f"""SELECT count(*), count(*) FILTER (WHERE locked.shop_id = %s) FROM
                    (SELECT DISTINCT {column} AS id FROM {WRITE} WHERE n >= %s AND n < %s) k
                LEFT JOIN LATERAL (SELECT shop_id FROM {_table(model)}
                    WHERE id = k.id FOR KEY SHARE) locked ON true""",
                [self.shop.pk, *bounds],
            )
            keys, locked = cursor.fetchone()
            missing = keys - locked
            if missing:
                name, were = (
                    (model._meta.verbose_name, "was")
                    if missing == 1
                    else (model._meta.verbose_name_plural, "were")
                )
                raise IntegrityError(f"{missing:,} {name} of these rows {were} deleted meanwhile.")
        cursor.execute("SET LOCAL enable_seqscan = DEFAULT")
        cursor.execute("SET LOCAL jit = DEFAULT")


def _may_switch_key_triggers_off() -> bool:
    """Whether this database role may set session_replication_role (a superuser, or a role
    granted SET on it: `GRANT SET ON PARAMETER session_replication_role TO ...`, PostgreSQL
    15 and later), which `write_chunk` needs to check a chunk's keys at once."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


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
