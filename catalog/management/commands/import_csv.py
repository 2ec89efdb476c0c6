"""Import a CSV file from the server's disk: `python manage.py import_csv SHOP KIND PATH`.

The same job as an upload on the import page (stored in the database in pieces, every row
checked, then written in batches; COPY for interactions on PostgreSQL). By default the job runs
in this process and its progress is printed; `--queue` leaves it to the workers. A worker that
picks the job up first runs it instead, and this command follows its progress.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from catalog.csv_io.columns import KINDS
from catalog.csv_io.imports import ImportRejected, create_import_job
from catalog.models import Job, Shop
from catalog.tasks import run_import_job


class Command(BaseCommand):
    help = "Import a products, customers or interactions CSV file into a shop."

    def add_arguments(self, parser) -> None:
        parser.add_argument("shop", help="The shop's slug.")
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--keep-good-rows",
            action="store_true",
            help="Import the good rows and list the bad ones (default: all or nothing).",
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue the job for the workers and return."
        )

    def handle(self, *args, **options) -> None:
        shop = Shop.objects.filter(slug=options["shop"]).first()
        if shop is None:
            raise CommandError(f"No shop with the slug {options['shop']!r}.")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open("rb") as handle:
            try:
                job = create_import_job(
                    shop,
                    options["kind"],
                    File(handle, name=path.name),
                    keep_good_rows=options["keep_good_rows"],
                )
            except ImportRejected as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import job #{job.pk} created for {shop.slug}.")
        if options["queue"]:
            return
        if run_import_job(job.pk) == "skipped":  # a worker took it: follow it
            while not Job.objects.get(pk=job.pk).is_finished:
                time.sleep(1)
        job.refresh_from_db()
        self.stdout.write(f"{job.get_status_display()}: {job.result.get('summary', '')}")
        for row_error in job.result.get("row_errors", [])[:20]:
            self.stdout.write(f"  line {row_error['line']}: {row_error['error']}")
        if job.error:
            raise CommandError(job.error)
