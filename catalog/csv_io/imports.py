"""CSV imports as jobs: store the upload, validate every row, then write in batches.

Policy: all or nothing. The whole file is validated first; if any row is bad, nothing is
imported, the job fails with a clear message and `job.result["row_errors"]` lists every bad row
as {"line": n, "error": "..."} (n is the file's physical line; the header is line 1). A clean
file is written in batches of BATCH_SIZE rows through the catalog services; each batch commits
together with the job's progress, so a re-delivered or retried task resumes after the last
committed batch (and product/customer upserts are idempotent anyway).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog import jobs, services
from catalog.csv_io.columns import KINDS, PARSERS, CsvKind, RowError
from catalog.job_kinds import IMPORT_CUSTOMERS, IMPORT_INTERACTIONS, IMPORT_PRODUCTS
from catalog.models import Job, JobStatus, Product, Shop, Upload

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 1000  # every bad row is counted; this many are listed
CHECK_REPORT_EVERY = 5000  # rows between "still checking" notes on the job page
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

    def add(self, line: int, error: str) -> None:
        self.error_count += 1
        if len(self.row_errors) < MAX_REPORTED_ERRORS:
            self.row_errors.append({"line": line, "error": error})


# --- Reading ----------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """UTF-8 text (a byte-order mark is fine); anything else is rejected with the line."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(
            "The file is UTF-16. Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(
            f"The file is not UTF-8 text: line {line} has the byte 0x{content[exc.start]:02X} "
            "(perhaps Latin-1 or Windows-1252). Save it as 'CSV UTF-8' and upload it again.",
            line=line,
        ) from None


def _delimiter(text: str) -> str:
    """Comma, or the semicolon/tab that spreadsheets in some locales write instead."""
    first_line = text.split("\n", 1)[0]
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


def read_rows(text: str, kind: CsvKind) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield (line, {column: cell}) per data row, or (line, message) for a misshapen row.

    Blank lines are not rows and are passed over; a quoted cell may span lines (in the
    description only), and the line given is the one the row starts on. The reader is strict:
    a stray quote or a quote still open at the end of the file is a bad row, never rows
    silently merged into one cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header_cells = next(reader, None)
    except csv.Error as exc:
        raise ImportRejected(f"The header cannot be read as CSV ({exc}).", line=1) from None
    if not header_cells or not any(cell.strip() for cell in header_cells):
        raise ImportRejected("The file is empty: it needs a header line and rows.", line=1)
    columns = _header(header_cells, kind)
    width = len(columns)
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
        if not any(cell.strip() for cell in cells):
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
        row = dict(zip(columns, cells, strict=True))
        spanning = [
            name
            for name, cell in row.items()
            if name not in MULTILINE_COLUMNS and ("\n" in cell or "\r" in cell)
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
        yield line, row


# --- Validation -------------------------------------------------------------------------------


def parse_rows(
    shop: Shop, kind: CsvKind, text: str, *, batch_size: int | None = None
) -> Iterator[list[tuple[int, dict | str]]]:
    """Batches of (line, fields) for good rows and (line, message) for bad ones.

    Checks that need the database (interactions naming a SKU the shop lacks) are done per batch.
    """
    parser = PARSERS[kind.name]
    batch_size = batch_size or BATCH_SIZE
    batch: list[tuple[int, dict | str]] = []
    known_skus: set[str] = set()
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


def _check_skus(shop, kind, batch, known_skus: set[str]):
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
    wanted = {fields["sku"] for fields in needs_product} - known_skus
    if wanted:
        known_skus.update(
            Product.objects.for_shop(shop).filter(sku__in=wanted).values_list("sku", flat=True)
        )
    missing = {id(fields) for fields in needs_product if fields["sku"] not in known_skus}
    return [
        (line, message.format(sku=fields["sku"])) if id(fields) in missing else (line, fields)
        for line, fields in batch
    ]


def validate(
    shop: Shop, kind_name: str, text: str, on_progress: Callable[[int], None] | None = None
) -> Validation:
    """Check every row (and repeated keys) without writing anything.

    `on_progress(rows_checked)` is called every CHECK_REPORT_EVERY rows.
    """
    kind = KINDS[kind_name]
    max_rows = settings.SHOPLLM_MAX_IMPORT_ROWS
    report = Validation()
    first_line_of: dict[str, int] = {}
    for batch in parse_rows(shop, kind, text):
        for line, fields in batch:
            report.rows += 1
            if report.rows > max_rows:
                raise ImportRejected(
                    f"The file has more than {max_rows:,} rows (the limit, "
                    "SHOPLLM_MAX_IMPORT_ROWS). Split it into smaller files.",
                    line=line,
                )
            if on_progress and report.rows % CHECK_REPORT_EVERY == 0:
                on_progress(report.rows)
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
                else:
                    first_line_of[key] = line
    if not report.rows and not report.error_count:
        raise ImportRejected("The file has a header but no rows.", line=2)
    return report


def parse_file(shop: Shop, kind_name: str, content: bytes) -> tuple[list[dict], Validation]:
    """Validate and parse a whole (small) file in memory: for the demo seeder and tests."""
    text = decode(content)
    report = validate(shop, kind_name, text)
    if report.error_count:
        return [], report
    rows = [fields for batch in parse_rows(shop, KINDS[kind_name], text) for _, fields in batch]
    return rows, report


# --- Writing ----------------------------------------------------------------------------------


def write_batch(shop: Shop, kind_name: str, rows: list[dict]) -> tuple[int, int]:
    """Store one batch of parsed rows; returns (created, updated)."""
    if kind_name == "products":
        return services.upsert_products(shop, rows)
    if kind_name == "customers":
        return services.upsert_customers(shop, rows)
    stored, errors = services.record_interactions(shop, rows)
    if errors:
        # A product was deleted between validation and this batch.
        problem = " ".join(
            message for messages in errors[0]["fields"].values() for message in messages
        )
        raise ImportRejected(f"{problem} Nothing from this batch was stored.")
    return stored, 0


# --- The job ----------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.SHOPLLM_MAX_UPLOAD_MB * 1024 * 1024


@transaction.atomic
def create_import_job(shop: Shop, kind_name: str, uploaded_file, *, user=None) -> Job:
    """Keep the uploaded file in the database and queue its import job (after commit)."""
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
    content = b"".join(uploaded_file.chunks())
    filename = (getattr(uploaded_file, "name", "") or "upload.csv")[-255:]
    upload = Upload.objects.create(shop=shop, filename=filename, content=content, size=size)
    return jobs.create_job(
        shop,
        IMPORT_JOB_KINDS[kind_name],
        user=user,
        params={"upload_id": upload.pk, "filename": filename, "csv_kind": kind_name},
    )


def _rejection(message: str, report: Validation | None = None, exc=None) -> jobs.JobFailed:
    """The failure to raise: `message`, with the bad rows listed in the job's result."""
    row_errors = list(report.row_errors) if report else []
    if exc is not None and exc.line is not None:
        row_errors = [{"line": exc.line, "error": str(exc)}]
    result: dict = {"row_errors": row_errors, "imported": 0}
    if report:
        result.update(rows=report.rows, error_count=report.error_count)
        result["summary"] = (
            f"Checked {report.rows:,} rows: {report.rows - report.error_count:,} good, "
            f"{report.error_count:,} with errors. Nothing was imported."
        )
        if report.error_count > len(report.row_errors):
            result["summary"] += f" The first {len(report.row_errors):,} are listed."
    return jobs.JobFailed(message, result=result)


def run_import(job: Job, run: jobs.JobRun) -> dict:
    """The work of an import job (see the module docstring for the policy)."""
    kind_name = job.params.get("csv_kind") or job.kind.removeprefix("import_")
    upload = Upload.objects.filter(pk=job.params.get("upload_id"), shop=job.shop).first()
    if upload is None:
        raise _rejection("The uploaded file is no longer stored; upload it again.")

    def checking(rows: int) -> None:
        """Say on the job page how far the check got; stop if someone cancelled the job."""
        note = {"summary": f"Checking every row before importing: {rows:,} so far."}
        running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
        if not running.update(result=note, heartbeat_at=timezone.now()):
            raise jobs.JobCancelled()

    try:
        text = decode(bytes(upload.content))
        report = validate(job.shop, kind_name, text, on_progress=checking)
    except ImportRejected as exc:
        raise _rejection(f"Nothing was imported: {exc}", exc=exc) from exc
    if report.error_count:
        plural = "row has" if report.error_count == 1 else "rows have"
        raise _rejection(
            f"{report.error_count:,} of {report.rows:,} {plural} errors, so nothing was "
            "imported. Fix the rows listed below and upload the file again.",
            report,
        )
    note = f"All {report.rows:,} rows passed the checks; importing in batches of {BATCH_SIZE:,}."
    Job.objects.filter(pk=job.pk).update(result={"summary": note})
    run.set_total(report.rows)
    resume_after = job.progress_done  # rows committed by an earlier attempt
    done = created = updated = 0
    for batch in parse_rows(job.shop, KINDS[kind_name], text):
        rows = [fields for _, fields in batch]
        if done + len(rows) <= resume_after:
            done += len(rows)
            continue
        with transaction.atomic():
            batch_created, batch_updated = write_batch(job.shop, kind_name, rows)
            done += len(rows)
            run.progress(done)  # raises JobCancelled, rolling this batch back
        created += batch_created
        updated += batch_updated
    upload.delete()
    if kind_name == "interactions":
        summary = f"Imported {created:,} interactions from {upload.filename}."
    else:
        summary = (
            f"Imported {report.rows:,} {kind_name} from {upload.filename}: "
            f"{created:,} new, {updated:,} updated."
        )
    if resume_after:
        summary += f" (Resumed after {resume_after:,} rows stored by an earlier attempt.)"
    log.info("Import job %s: %s rows of %s", job.pk, report.rows, kind_name)
    return {
        "summary": summary,
        "rows": report.rows,
        "created": created,
        "updated": updated,
        "filename": upload.filename,
    }
