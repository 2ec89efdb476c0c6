"""Shared helpers of the CSV import/export tests."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.csv_io.imports import create_import_job
from catalog.models import Job
from catalog.tasks import run_import_job

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
PRODUCT_HEADER = "sku,title,brand,category,price,currency,stock_status,attributes,tags"


def csv_file(text: str | bytes, name: str = "upload.csv") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


def import_now(shop, kind: str, text: str | bytes, user=None) -> Job:
    """Queue an import as the page does, run its task in this process, return the fresh job."""
    job = create_import_job(shop, kind, csv_file(text), user=user)
    run_import_job(job.pk)
    job.refresh_from_db()
    return job


def upload_through_page(client, kind: str, text: str | bytes, name: str = "upload.csv"):
    return client.post(reverse("catalog:import_csv"), {"kind": kind, "file": csv_file(text, name)})
