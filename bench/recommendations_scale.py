"""How the recommender's cost grows: 5k x 5k x 300k interactions and the target size, 200k
customers x 50k products x 5M interactions (--large; target: a run within 15 min on 2 cores).

Part 1 (engine, plain arrays, synthetic planted taste groups): ALS training, offline evaluation,
top-10 lists with reasons for every customer (timed on a sample, extrapolated where noted), one
fold-in request, similar-products and bought-together lists. Product embeddings here are random
unit vectors of the encoder's size (384); the real encoder's throughput is measured separately and
the embedding time extrapolated from it.

Part 2 (API, Django test client on a throwaway database): serving a stored list and a fold-in
list at 5,000 and 50,000 products, to show that a stored list does not grow with the catalog.

--whole-run (alone): one whole recommendation run through the job at the --large size on a
throwaway database (PostgreSQL: seeded with COPY), the shop's default settings (every candidate,
tuning, coverage goal) unless --candidates/--tuning-budget say otherwise: wall time per phase and
peak memory. The products' embeddings are stored beforehand (random unit vectors under the
encoder's name and the products' text hashes: the run finds the catalog unchanged and loads no
encoder); the time to embed them all is extrapolated from the encoder's measured rate.

    .venv/bin/python bench/recommendations_scale.py [--small-only] [--sample 2000]
    .venv/bin/python bench/recommendations_scale.py --large 50000x20000x2000000   # reduced
    DATABASE_URL=postgres://... .venv/bin/python bench/recommendations_scale.py --whole-run

Peak memory (the process's max resident set) is printed after each size and at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from bench._throwaway_db import throwaway_database  # noqa: E402
from recommendations.engine import core  # noqa: E402
from recommendations.engine.evaluation import evaluate  # noqa: E402
from recommendations.engine.item_lists import bought_together, similar_items  # noqa: E402
from recommendations.engine.synthetic import planted_groups  # noqa: E402

DIM = 384


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


class _Enough(Exception):
    pass


def _stop(done: int, limit: int) -> None:
    if done >= limit:
        raise _Enough


def engine_scale(n_users: int, n_items: int, n_interactions: int, sample: int) -> dict:
    data = planted_groups(n_users, n_items, n_interactions, n_groups=20, seed=1)
    config = core.EngineConfig()
    weights = core.event_weights(data.kinds, config.weights)
    matrix, t_matrix = _timed(
        core.confidence_matrix, data.users, data.items, weights, n_users, n_items
    )
    (user_factors, item_factors), t_train = _timed(core.train_als, matrix, config)
    rng = np.random.default_rng(0)
    embeddings = core.normalize_rows(rng.normal(size=(n_items, DIM)).astype(np.float32))
    popularity = core.popularity_counts(matrix)
    ranker = core.Ranker(item_factors, embeddings, config, popularity=popularity)

    users = min(sample, n_users)
    _, t_lists = _timed(core.recommend_all, ranker, user_factors[:users], matrix[:users], 10)
    lists_all = t_lists * n_users / users

    latencies = []
    for user in range(50):
        touched = matrix[user].indices[:5]
        started = time.perf_counter()
        ranker.recommend(touched, np.ones(len(touched), np.float32), 10)
        latencies.append(time.perf_counter() - started)

    available = np.ones(n_items, bool)
    # similar_items compares each item with the whole catalog: time the first blocks of items
    # against all items (the real function, through its progress hook) and scale linearly.
    block_items = min(2048, n_items)
    started = time.perf_counter()
    with contextlib.suppress(_Enough):
        similar_items(
            item_factors, embeddings, available, 10, progress=lambda done: _stop(done, block_items)
        )
    similar_all = (time.perf_counter() - started) * n_items / block_items
    purchases = matrix.copy()
    _, t_together = _timed(bought_together, purchases, available, 10)

    result, t_eval = _timed(
        evaluate,
        data.users,
        data.items,
        weights,
        data.timestamps,
        n_users,
        n_items,
        config,
        embeddings=embeddings,
    )
    return {
        "matrix_s": t_matrix,
        "train_s": t_train,
        "lists_all_s": lists_all,
        "lists_sampled": users < n_users,
        "per_user_list_ms": 1000 * t_lists / users,
        "fold_in_ms": 1000 * statistics.median(latencies),
        "similar_all_s": similar_all,
        "together_s": t_together,
        "eval_s": t_eval,
        "ndcg_model": result["model"]["ndcg@10"],
        "ndcg_pop": result["popularity"]["ndcg@10"],
        "recall_model": result["model"]["recall@10"],
        "recall_pop": result["popularity"]["recall@10"],
        "gpu": core.use_gpu(),
    }


def encoder_rate() -> float:
    from shopllm_site.ml import get_encoder

    encoder = get_encoder()
    texts = [
        f"Product {i} steel bottle\nBrand: Brand{i % 40}\nCategory: Kitchen > Drinkware\n"
        f"capacity: {500 + i % 5 * 250} ml; colour: blue"
        for i in range(512)
    ]
    encoder.embed(texts[:32])
    _, seconds = _timed(encoder.embed, texts)
    return len(texts) / seconds


# --- Part 2: the API ------------------------------------------------------------------------


def api_serving(sizes: list[int], repeat: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.test import APIClient

    from catalog.models import (
        ApiToken,
        Customer,
        Interaction,
        Job,
        JobStatus,
        Membership,
        Product,
        Role,
        Shop,
    )
    from recommendations.models import CustomerRecommendation, RecommendationRun, RunModelData

    rows = []
    with throwaway_database("bench_recommendations_scale_api"):
        user = get_user_model().objects.create_user("bench", password="x")
        clients = []
        for size in sizes:
            shop = Shop.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
            membership = Membership.objects.create(shop=shop, user=user, role=Role.OWNER)
            key = ApiToken.new_key()
            ApiToken.objects.create(
                membership=membership, name="b", prefix=key[:8], key_hash=ApiToken.hash_key(key)
            )
            Product.objects.bulk_create(
                [
                    Product(shop=shop, sku=f"S{i}", title=f"Product {i}", category=f"C{i % 50}")
                    for i in range(size)
                ],
                batch_size=2000,
            )
            product_ids = list(
                Product.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)
            )
            customers = Customer.objects.bulk_create(
                [Customer(shop=shop, external_id=f"c{i}") for i in range(50)]
            )
            rng = np.random.default_rng(size)
            buffer = io.BytesIO()
            factors = rng.normal(size=(size, 64)).astype(np.float32) * 0.1
            np.savez(
                buffer,
                item_ids=np.array(product_ids, dtype=np.int64),
                item_factors=factors,
                item_embeddings=core.normalize_rows(
                    rng.normal(size=(size, DIM)).astype(np.float32)
                ).astype(np.float16),
                popularity=rng.random(size).astype(np.float32),
                categories=np.array([f"C{i % 50}" for i in range(size)]),
                available=np.ones(size, bool),
                repurchasable=np.zeros(size, bool),
            )
            # A run's status is its job's: a finished job makes it the serving run.
            job = Job.objects.create(
                shop=shop,
                kind="recommendation_run",
                status=JobStatus.SUCCEEDED,
                finished_at=timezone.now(),
            )
            run = RecommendationRun.objects.create(
                shop=shop,
                job=job,
                settings=core.EngineConfig().as_dict(),
                popular=product_ids[:100],
                interactions_until=timezone.now(),
            )
            RunModelData.objects.create(run=run, arrays=buffer.getvalue())
            CustomerRecommendation.objects.bulk_create(
                [
                    CustomerRecommendation(
                        run=run,
                        customer=customer,
                        items=[
                            {
                                "p": int(pid),
                                "s": 0.5,
                                "r": "because_you",
                                "via": int(product_ids[0]),
                                "t": "Because you viewed “Product 0”",
                            }
                            for pid in rng.choice(product_ids, 20, replace=False)
                        ],
                    )
                    for customer in customers
                ]
            )
            newcomers = Customer.objects.bulk_create(
                [Customer(shop=shop, external_id=f"new{i}") for i in range(repeat)]
            )
            Interaction.objects.bulk_create(
                [
                    Interaction(shop=shop, customer=c, product_id=int(pid), kind="view")
                    for c in newcomers
                    for pid in rng.choice(product_ids, 3, replace=False)
                ]
            )
            clients.append((size, key))
        # Interleave the two catalog sizes so that load from other processes hits both alike.
        timings = {size: {"stored": [], "fold": []} for size in sizes}
        api = {}
        for size, key in clients:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            client.get("/api/v1/recommendations/customers/c0/")
            client.get("/api/v1/recommendations/customers/new0/")  # loads the run's artefacts
            api[size] = client
        for i in range(1, repeat):
            for size in sizes:
                started = time.perf_counter()
                response = api[size].get(f"/api/v1/recommendations/customers/c{i % 50}/")
                timings[size]["stored"].append(time.perf_counter() - started)
                assert response.status_code == 200 and response.json()["source"] == "model"
                started = time.perf_counter()
                response = api[size].get(f"/api/v1/recommendations/customers/new{i}/")
                timings[size]["fold"].append(time.perf_counter() - started)
                assert response.json()["source"] == "fold_in", response.json()
        for size in sizes:
            rows.append(
                {
                    "products": size,
                    "stored_ms": 1000 * statistics.median(timings[size]["stored"]),
                    "fold_in_ms": 1000 * statistics.median(timings[size]["fold"]),
                }
            )
    return rows


# --- --whole-run: one run through the job at the large size ----------------------------------


def whole_run(size: tuple[int, int, int], candidates: str, tuning_budget: float | None) -> None:
    from django.db import connection

    from catalog import jobs

    jobs.enqueue_job = lambda job_id: False  # the job runs here, in this process
    with throwaway_database("bench_recommendations_scale"):
        shop, seed_s = _timed(_seed_shop, *size)
        print(
            f"seeded {size[0]:,} customers x {size[1]:,} products x {size[2]:,} interactions "
            f"({connection.vendor}) in {seed_s:.0f} s; peak memory {peak_memory_mb():,.0f} MB",
            flush=True,
        )
        _run_once(shop, candidates, tuning_budget, connection.vendor)


def _seed_shop(n_users: int, n_items: int, n_interactions: int):
    from datetime import UTC, datetime

    from django.db import connection
    from django.utils import timezone

    from catalog.models import Customer, Interaction, Product, Shop
    from recommendations.embeddings import product_text, text_hash
    from recommendations.models import ProductEmbedding
    from shopllm_site.ml import get_encoder

    data = planted_groups(n_users, n_items, n_interactions, n_groups=20, seed=1)
    shop = Shop.objects.create(name="Bench", slug="bench")
    Product.objects.bulk_create(
        [
            Product(
                shop=shop,
                sku=f"S{i}",
                title=f"Product {i} of group {i % 20}",
                category=f"C{i % 50}",
            )
            for i in range(n_items)
        ],
        batch_size=5000,
    )
    products = list(Product.objects.filter(shop=shop).order_by("pk"))
    Customer.objects.bulk_create(
        (Customer(shop=shop, external_id=f"c{i}") for i in range(n_users)), batch_size=5000
    )
    customer_ids = np.array(
        Customer.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)
    )
    product_ids = np.array([product.pk for product in products])
    base = timezone.now().timestamp() - float(data.timestamps.max()) - 60
    customer_col, product_col = customer_ids[data.users], product_ids[data.items]
    names = ("shop", "customer", "product", "kind", "quantity", "occurred_at", "recommendation_ref")
    if connection.vendor == "postgresql":
        # Arrays in, rows made by the database (a row-by-row COPY from Python took ~10 minutes
        # for 5M rows); a throwaway database, so no foreign-key checks.
        quote = connection.ops.quote_name
        columns = ", ".join(quote(Interaction._meta.get_field(name).column) for name in names)
        insert = (
            f"INSERT INTO {quote(Interaction._meta.db_table)} ({columns}) "  # noqa: S608
            "SELECT %s, c, p, k, 1, to_timestamp(t), '' "
            "FROM unnest(%s::int8[], %s::int8[], %s::text[], %s::float8[]) AS u (c, p, k, t)"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            for start in range(0, len(customer_col), 500_000):
                part = slice(start, start + 500_000)
                cursor.execute(
                    insert,
                    [
                        shop.pk,
                        customer_col[part].tolist(),
                        product_col[part].tolist(),
                        [str(kind) for kind in data.kinds[part]],
                        (base + data.timestamps[part]).tolist(),
                    ],
                )
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(f"ANALYZE {quote(Interaction._meta.db_table)}")
    else:
        batch = []
        for customer, product, kind, stamp in zip(
            customer_col, product_col, data.kinds, data.timestamps, strict=True
        ):
            batch.append(
                Interaction(
                    shop=shop,
                    customer_id=int(customer),
                    product_id=int(product),
                    kind=str(kind),
                    occurred_at=datetime.fromtimestamp(base + float(stamp), tz=UTC),
                )
            )
            if len(batch) == 20000:
                Interaction.objects.bulk_create(batch)
                batch = []
        Interaction.objects.bulk_create(batch)
    # Stored vectors for every product, as an earlier embedding refresh leaves them.
    model_name = get_encoder().model_name
    rng = np.random.default_rng(0)
    vectors = core.normalize_rows(rng.normal(size=(n_items, DIM)).astype(np.float32))
    ProductEmbedding.objects.bulk_create(
        (
            ProductEmbedding(
                shop=shop,
                product=product,
                model_name=model_name,
                text_hash=text_hash(product_text(product)),
                dim=DIM,
                vector=vector.astype("<f4").tobytes(),
            )
            for product, vector in zip(products, vectors, strict=True)
        ),
        batch_size=5000,
    )
    return shop


def _run_once(shop, candidates: str, tuning_budget: float | None, vendor: str) -> None:
    from recommendations import services
    from recommendations.tasks import run_recommendation_job

    fields = {}
    if candidates:
        fields["candidates"] = [name.strip() for name in candidates.split(",")]
    if tuning_budget is not None:
        fields["tuning_budget_s"] = int(tuning_budget)
    if fields:
        services.update_settings(shop, fields)
    rate = encoder_rate()
    # CPU seconds of this process per phase beside the wall ones: on a shared machine the wall
    # time says as much about the neighbours as about the run.
    cpu: dict[str, float] = {}
    wall_timed = services._timed

    @contextlib.contextmanager
    def timed(timings, name):
        clock = time.process_time()
        with wall_timed(timings, name):
            yield
        cpu[name] = time.process_time() - clock

    services._timed = timed
    run = services.start_run(shop)
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    try:
        _, wall = _timed(run_recommendation_job, run.job_id)
    finally:
        services._timed = wall_timed
    cpu_total = time.process_time() - cpu_before
    run.refresh_from_db()
    if run.job.status != "succeeded":
        raise SystemExit(f"run failed: {run.job.error}")
    timings = run.stats.get("timings") or {}
    settings = run.settings
    print(
        f"\nwhole run ({vendor}): candidates {settings.get('candidates')}, tuning budget "
        f"{settings.get('tuning_budget_s')} s, coverage target {settings.get('coverage_target')}"
    )
    print(f"  {'phase':<24}{'wall s':>10}{'CPU s':>10}")
    for name, seconds in timings.items():
        print(f"  {name:<24}{seconds:>10.1f}{cpu.get(name, 0.0):>10.1f}")
    print(
        f"  {'total':<24}{wall:>10.1f}{cpu_total:>10.1f}  ({wall / 60:.1f} min wall; "
        "target <= 15 min)"
    )
    n_items = run.stats.get("products") or 0
    print(
        f"  embedding all {n_items:,} products would add ~{n_items / rate:.0f} s "
        f"(encoder {rate:,.0f} texts/s here; they were stored beforehand)"
    )
    metrics = run.metrics or {}
    served = metrics.get("served") or {}
    model = metrics.get("model") or {}
    print(
        f"  served {served.get('name')}: NDCG@10 {model.get('ndcg@10')}, coverage "
        f"{model.get('coverage')}; popularity NDCG@10 "
        f"{(metrics.get('popularity') or {}).get('ndcg@10')}"
    )
    print(
        f"  peak memory {peak_memory_mb():,.0f} MB; load average before {_load(load_before)}, "
        f"after {_load(os.getloadavg())}"
    )


def _load(values) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def peak_memory_mb() -> float:
    """Max resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    started = time.perf_counter()
    parser = argparse.ArgumentParser()
    parser.add_argument("--small-only", action="store_true")
    parser.add_argument("--api-only", action="store_true", help="only part 2 (the API)")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument(
        "--large",
        default="200000x50000x5000000",
        help="customers x products x interactions of the second size",
    )
    parser.add_argument("--whole-run", action="store_true", help="one run at the --large size")
    parser.add_argument("--candidates", default="", help="--whole-run: candidate models")
    parser.add_argument("--tuning-budget", type=float, default=None, help="--whole-run: seconds")
    args = parser.parse_args()

    if args.whole_run:
        size = tuple(int(part) for part in args.large.lower().split("x"))
        whole_run(size, args.candidates, args.tuning_budget)
        print(f"\nwhole bench {time.perf_counter() - started:.0f} s")
        return
    if args.api_only:
        print_api(api_serving([5_000, 50_000], args.repeat))
        return
    scales = [(5_000, 5_000, 300_000)]
    if not args.small_only:
        scales.append(tuple(int(part) for part in args.large.lower().split("x")))
    results = []
    for n_users, n_items, n_interactions in scales:
        print(f"engine: {n_users:,} x {n_items:,} x {n_interactions:,} ...", flush=True)
        results.append(
            (
                (n_users, n_items, n_interactions),
                engine_scale(n_users, n_items, n_interactions, args.sample),
            )
        )
        results[-1][1]["peak_mb"] = peak_memory_mb()
        print(f"  peak memory so far: {results[-1][1]['peak_mb']:,.0f} MB", flush=True)
    rate = encoder_rate()

    print()
    print(f"GPU used by implicit: {results[0][1]['gpu']}; encoder {rate:,.0f} product texts/s")
    header = f"{'step':<44}" + "".join(
        f"{f'{u // 1000}k x {i // 1000}k x {n // 1000}k':>22}" for (u, i, n), _ in results
    )
    if len(results) == 2:
        header += f"{'ratio':>8}"
    print(header)

    def row(label: str, key: str, fmt: str = "{:.2f}") -> None:
        values = [r[key] for _, r in results]
        line = f"{label:<44}" + "".join(f"{fmt.format(v):>22}" for v in values)
        if len(values) == 2 and values[0]:
            line += f"{values[1] / values[0]:>8.1f}"
        print(line)

    for (_, n_items, _), r in results:
        r["embed_s"] = n_items / rate
    row("embeddings, all products (s, extrapolated)", "embed_s")
    row("ALS training, 15 it, 64 factors (s)", "train_s")
    row("offline evaluation incl. 2nd training (s)", "eval_s")
    row("top-10 lists with reasons, all users (s)", "lists_all_s")
    row("  per user (ms)", "per_user_list_ms", "{:.3f}")
    row("similar products, all items (s, extrap.)", "similar_all_s")
    row("bought together, all items (s)", "together_s")
    row("fold-in top-10 for one request (ms)", "fold_in_ms")
    row("peak memory after this size (MB)", "peak_mb", "{:,.0f}")
    row("NDCG@10 model", "ndcg_model", "{:.4f}")
    row("NDCG@10 popularity", "ndcg_pop", "{:.4f}")
    row("Recall@10 model", "recall_model", "{:.4f}")
    row("Recall@10 popularity", "recall_pop", "{:.4f}")
    if any(r["lists_sampled"] for _, r in results):
        print(f"(lists timed on {args.sample:,} users and scaled linearly to all users)")

    print()
    print_api(api_serving([5_000, 50_000], args.repeat))
    print(
        f"\nwhole bench {time.perf_counter() - started:.0f} s; "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )


def print_api(api_rows: list[dict]) -> None:
    print(f"{'API GET /recommendations/customers/<id>/':<44}{'median ms':>12}")
    for label, key in (("stored list", "stored_ms"), ("fold-in", "fold_in_ms")):
        for api_row in api_rows:
            name = f"  {label}, {api_row['products']:,} products"
            print(f"{name:<44}{api_row[key]:>12.2f}")
    print(
        f"stored-list ratio 50k/5k: {api_rows[1]['stored_ms'] / api_rows[0]['stored_ms']:.2f}; "
        f"fold-in ratio 50k/5k: {api_rows[1]['fold_in_ms'] / api_rows[0]['fold_in_ms']:.2f}"
    )


if __name__ == "__main__":
    main()
