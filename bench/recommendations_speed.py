"""Where a recommendation run's time goes, against the ALS fit and implicit's batched top-k.

Part 1 (engine, plain arrays): every customer's top 10 with reasons through the Ranker
(`recommend_all`: batched scores, batched reasons, one BLAS thread), collaborative-only, with
the content blend (384-d embeddings) and with re-ranking, on one thread and on the threads a
run uses (SHOPLLM_RECOMMENDATION_THREADS), beside implicit's own batched
`model.recommend(userids, user_items, N=10)` on the same factors (every core), and the ALS fit
itself. Target: lists with reasons <= 1.5x implicit's recommend.

Part 2 (a whole run through the job, on a throwaway database, real encoder): run wall time
against an ALS fit alone on the same data (target <= 3x), phase by phase (embeddings, load,
evaluation/selection, fit, lists, store), then a second run after --growth (2%) new interactions
and no product changed, after forgetting the loaded encoder: it must not load the encoder
(embeddings ~0 s) and reuses the first run's model selection (recommendations/selection.py).
The second run's ALS starts from the first run's item factors (a fifth of the iterations):
its hold-out quality is printed against cold fits of three seeds (NDCG@10 and coverage must
stay inside their range, within noise). Also the interaction loader against the previous
values_list one on the same rows.
Candidate models and tuning belong to bench/recommendations_candidates.py: this bench runs with
--candidates als --tuning-budget 0 unless told otherwise.

    .venv/bin/python bench/recommendations_speed.py                      # synthetic shops
    .venv/bin/python bench/recommendations_speed.py /tmp/recdata/rohit_retail.csv \
        --customer-col CustomerID --product-col StockCode --timestamp-col InvoiceDate \
        --title-col Description
    .venv/bin/python bench/recommendations_speed.py --engine-only | --run-only

SHOPLLM_ENCODER_THREADS sets the encoder's torch threads (1 is best on a busy shared CPU).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from _reclog import add_log_arguments, load_log, synthetic_log  # noqa: E402

from bench._throwaway_db import throwaway_database  # noqa: E402
from recommendations import services  # noqa: E402
from recommendations.engine import core  # noqa: E402

DIM = 384


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


# --- Part 1 -----------------------------------------------------------------------------------


def implicit_recommend_seconds(user_factors, item_factors, matrix, k: int) -> float:
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=user_factors.shape[1])
    model.user_factors, model.item_factors = user_factors, item_factors
    users = np.arange(matrix.shape[0])
    model.recommend(users[:10], matrix[:10], N=k)  # warm-up
    _, seconds = _timed(model.recommend, users, matrix, N=k)
    return seconds


def engine(log, k: int, repeat: int) -> None:
    config = core.EngineConfig()
    weights = core.event_weights(log.kinds, config.weights)
    matrix = core.confidence_matrix(log.users, log.items, weights, log.n_users, log.n_items)
    (user_factors, item_factors), fit_s = _timed(core.train_als, matrix, config)
    popularity = core.popularity_counts(matrix)
    rng = np.random.default_rng(0)
    embeddings = core.normalize_rows(rng.normal(size=(log.n_items, DIM)).astype(np.float32))
    implicit_s = min(
        implicit_recommend_seconds(user_factors, item_factors, matrix, k) for _ in range(repeat)
    )
    # implicit's recommend uses every core; a run's lists use SHOPLLM_RECOMMENDATION_THREADS.
    threads = services._list_workers()
    rows = [(f"implicit model.recommend (no reasons, {os.cpu_count()} cores)", implicit_s)]
    for label, vectors, content_weight, knobs in (
        ("Ranker: collaborative only", None, 0.0, {}),
        ("Ranker: + content blend (384-d)", embeddings, 0.3, {}),
        ("Ranker: + blend, diversity 0.3, cap 3", embeddings, 0.3, {"diversity": 0.3}),
    ):
        if knobs:
            knobs = {**knobs, "category_cap": 3}
        ranker = core.Ranker(
            item_factors,
            vectors,
            core.EngineConfig(content_weight=content_weight, **knobs),
            popularity=popularity,
            categories=log.categories,
        )
        for workers in sorted({1, threads}):
            seconds = min(
                _timed(core.recommend_all, ranker, user_factors, matrix, k, workers=workers)[1]
                for _ in range(repeat)
            )
            rows.append((f"{label}, with reasons, {workers} thread{'s' * (workers > 1)}", seconds))
    print(
        f"\nPart 1 — {log.label}: {len(log.users):,} interactions; "
        f"ALS fit {fit_s:.2f} s (best of {repeat} for the lists)"
    )
    print(f"{'every customer top ' + str(k):<68}{'seconds':>10}{'vs implicit':>13}")
    for label, seconds in rows:
        print(f"{label:<68}{seconds:>10.2f}{seconds / implicit_s:>12.2f}x")


# --- Part 2 -----------------------------------------------------------------------------------


def whole_run(log, candidates: list[str], tuning_budget: float, growth: float) -> None:
    from django.db import connection
    from django.utils import timezone

    from catalog import jobs
    from catalog.models import Customer, Interaction, Product, Shop
    from recommendations import services
    from recommendations.tasks import run_recommendation_job
    from shopllm_site.ml import encoder as encoder_module
    from shopllm_site.ml import set_encoder

    jobs.enqueue_job = lambda job_id: False  # the job runs here, in this process
    loads = []
    real_build = encoder_module.build_encoder

    def counting_build():
        loads.append(time.perf_counter())
        return real_build()

    encoder_module.build_encoder = counting_build

    with throwaway_database("bench_recommendations_speed"):
        started = time.perf_counter()
        shop = Shop.objects.create(name="Bench", slug="bench")
        Product.objects.bulk_create(
            [
                Product(shop=shop, sku=f"S{i}", title=log.titles[i], category=log.categories[i])
                for i in range(log.n_items)
            ],
            batch_size=2000,
        )
        product_ids = list(
            Product.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)
        )
        Customer.objects.bulk_create(
            [Customer(shop=shop, external_id=f"c{i}") for i in range(log.n_users)],
            batch_size=2000,
        )
        customer_ids = list(
            Customer.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)
        )
        base = timezone.now().timestamp() - float(log.timestamps.max()) - 60
        Interaction.objects.bulk_create(
            (
                Interaction(
                    shop=shop,
                    customer_id=customer_ids[user],
                    product_id=product_ids[item],
                    kind=kind,
                    occurred_at=datetime.fromtimestamp(base + float(stamp), tz=UTC),
                )
                for user, item, kind, stamp in zip(
                    log.users, log.items, log.kinds, log.timestamps, strict=True
                )
            ),
            batch_size=5000,
        )
        print(f"\nPart 2 — {log.label}: shop seeded in {time.perf_counter() - started:.1f} s")
        services.update_settings(
            shop, {"candidates": candidates, "tuning_budget_s": int(tuning_budget)}
        )

        results = []
        for attempt in (1, 2):
            if attempt == 2:
                # Interactions arrive between the runs: a share under the reuse limit.
                added = _add_interactions(shop, log, customer_ids, product_ids, growth)
            set_encoder(None)  # a fresh worker process: no encoder loaded yet
            before = len(loads)
            run = services.start_run(shop)
            _, wall = _timed(run_recommendation_job, run.job_id)
            run.refresh_from_db()
            if run.job.status != "succeeded":
                raise SystemExit(f"run failed: {run.job.error}")
            results.append((attempt, wall, len(loads) - before, run))
        data, new_load_s = _timed(services.load_shop_data, shop, run.settings)
        orm_load_s = _timed(orm_load, shop)[1]
        config = core.EngineConfig.from_dict(run.settings)
        weights = core.event_weights(data.kinds, config.weights)
        matrix = core.confidence_matrix(
            data.users, data.items, weights, len(data.customer_ids), len(data.product_ids)
        )
        fit_s = min(_timed(core.train_als, matrix, config)[1] for _ in range(2))
        embeddings = services._run_embeddings(shop, data, config)
        vendor = connection.vendor
        encoder_module.build_encoder = real_build

    print(
        f"{vendor}; candidates {candidates}, tuning budget {tuning_budget:g} s; "
        f"ALS fit alone on the same data: {fit_s:.2f} s; load average {_load_average()}"
    )
    print(
        f"loading {len(data.users):,} interactions: values_list + datetimes {orm_load_s:.2f} s, "
        f"raw rows with database-side epoch {new_load_s:.2f} s ({orm_load_s / new_load_s:.1f}x)"
    )
    _phase_table(results, fit_s, added)
    warm_start_quality(data, config, weights, embeddings, growth)


def warm_start_quality(data, config, weights, embeddings, growth: float) -> None:
    """The second run's ALS starts from the first run's item factors (services._train): on the
    temporal hold-out, a cold fit against one started from a cold fit on the training side less
    `growth` of it, as the run's lists rank (content blend), three cold seeds for the noise."""
    from recommendations.engine import evaluation

    n_users, n_items = len(data.customer_ids), len(data.product_ids)
    split = evaluation.temporal_split(
        data.users, data.items, weights, data.timestamps, n_users, n_items
    )
    earlier = split.train & (np.random.default_rng(2).random(len(split.train)) >= growth)
    before = core.confidence_matrix(
        data.users[earlier], data.items[earlier], weights[earlier], n_users, n_items
    )
    _, start = core.train_als(before, config)
    popularity = core.popularity_counts(split.matrix)
    vectors = embeddings if embeddings is not None else core.normalize_rows(start)
    scorer = evaluation._ListScorer(split, vectors, popularity, n_items, 10)

    def scored(user_factors, item_factors) -> str:
        ranker = core.Ranker(item_factors, embeddings, config, popularity=popularity)
        hist = split.matrix[split.eval_users]
        top = ranker.top_items(user_factors[split.eval_users], hist, 10, exclude_seen="all")
        row = scorer(top)
        return f"NDCG@10 {row['ndcg@10']:.4f}, coverage {row['coverage']:.4f}"

    def seeded(seed: int) -> core.EngineConfig:
        return core.EngineConfig.from_dict({**config.as_dict(), "random_state": seed})

    (warm, warm_s) = _timed(core.train_als, split.matrix, config, warm_items=start)
    print(f"hold-out, ALS as the lists rank ({len(split.eval_users):,} customers):")
    for seed in (config.random_state, 7, 11):
        cold, cold_s = _timed(core.train_als, split.matrix, seeded(seed))
        print(f"  cold fit, seed {seed:<3} {cold_s:5.2f} s  {scored(*cold)}")
    iterations = core.warm_iterations(config.iterations)
    print(f"  warm start, {iterations} it. {warm_s:5.2f} s  {scored(*warm)}")


PHASES = (
    ("embeddings", ("embeddings_s",)),
    ("load", ("load_s",)),
    ("evaluation / selection", ("evaluation_s",)),
    ("fit on all data", ("training_s",)),
    ("lists", ("customer_lists_s", "product_lists_s")),
    ("store", ("store_s",)),
    ("stats (fairness, histogram)", ("stats_s",)),
)


def _phase_table(results, fit_s: float, added: int) -> None:
    heads = []
    for attempt, _, loaded, _run in results:
        label = "first run" if attempt == 1 else f"second run (+{added:,})"
        heads.append(f"{label}, encoder loads {loaded}")
    print(f"{'phase':<26}" + "".join(f"{head:>40}" for head in heads))
    for phase, names in (*PHASES, ("total (wall)", ())):
        cells = []
        for _, wall, _, run in results:
            timings = run.stats.get("timings") or {}
            seconds = sum(timings.get(name, 0.0) for name in names) if names else wall
            cells.append(f"{seconds:>8.2f} s {seconds / fit_s:>6.2f}x ALS fit")
        print(f"{phase:<26}" + "".join(f"{cell:>40}" for cell in cells))
    print(f"{'ALS fit alone':<26}{fit_s:>10.2f} s")
    for _, _, _, run in results:
        metrics = run.metrics or {}
        served = (metrics.get("served") or {}).get("name", "als")
        fits = {row["name"]: row.get("fit_s") for row in metrics.get("leaderboard") or []}
        note = metrics.get("selection") or {}
        model = metrics.get("model") or {}
        print(
            f"run #{run.pk}: served {served} (its fit on the hold-out's training side "
            f"{fits.get(served)} s), hold-out NDCG@10 {model.get('ndcg@10')}, coverage "
            f"{model.get('coverage')}; selection: {note.get('reason', '-')}"
        )


def _add_interactions(shop, log, customer_ids, product_ids, growth: float) -> int:
    from django.utils import timezone

    from catalog.models import Interaction

    rng = np.random.default_rng(1)
    count = int(len(log.users) * growth)
    picks = rng.choice(len(log.users), count, replace=False)
    now = timezone.now()
    Interaction.objects.bulk_create(
        (
            Interaction(
                shop=shop,
                customer_id=customer_ids[log.users[i]],
                product_id=product_ids[log.items[i]],
                kind=log.kinds[i],
                occurred_at=now,
            )
            for i in picks
        ),
        batch_size=5000,
    )
    return count


def orm_load(shop) -> int:
    """The previous loader, for the comparison: values_list rows, one datetime each."""
    from catalog.models import Interaction

    rows = (
        Interaction.objects.for_shop(shop)
        .order_by()
        .values_list("pk", "customer_id", "product_id", "kind", "occurred_at")
    )
    stamps = [row[4].timestamp() for row in rows.iterator(chunk_size=20000)]
    return len(stamps)


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_log_arguments(parser, synthetic="4339x3665x398000")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine-only", action="store_true")
    parser.add_argument("--run-only", action="store_true")
    parser.add_argument(
        "--run-synthetic",
        default="2000x1500x100000",
        help="shop size of part 2 when no path is given (seeding a database takes a while)",
    )
    parser.add_argument("--candidates", default="als")
    parser.add_argument("--tuning-budget", type=float, default=0.0)
    parser.add_argument(
        "--growth",
        type=float,
        default=0.02,
        help="share of interactions added before the second run (reuse limit: 0.10)",
    )
    args = parser.parse_args()

    log = load_log(args)
    if not args.run_only:
        engine(log, args.k, args.repeat)
    if not args.engine_only:
        run_log = log if args.path else synthetic_log(*map(int, args.run_synthetic.split("x")))
        candidates = [c.strip() for c in args.candidates.split(",")]
        whole_run(run_log, candidates, args.tuning_budget, args.growth)


if __name__ == "__main__":
    main()
