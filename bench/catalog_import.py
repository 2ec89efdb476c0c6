"""Product CSV import: the job path (validate all, bulk upserts in batches) vs one save at a time.

    .venv/bin/python bench/catalog_import.py [--rows 50000]

Runs on a throwaway database (a temporary SQLite file, or a test database on DATABASE_URL's
server), generates a realistic products CSV, imports it once through the import job's code
(run in this process, no broker) and once naively (same parsing and validation, then
`save_product` per row), and prints rows/s for both and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

MATERIALS = ["stainless steel", "titanium", "aluminium", "cast iron", "stoneware", "bamboo"]
COLOURS = ["black", "blue", "green", "sand", "red", "white", "olive"]
CATEGORIES = [
    "Kitchen > Drinkware > Bottles",
    "Kitchen > Coffee > Brewers",
    "Kitchen > Cookware > Pans",
    "Outdoor > Camping > Tents",
    "Outdoor > Camping > Stoves",
    "Outdoor > Running > Shoes",
]
TAGS = ["camping", "coffee", "running", "hiking", "cooking", "gift", "hydration"]


def make_csv(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["sku", "title", "brand", "category", "price", "currency", "stock_status",
         "attributes", "tags", "image_url", "description", "bullet_points"]
    )  # fmt: skip
    for number in range(rows):
        material, colour = rng.choice(MATERIALS), rng.choice(COLOURS)
        capacity = rng.choice([350, 500, 750, 1000])
        writer.writerow(
            [
                f"SKU-{number:06d}",
                f"{material.title()} Bottle {capacity} ml, {colour}",
                rng.choice(["Kestrel", "Ridgeline", "Emberline", "Hearth & Co"]),
                rng.choice(CATEGORIES),
                f"{rng.uniform(5, 300):.2f}",
                "EUR",
                rng.choice(["in_stock", "in_stock", "low_stock", "out_of_stock"]),
                f"material={material}; capacity={capacity} ml; colour={colour}; "
                f"weight={rng.randint(50, 3000)} g; dishwasher safe={rng.choice(['yes', 'no'])}",
                "|".join(rng.sample(TAGS, 2)),
                f"https://images.example.com/p/{number}.jpg",
                f"A {colour} {material} bottle that holds {capacity} ml.",
                "Leak-proof lid|Keeps drinks cold for 24 h",
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    import django

    tmp = tempfile.TemporaryDirectory()
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":  # a file, like the real database, not one in memory
        connection.settings_dict["TEST"]["NAME"] = f"{tmp.name}/bench_test.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


def run(rows: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import jobs, services
    from catalog.csv_io.imports import create_import_job, parse_file
    from catalog.models import Job, Product
    from catalog.tasks import run_import_job

    jobs.enqueue_job = lambda job_id: None  # run the task here instead of through a broker
    owner = get_user_model().objects.create_user("bench")
    content = make_csv(rows)
    print(f"{rows:,} products, {len(content) / 1024 / 1024:.1f} MB CSV")

    shop = services.create_shop("Bench bulk", owner)
    started = time.perf_counter()
    job = create_import_job(shop, "products", SimpleUploadedFile("p.csv", content))
    run_import_job(job.pk)
    bulk_s = time.perf_counter() - started
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    assert Product.objects.for_shop(shop).count() == rows

    naive_shop = services.create_shop("Bench naive", owner)
    started = time.perf_counter()
    parsed, report = parse_file(naive_shop, "products", content)
    assert not report.error_count
    for fields in parsed:
        services.save_product(naive_shop, fields)
    naive_s = time.perf_counter() - started
    assert Product.objects.for_shop(naive_shop).count() == rows

    print(f"job path (validate, bulk upserts of 1,000): {rows / bulk_s:10,.0f} rows/s  "
          f"({bulk_s:.1f} s)")  # fmt: skip
    print(f"naive (save_product per row):              {rows / naive_s:10,.0f} rows/s  "
          f"({naive_s:.1f} s)")  # fmt: skip
    print(f"ratio: {naive_s / bulk_s:.1f}x faster")


if __name__ == "__main__":
    main()
