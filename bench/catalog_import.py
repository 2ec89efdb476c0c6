"""CSV imports: the streamed interactions import at scale, and the products import path.

    .venv/bin/python bench/catalog_import.py [--rows 1000000] [--small 200000] [--old-rows 200000]
    .venv/bin/python bench/catalog_import.py --rows 5000000       # the 5M-row case
    .venv/bin/python bench/catalog_import.py --rows 1000000 --triggers-rows 1000000  # key checks
    .venv/bin/python bench/catalog_import.py --kind products [--rows 50000]

Runs on a throwaway database (a temporary SQLite file, or a test database on DATABASE_URL's
server; COPY is used on PostgreSQL only).

Interactions (default): each run is a fresh process (so that its peak memory, `ru_maxrss`, is
its own) that seeds a shop with 5,000 products, writes a realistic interactions CSV to a file
(about a tenth of the customers already known, the rest created by the import), uploads it
like the page (stored in 4 MB pieces), and runs the import job in-process (no broker). It runs
the current import at two sizes (`--small` and `--rows`: the same peak memory shows that
memory does not grow with the file; on PostgreSQL the rows are staged and checked in the
database, see `catalog/csv_io/staged.py`), and the import code of `--old-ref` (default HEAD,
which holds the previous code until this one is committed; name that commit afterwards) at
`--old-rows`, and prints rows/s, CPU per row (the worker's, and with the PostgreSQL backend's
when the server runs on this machine) and peak memory side by side.

Products (`--kind products`): imports a products CSV once through the import job's code and
once naively (same parsing and validation, then `save_product` per row), prints rows/s.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import types
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


def make_interactions_csv(path: Path, rows: int, products: int, seed: int = 1) -> int:
    """Write `rows` interactions to `path` (streamed: the file is never in memory)."""
    rng = random.Random(seed)
    kinds = ["view"] * 6 + ["cart"] * 2 + ["purchase", "rating"]
    customers = max(1000, rows // 20)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "sku", "kind", "quantity", "value", "occurred_at"])
        for number in range(rows):
            kind = rng.choice(kinds)
            value = ""
            if kind == "purchase":
                value = f"{rng.uniform(3, 300):.2f}"
            elif kind == "rating":
                value = str(rng.randint(1, 5))
            writer.writerow(
                [
                    f"CUST-{rng.randrange(customers):07d}",
                    f"SKU-{rng.randrange(products):06d}",
                    kind,
                    rng.choice(["", "1", "1", "2"]) if kind in ("cart", "purchase") else "",
                    value,
                    f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}T"
                    f"{number % 24:02d}:{number % 60:02d}:00Z",
                ]
            )
    return customers


def rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    """CPU time of this process (user + system): on a shared machine, a fairer rate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu_seconds(connection) -> float | None:
    """CPU time of this connection's PostgreSQL backend, when the server runs on this machine
    (most of the import's work happens there); None otherwise."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def old_imports_module(ref: str) -> types.ModuleType:
    """The import module as it was at `ref` (the code before the streamed import)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:catalog/csv_io/imports.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_imports")
    sys.modules["old_imports"] = module  # dataclasses look their module up
    exec(compile(source, "old_imports.py", "exec"), module.__dict__)  # noqa: S102 - our own code
    return module


def child(path_name: str, rows: int, old_ref: str) -> None:
    """One measured import in this (fresh) process; prints one JSON line."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.db import connection

    from catalog import jobs, services
    from catalog.csv_io import imports
    from catalog.models import Interaction, Job, Product
    from catalog.tasks import run_import_job

    jobs.enqueue_job = lambda job_id: None  # run the task here instead of through a broker
    if path_name == "triggers":  # as for a database role that may not switch them off
        from catalog.csv_io import staged

        staged._may_switch_key_triggers_off = lambda: False
    owner = get_user_model().objects.create_user(f"bench-{path_name}-{rows}-{time.time_ns()}")
    shop = services.create_shop(f"Bench {path_name} {rows}", owner)
    products = 5000
    Product.objects.bulk_create(
        [Product(shop=shop, sku=f"SKU-{n:06d}", title=f"Bottle {n}") for n in range(products)],
        batch_size=2000,
    )
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "interactions.csv"
        customers = make_interactions_csv(csv_path, rows, products)
        services.upsert_customers(
            shop, [{"external_id": f"CUST-{n:07d}"} for n in range(0, customers, 10)]
        )
        size_mb = csv_path.stat().st_size / 1024 / 1024
        before_mb = rss_mb()
        started = time.perf_counter()
        with csv_path.open("rb") as handle:
            upload = File(handle, name="interactions.csv")
            if path_name == "old":
                old = old_imports_module(old_ref)
                job = old.create_import_job(shop, "interactions", upload)
            else:
                job = imports.create_import_job(shop, "interactions", upload)
        stored_s = time.perf_counter() - started
        stored_peak_mb = peak_rss_mb()  # the upload side (the web process in production)
        phases: dict[str, float] = {}
        if path_name != "old":  # note when checking ends and writing starts
            real_write = imports._write

            def timed_write(*args, **kwargs):
                phases["check_s"] = time.perf_counter() - started
                return real_write(*args, **kwargs)

            imports._write = timed_write
        cpu_before = cpu_seconds()
        db_cpu_before = database_cpu_seconds(connection)
        started = time.perf_counter()
        if path_name == "old":
            jobs.run_job(job.pk, old.run_import)
        else:
            run_import_job(job.pk)
        import_s = time.perf_counter() - started
        cpu_s = cpu_seconds() - cpu_before
        db_cpu_after = database_cpu_seconds(connection)
        db_cpu_s = db_cpu_after - db_cpu_before if db_cpu_before is not None else None
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", (job.error, job.result.get("row_errors", [])[:3])
    assert Interaction.objects.for_shop(shop).count() == rows
    print(
        json.dumps(
            {
                "path": path_name,
                "vendor": connection.vendor,
                "rows": rows,
                "size_mb": size_mb,
                "stored_s": stored_s,
                "import_s": import_s,
                "cpu_s": cpu_s,
                "db_cpu_s": db_cpu_s,
                "load": os.getloadavg()[0],
                "check_s": phases.get("check_s"),
                "before_mb": before_mb,
                "stored_peak_mb": stored_peak_mb,
                "peak_mb": peak_rss_mb(),
            }
        )
    )


def run_interactions(args, database_url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # The old code had one limit for every kind; lift it for the comparison.
        "SHOPLLM_MAX_IMPORT_ROWS": str(max(args.rows, args.old_rows, 1)),
        "SHOPLLM_MAX_INTERACTION_IMPORT_ROWS": str(max(args.rows, 1)),
        "SHOPLLM_MAX_UPLOAD_MB": "4096",
        # As in production: with DEBUG on, Django keeps every query's text (the 4 MB upload
        # pieces included) in memory, which would be measured here as the import's.
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    }
    runs = [("streamed", args.small), ("streamed", args.rows)]
    if args.triggers_rows:
        runs.append(("triggers", args.triggers_rows))
    if args.old_rows:
        runs.append(("old", args.old_rows))
    results = []
    for path_name, rows in runs:
        command = [sys.executable, __file__, "--child", path_name, "--rows", str(rows)]
        command += ["--old-ref", args.old_ref]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-4000:])
            raise SystemExit(f"{path_name} at {rows:,} rows failed")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['path']:9} {rows:>10,} rows ({result['size_mb']:6.1f} MB): "
            f"{rows / result['import_s']:9,.0f} rows/s import ({result['import_s']:6.1f} s"
            + (f", checking {result['check_s']:.1f} s" if result["check_s"] else "")
            + f"), {rows / result['cpu_s']:9,.0f} rows per CPU-second of the worker"
            + (
                f" ({rows / (result['cpu_s'] + result['db_cpu_s']):,.0f} with the database's)"
                if result["db_cpu_s"]
                else ""
            )
            + f", load {result['load']:.1f}, "
            f"upload stored in {result['stored_s']:5.1f} s, "
            f"RSS {result['before_mb']:4.0f} MB before, peak {result['stored_peak_mb']:4.0f} MB "
            f"once stored, {result['peak_mb']:4.0f} MB after the import",
            flush=True,
        )
    streamed = [r for r in results if r["path"] == "streamed"]
    old = [r for r in results if r["path"] == "old"]
    triggers = [r for r in results if r["path"] == "triggers"]
    print(f"\ndatabase: {results[0]['vendor']}")
    growth = streamed[-1]["peak_mb"] - streamed[0]["peak_mb"]
    print(
        f"streamed peak memory: {streamed[0]['peak_mb']:.0f} MB at {streamed[0]['rows']:,} rows, "
        f"{streamed[-1]['peak_mb']:.0f} MB at {streamed[-1]['rows']:,} rows "
        f"({growth:+.0f} MB for {streamed[-1]['rows'] / max(1, streamed[0]['rows']):.0f}x rows)"
    )
    if old:
        new_rate = streamed[-1]["rows"] / streamed[-1]["import_s"]
        old_rate = old[0]["rows"] / old[0]["import_s"]
        print(
            f"streamed vs old: {new_rate:,.0f} vs {old_rate:,.0f} rows/s "
            f"({new_rate / old_rate:.1f}x); peak memory {streamed[-1]['peak_mb']:.0f} MB at "
            f"{streamed[-1]['rows']:,} rows vs {old[0]['peak_mb']:.0f} MB at {old[0]['rows']:,}"
        )
    for run in triggers:
        same = [r for r in streamed if r["rows"] == run["rows"]]
        if same:
            chunk_rate = same[0]["rows"] / same[0]["import_s"]
            trigger_rate = run["rows"] / run["import_s"]
            print(
                f"keys per chunk vs per-row triggers at {run['rows']:,} rows: {chunk_rate:,.0f} "
                f"vs {trigger_rate:,.0f} rows/s ({chunk_rate / trigger_rate:.2f}x)"
            )


def database_url_of(connection, folder: str) -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("interactions", "products"), default="interactions")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--small", type=int, default=200_000, help="interactions: first size")
    parser.add_argument(
        "--old-rows",
        type=int,
        default=200_000,
        help="interactions: rows for the old code (0: skip)",
    )
    parser.add_argument("--old-ref", default="HEAD", help="git commit holding the old importer")
    parser.add_argument(
        "--triggers-rows",
        type=int,
        default=0,
        help="interactions on PostgreSQL: also import this many rows with each row's foreign "
        "keys checked by the triggers (a role that may not set session_replication_role)",
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.old_ref)
        return
    if args.rows is None:
        args.rows = 1_000_000 if args.kind == "interactions" else 50_000

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
        if args.kind == "products":
            run(args.rows)
        else:
            url = database_url_of(connection, tmp.name)
            connection.close()  # the children use the test database
            run_interactions(args, url)
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
