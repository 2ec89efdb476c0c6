"""CSV imports as jobs: store the upload in pieces, check every row, then write in batches.

Reading is streamed: the file is read piece by piece from the database and row by row through
the csv module, so memory stays the same whatever the file's size (see `uploads`).

Policy. By default all or nothing: every row is checked first (`check`: the entity's rule,
SKUs and customers resolved per batch, keys repeated in the file); if any row is bad, nothing
is imported, the job fails with a clear message and `job.result["row_errors"]` lists the bad
rows as {"line": n, "error": "..."} (n is the file's physical line; the header is line 1; the
first MAX_REPORTED_ERRORS are listed, every one is counted in `error_count`). With
`keep_good_rows` (a checkbox on the page, `keep_good_rows=true` in the API) the good rows are
imported and the bad ones reported the same way.

The checked rows wait in a temporary file on the worker (pickled batches), so that writing
does not check them again; they are written in batches (interactions with `bulk_create`, see
`bulk`), each batch committed together with the job's progress, so a re-delivered or retried
task resumes after the last committed batch. While checking, the job's summary says how far the
check got and `progress_total` holds an estimate of the rows; while writing, progress_done /
progress_total count the rows written.

On PostgreSQL an interactions file is checked and written set-based in the database instead
(`staged`: the cells COPYed to a temporary table, SQL casts for clean cells, the rule for the
others, INSERT ... SELECT per batch); the policy, the report and the progress are the same.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog import jobs, services
from catalog.csv_io import staged
from catalog.csv_io.bulk import CustomerIds, write_interactions
from catalog.csv_io.columns import KINDS, PARSERS, CsvKind, RowError
from catalog.csv_io.uploads import (
    bad_byte_line,
    delete_upload,
    forget_debug_queries,
    store_upload,
    text_stream,
    upload_pieces,
)
from catalog.job_kinds import IMPORT_CUSTOMERS, IMPORT_INTERACTIONS, IMPORT_PRODUCTS
from catalog.models import Job, JobStatus, Product, Shop

log = logging.getLogger(__name__)

BATCH_SIZE = 1000  # products and customers: rows per upsert batch
INTERACTION_BATCH_SIZE = 5000  # interactions: rows per INSERT ... SELECT (bulk_create on SQLite)
MAX_REPORTED_ERRORS = 1000  # every bad row is counted; this many are listed
CHECK_REPORT_EVERY = 5000  # rows between "still checking" notes on the job page
KNOWN_SKUS_LIMIT = 500_000  # SKUs remembered between batches (memory stays bounded)
IMPORT_JOB_KINDS = {
    "products": IMPORT_PRODUCTS.name,
    "customers": IMPORT_CUSTOMERS.name,
    "interactions": IMPORT_INTERACTIONS.name,
}


class ImportRejected(ValueError):
    """The file as a whole cannot be imported (size, encoding, header, row count).

    `line` is the physical line the problem is on, when there is one.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Validation:
    rows: int = 0
    error_count: int = 0
    row_errors: list[dict] = field(default_factory=list)

    @property
    def good(self) -> int:
        return self.rows - self.error_count

    def add(self, line: int, error: str) -> None:
        self.error_count += 1
        if len(self.row_errors) < MAX_REPORTED_ERRORS:
            self.row_errors.append({"line": line, "error": error})


def batch_size_for(kind_name: str) -> int:
    return INTERACTION_BATCH_SIZE if kind_name == "interactions" else BATCH_SIZE


def max_rows_for(kind_name: str) -> tuple[int, str]:
    """The row limit of a kind of file and the setting that holds it."""
    if kind_name == "interactions":
        name = "SHOPLLM_MAX_INTERACTION_IMPORT_ROWS"
    else:
        name = "SHOPLLM_MAX_IMPORT_ROWS"
    return getattr(settings, name), name


# --- Reading ----------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """UTF-8 text (a byte-order mark is fine); anything else is rejected with the line."""
    _refuse_utf16(content)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8([content]) from None


def _refuse_utf16(first_bytes: bytes) -> None:
    if first_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(
            "The file is UTF-16. Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
        )


def _not_utf8(pieces: Iterable[bytes]) -> ImportRejected:
    line, byte = bad_byte_line(pieces) or (1, 0)
    return ImportRejected(
        f"The file is not UTF-8 text: line {line} has the byte 0x{byte:02X} "
        "(perhaps Latin-1 or Windows-1252). Save it as 'CSV UTF-8' and upload it again.",
        line=line,
    )


def _delimiter(first_line: str) -> str:
    """Comma, or the semicolon/tab that spreadsheets in some locales write instead."""
    first_line = first_line.split("\n", 1)[0]
    if "," not in first_line:
        for candidate in (";", "\t"):
            if candidate in first_line:
                return candidate
    return ","


def _header(cells: list[str], kind: CsvKind) -> list[str]:
    names = [
        " ".join(cell.replace("\ufeff", "").split()).lower().replace(" ", "_") for cell in cells
    ]
    unknown = [name for name in names if name and name not in kind.columns]
    if unknown:
        raise ImportRejected(
            f"Unknown column(s) in the header: {', '.join(repr(n[:40]) for n in unknown[:10])}. "
            f"A {kind.name} file may have: {', '.join(kind.columns)}.",
            line=1,
        )
    if "" in names:
        raise ImportRejected(f"Column {names.index('') + 1} of the header has no name.", line=1)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportRejected(f"Column(s) named twice in the header: {', '.join(repeated)}.", line=1)
    missing = [name for name in kind.required if name not in names]
    if missing:
        raise ImportRejected(
            f"Missing required column(s): {', '.join(missing)}. "
            f"A {kind.name} file needs: {', '.join(kind.required)}.",
            line=1,
        )
    return names


# The one text the product rule keeps on several lines; a line break in any other cell means a
# quote was opened and not closed where the writer meant, and the lines after it were swallowed.
MULTILINE_COLUMNS = frozenset({"description"})


def read_rows(
    text: str | Iterable[str], kind: CsvKind
) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield (line, {column: cell}) per data row, or (line, message) for a misshapen row.

    `text` is the whole text, or its lines as a text file (opened with newline="") yields
    them. Blank lines are not rows and are passed over; a quoted cell may span lines (in the
    description only), and the line given is the one the row starts on. The reader is strict:
    a stray quote or a quote still open at the end of the file is a bad row, never rows
    silently merged into one cell.
    """
    columns, rows = read_cells(text, kind)
    for line, cells in rows:
        yield line, (cells if isinstance(cells, str) else dict(zip(columns, cells, strict=True)))


def read_cells(
    text: str | Iterable[str], kind: CsvKind
) -> tuple[list[str], Iterator[tuple[int, list[str] | str]]]:
    """The header's column names, and (line, cells in the header's order) per data row or
    (line, message) for a misshapen row, as `read_rows` (which builds a dict per row; the
    PostgreSQL interactions import takes the cells as they are). The header is read now."""
    lines = iter(io.StringIO(text, newline="") if isinstance(text, str) else text)
    first_line = next(lines, "")
    reader = csv.reader(
        itertools.chain([first_line], lines), delimiter=_delimiter(first_line), strict=True
    )
    try:
        header_cells = next(reader, None)
    except csv.Error as exc:
        raise ImportRejected(f"The header cannot be read as CSV ({exc}).", line=1) from None
    if not header_cells or not any(cell.strip() for cell in header_cells):
        raise ImportRejected("The file is empty: it needs a header line and rows.", line=1)
    columns = _header(header_cells, kind)
    return columns, _rows_of(reader, columns)


def _rows_of(reader, columns: list[str]) -> Iterator[tuple[int, list[str] | str]]:
    width = len(columns)
    single_line = [n for n, name in enumerate(columns) if name not in MULTILINE_COLUMNS]
    previous_end = reader.line_num
    while True:
        line = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            previous_end = reader.line_num
            yield line, f"The row cannot be read as CSV ({exc}); check its quotes."
            continue
        previous_end = reader.line_num
        if not "".join(cells).strip():
            continue
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]  # trailing empty cells some spreadsheets add
        if len(cells) != width:
            yield (
                line,
                (
                    f"The row has {len(cells)} cells but the header has {width} "
                    "(a comma inside a value needs quotes around the value)."
                ),
            )
            continue
        # Only a row read over several physical lines can hold a line break.
        spanning = previous_end > line and [
            columns[n] for n in single_line if "\n" in cells[n] or "\r" in cells[n]
        ]
        if spanning:
            yield (
                line,
                (
                    f"The {spanning[0]} cell runs over lines {line}-{previous_end}: a quote "
                    "opened in this row is probably not closed where it should be."
                ),
            )
            continue
        yield line, cells


# --- Checking ---------------------------------------------------------------------------------


def parse_rows(
    shop: Shop, kind: CsvKind, text: str | Iterable[str], *, batch_size: int | None = None
) -> Iterator[list[tuple[int, dict | str]]]:
    """Batches of (line, fields) for good rows and (line, message) for bad ones.

    Checks that need the database (interactions naming a SKU the shop lacks) are done per
    batch, one query for the batch's SKUs not seen before; an interaction's fields gain the
    product's id as "product_id".
    """
    parser = PARSERS[kind.name]
    batch_size = batch_size or batch_size_for(kind.name)
    batch: list[tuple[int, dict | str]] = []
    known_skus: dict[str, int] = {}
    for line, row in read_rows(text, kind):
        if isinstance(row, str):
            batch.append((line, row))
        else:
            try:
                batch.append((line, parser(row)))
            except RowError as exc:
                batch.append((line, str(exc)))
        if len(batch) >= batch_size:
            yield _check_skus(shop, kind, batch, known_skus)
            batch = []
    if batch:
        yield _check_skus(shop, kind, batch, known_skus)


def _check_skus(shop, kind, batch, known_skus: dict[str, int]):
    """Checks against the shop's products: interactions must name one, and a products file
    without titles may only update existing ones."""
    if kind.name == "interactions":
        needs_product = [fields for _, fields in batch if isinstance(fields, dict)]
        message = "Unknown product SKU {sku!r}: import the product first."
    elif kind.name == "products":
        needs_product = [f for _, f in batch if isinstance(f, dict) and "title" not in f]
        message = "SKU {sku!r} is not in the shop yet; a new product needs a title column."
    else:
        return batch
    wanted = {fields["sku"] for fields in needs_product} - known_skus.keys()
    if wanted:
        if len(known_skus) > KNOWN_SKUS_LIMIT:
            known_skus.clear()
        known_skus.update(
            Product.objects.for_shop(shop).filter(sku__in=wanted).values_list("sku", "pk")
        )
    checked = []
    for line, fields in batch:
        if isinstance(fields, dict) and "sku" in fields:
            product_id = known_skus.get(fields["sku"])
            if product_id is None and (kind.name == "interactions" or "title" not in fields):
                fields = message.format(sku=fields["sku"])
            elif kind.name == "interactions":
                fields["product_id"] = product_id
        checked.append((line, fields))
    return checked


def check(
    shop: Shop,
    kind_name: str,
    text: str | Iterable[str],
    *,
    on_progress: Callable[[int], None] | None = None,
    on_good_batch: Callable[[list], None] | None = None,
) -> Validation:
    """Check every row (and repeated keys) without writing anything.

    `on_good_batch(rows)` receives the good rows of each batch, in order, as the writer takes
    them; `on_progress(rows_checked)` is called every CHECK_REPORT_EVERY rows.
    """
    kind = KINDS[kind_name]
    max_rows, limit_setting = max_rows_for(kind_name)
    report = Validation()
    first_line_of: dict[str, int] = {}
    for batch in parse_rows(shop, kind, text):
        good: list = []
        for line, fields in batch:
            report.rows += 1
            if report.rows > max_rows:
                raise ImportRejected(
                    f"The file has more than {max_rows:,} rows (the limit, "
                    f"{limit_setting}). Split it into smaller files.",
                    line=line,
                )
            if on_progress and report.rows % CHECK_REPORT_EVERY == 0:
                on_progress(report.rows)
                forget_debug_queries()
            if isinstance(fields, str):
                report.add(line, fields)
                continue
            if kind.key:
                key = fields[kind.key]
                if key in first_line_of:
                    report.add(
                        line,
                        f"{kind.key} {key!r} is already on line {first_line_of[key]}; "
                        "each one may appear once per file.",
                    )
                    continue
                first_line_of[key] = line
            good.append(_kept(kind_name, fields))
        if on_good_batch and good:
            on_good_batch(good)
    if not report.rows and not report.error_count:
        raise ImportRejected("The file has a header but no rows.", line=2)
    return report


def check_staged(
    shop: Shop,
    text: str | Iterable[str],
    staging: staged.Staging,
    on_progress: Callable[[int], None],
) -> Validation:
    """`check` for an interactions file on PostgreSQL: the cells are staged in the database
    and checked there (see `staged`); the good rows wait in `staging` for the writer."""
    max_rows, limit_setting = max_rows_for("interactions")
    report = Validation()
    columns, rows = read_cells(staged.without_nul(text), KINDS["interactions"])
    misshapen: list[dict] = []

    def row_error(line: int, message: str) -> None:
        report.error_count += 1
        if len(misshapen) < MAX_REPORTED_ERRORS:
            misshapen.append({"line": line, "error": message})

    def too_many(line: int) -> ImportRejected:
        return ImportRejected(
            f"The file has more than {max_rows:,} rows (the limit, {limit_setting}). "
            "Split it into smaller files.",
            line=line,
        )

    report.rows = staging.stage(columns, rows, row_error, on_progress, max_rows, too_many)
    if not report.rows:
        raise ImportRejected("The file has a header but no rows.", line=2)
    on_progress(report.rows)
    sku_errors, sku_error_count = staging.check()
    report.error_count += staging.rule_error_count + sku_error_count
    report.row_errors = staged.merged(
        MAX_REPORTED_ERRORS, misshapen, staging.rule_errors, sku_errors
    )
    return report


def validate(
    shop: Shop, kind_name: str, text: str, on_progress: Callable[[int], None] | None = None
) -> Validation:
    """Check every row of a text without keeping the rows (see `check`)."""
    return check(shop, kind_name, text, on_progress=on_progress)


def _kept(kind_name: str, fields: dict):
    """What the writer needs of a good row: interactions as a plain tuple in the order of
    `CheckedInteraction` (a plain tuple pickles faster)."""
    if kind_name != "interactions":
        return fields
    return (
        fields["customer"],
        fields["product_id"],
        fields["kind"],
        fields["quantity"],
        fields["value"],
        fields["occurred_at"],
        fields["recommendation_ref"],
    )


def parse_file(shop: Shop, kind_name: str, content: bytes) -> tuple[list, Validation]:
    """Check and parse a whole (small) file in memory: for the demo seeder and tests.

    Returns the good rows (what `write_batch` takes) only when every row is good."""
    rows: list = []
    report = check(shop, kind_name, decode(content), on_good_batch=rows.extend)
    return (rows if not report.error_count else []), report


# --- Writing ----------------------------------------------------------------------------------


def write_batch(
    shop: Shop, kind_name: str, rows: list, customers: CustomerIds | None = None
) -> tuple[int, int]:
    """Store one batch of checked rows; returns (created, updated). `customers`: the
    interaction writer's cache of customer ids, kept from batch to batch."""
    if kind_name == "products":
        return services.upsert_products(shop, rows)
    if kind_name == "customers":
        return services.upsert_customers(shop, rows)
    if isinstance(rows, staged.Chunk):  # rows staged in the database (PostgreSQL)
        return rows.write(), 0
    return write_interactions(shop, rows, customers), 0


class Spool:
    """The checked rows of one import, pickled batch by batch into a temporary file on the
    worker's disk (deleted when closed): memory holds one batch."""

    def __init__(self, chunk_rows: int) -> None:
        self.file = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        self.rows = 0
        self.chunk_rows = chunk_rows  # rows per batch written (and committed) at once

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.file.close()

    def add(self, rows: list) -> None:
        pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.rows += len(rows)

    def batches(self, after: int = 0) -> Iterator[list]:
        """The rows again, in batches of `chunk_rows` (the last one smaller), from the one
        after `after` (rows an earlier attempt wrote)."""
        self.file.seek(0)
        size, pending, skip = self.chunk_rows, [], after
        while True:
            try:
                pending.extend(pickle.load(self.file))  # noqa: S301 - written by this process
            except EOFError:
                break
            if skip:
                skipped = min(skip, len(pending))
                del pending[:skipped]
                skip -= skipped
            while len(pending) >= size:
                yield pending[:size]
                del pending[:size]
        if pending:
            yield pending


# --- The job ----------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.SHOPLLM_MAX_UPLOAD_MB * 1024 * 1024


@transaction.atomic
def create_import_job(
    shop: Shop, kind_name: str, uploaded_file, *, user=None, keep_good_rows: bool = False
) -> Job:
    """Keep the uploaded file in the database (in pieces) and queue its import job (after
    commit). `keep_good_rows`: import the good rows and report the bad ones, instead of
    importing nothing when a row is bad."""
    if kind_name not in KINDS:
        raise ImportRejected(f"Unknown import type {kind_name!r}.")
    size = uploaded_file.size
    if size > max_upload_bytes():
        raise ImportRejected(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{settings.SHOPLLM_MAX_UPLOAD_MB} MB (SHOPLLM_MAX_UPLOAD_MB). "
            "Split it into smaller files."
        )
    if size == 0:
        raise ImportRejected("The file is empty.")
    filename = (getattr(uploaded_file, "name", "") or "upload.csv")[-255:]
    upload_ids = store_upload(shop, filename, uploaded_file.chunks())
    return jobs.create_job(
        shop,
        IMPORT_JOB_KINDS[kind_name],
        user=user,
        params={
            "upload_id": upload_ids[0],
            "upload_ids": upload_ids,
            "size": size,
            "filename": filename,
            "csv_kind": kind_name,
            "keep_good_rows": bool(keep_good_rows),
        },
    )


def _report_fields(report: Validation) -> dict:
    return {
        "rows": report.rows,
        "error_count": report.error_count,
        "row_errors": list(report.row_errors),
    }


def _rejection(message: str, report: Validation | None = None, exc=None) -> jobs.JobFailed:
    """The failure to raise: `message`, with the bad rows listed in the job's result."""
    row_errors = list(report.row_errors) if report else []
    if exc is not None and exc.line is not None:
        row_errors = [{"line": exc.line, "error": str(exc)}]
    result: dict = {"row_errors": row_errors, "imported": 0}
    if report:
        result.update(rows=report.rows, error_count=report.error_count)
        result["summary"] = (
            f"Checked {report.rows:,} rows: {report.good:,} good, "
            f"{report.error_count:,} with errors. Nothing was imported."
        )
        if report.error_count > len(report.row_errors):
            result["summary"] += f" The first {len(report.row_errors):,} are listed."
    return jobs.JobFailed(message, result=result)


def _upload_ids(job: Job) -> list[int]:
    return job.params.get("upload_ids") or [job.params.get("upload_id")]


def run_import(job: Job, run: jobs.JobRun) -> dict:
    """The work of an import job (see the module docstring for the policy)."""
    kind_name = job.params.get("csv_kind") or job.kind.removeprefix("import_")
    keep_good_rows = bool(job.params.get("keep_good_rows"))
    upload_ids = _upload_ids(job)
    pieces = upload_pieces(job.shop, upload_ids)
    if pieces is None:
        raise _rejection("The uploaded file is no longer stored; upload it again.")
    size = job.params.get("size") or 0
    # Rows an earlier attempt committed (kept in the result across the checking notes).
    resume_after = int((job.result or {}).get("written", 0)) if job.progress_done else 0

    def checking(rows: int, bytes_read: int) -> None:
        """Say how far the check got; stop if someone cancelled the job."""
        share = min(1.0, bytes_read / size) if size else 0
        note = f"Checking every row before importing: {rows:,} so far"
        note += f" ({share:.0%} of the file)." if share else "."
        running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        if not running.update(
            result={"summary": note, "written": resume_after},
            # An estimate from the share of the file read; exact once the check is done.
            progress_total=max(rows, int(rows / share)) if share else rows,
            heartbeat_at=timezone.now(),
        ):
            raise jobs.JobCancelled()

    with (
        staged.Staging(job.shop, MAX_REPORTED_ERRORS)
        if staged.applies(kind_name)
        else Spool(batch_size_for(kind_name)) as spool
    ):
        try:
            first = next(pieces, b"")
            _refuse_utf16(first)
            text, raw = text_stream(itertools.chain([first], pieces))
            if isinstance(spool, staged.Staging):
                report = check_staged(
                    job.shop, text, spool, lambda rows: checking(rows, raw.bytes_read)
                )
            else:
                report = check(
                    job.shop,
                    kind_name,
                    text,
                    on_progress=lambda rows: checking(rows, raw.bytes_read),
                    on_good_batch=spool.add,
                )
        except UnicodeDecodeError:
            exc = _not_utf8(upload_pieces(job.shop, upload_ids) or [])
            raise _rejection(f"Nothing was imported: {exc}", exc=exc) from None
        except ImportRejected as exc:
            raise _rejection(f"Nothing was imported: {exc}", exc=exc) from exc
        return _write(job, run, kind_name, spool, report, keep_good_rows, resume_after)


def _write(job, run, kind_name, spool, report, keep_good_rows, resume_after) -> dict:
    filename = job.params.get("filename", "")
    if report.error_count and (not keep_good_rows or not report.good):
        plural = "row has" if report.error_count == 1 else "rows have"
        raise _rejection(
            f"{report.error_count:,} of {report.rows:,} {plural} errors, so nothing was "
            "imported. Fix the rows listed below and upload the file again.",
            report,
        )
    size = spool.chunk_rows
    if report.error_count:
        note = (
            f"{report.good:,} of {report.rows:,} rows passed the checks; importing them in "
            f"batches of {size:,} and skipping the {report.error_count:,} with errors."
        )
    else:
        note = f"All {report.rows:,} rows passed the checks; importing in batches of {size:,}."
    Job.objects.filter(pk=job.pk).update(
        result={"summary": note, "written": resume_after, **_report_fields(report)}
    )
    run.set_total(spool.rows)
    created = updated = 0
    customers = CustomerIds(job.shop)
    done = resume_after
    try:
        for rows in spool.batches(after=resume_after):
            with transaction.atomic():
                batch_created, batch_updated = write_batch(job.shop, kind_name, rows, customers)
                done += len(rows)
                Job.objects.filter(pk=job.pk).update(
                    result={"summary": note, "written": done, **_report_fields(report)}
                )
                run.progress(done)  # raises JobCancelled, rolling this batch back
            forget_debug_queries()
            created += batch_created
            updated += batch_updated
    except IntegrityError as exc:
        # A product was deleted (or a customer merged) between checking and this batch.
        raise _rejection(
            f"The database refused a batch ({exc}). Rows before it were imported; "
            "retry the job to import the rest."
        ) from exc
    delete_upload(job.shop, _upload_ids(job))
    imported = spool.rows
    if kind_name == "interactions":
        summary = f"Imported {imported:,} interactions from {filename}."
    else:
        summary = (
            f"Imported {imported:,} {kind_name} from {filename}: "
            f"{created:,} new, {updated:,} updated."
        )
    if report.error_count:
        summary += (
            f" {report.error_count:,} of {report.rows:,} rows had errors and were skipped"
            + (
                f" (the first {len(report.row_errors):,} are listed)."
                if report.error_count > len(report.row_errors)
                else " (listed below)."
            )
        )
    if resume_after:
        summary += f" (Resumed after {resume_after:,} rows stored by an earlier attempt.)"
    log.info("Import job %s: %s rows of %s", job.pk, imported, kind_name)
    return {
        "summary": summary,
        "rows": report.rows,
        "imported": imported,
        "created": created,
        "updated": updated,
        "error_count": report.error_count,
        "row_errors": list(report.row_errors),
        "written": done,
        "filename": filename,
    }
