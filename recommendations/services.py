"""Every write of the recommendations app: settings, embeddings, runs and their stored lists.

A run (`execute_run`) loads the shop's interactions and products, refreshes product embeddings,
evaluates on a temporal hold-out against popularity, trains on everything, and stores top-N per
customer and per product with a reason on every item. Serving lives in `serving.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog import jobs
from catalog.models import Interaction, Job, Product, Shop, StockStatus
from recommendations import run_output
from recommendations.models import (
    CustomerRecommendation,
    ListKind,
    ProductEmbedding,
    ProductRecommendation,
    RecommendationRun,
    RecommenderSettings,
    RunModelData,
    RunStatus,
)

log = logging.getLogger(__name__)

JOB_KIND = "recommendation_run"
AVAILABLE = (StockStatus.IN_STOCK, StockStatus.LOW_STOCK)
SETTINGS_FIELDS = (
    "weights",
    "content_weight",
    "top_n",
    "factors",
    "iterations",
    "regularization",
    "alpha",
    "repurchasable_categories",
    "repurchasable_tags",
)


class RecommendationError(ValueError):
    """A request the recommender cannot honour; the message is meant for the merchant."""


# --- settings ---------------------------------------------------------------------------------


def get_settings(shop: Shop) -> RecommenderSettings:
    recommender_settings, _ = RecommenderSettings.objects.get_or_create(shop=shop)
    return recommender_settings


def update_settings(shop: Shop, fields: dict) -> RecommenderSettings:
    recommender_settings = get_settings(shop)
    for name, value in fields.items():
        if name not in SETTINGS_FIELDS:
            raise RecommendationError(f"Unknown recommender setting {name!r}.")
        setattr(recommender_settings, name, value)
    if not 0.0 <= recommender_settings.content_weight <= 1.0:
        raise RecommendationError("The content weight must be between 0 and 1.")
    if not 1 <= recommender_settings.top_n <= 200:
        raise RecommendationError("N must be between 1 and 200.")
    recommender_settings.save()
    return recommender_settings


def settings_snapshot(shop: Shop) -> dict:
    recommender_settings = get_settings(shop)
    return {name: getattr(recommender_settings, name) for name in SETTINGS_FIELDS}


def is_repurchasable(category: str, tags: list, snapshot: dict) -> bool:
    categories = [c.strip() for c in snapshot.get("repurchasable_categories") or [] if c.strip()]
    if any(category == c or category.startswith(c + " >") for c in categories):
        return True
    wanted = set(snapshot.get("repurchasable_tags") or [])
    return bool(wanted & set(tags or []))


# --- embeddings -------------------------------------------------------------------------------


def refresh_embeddings(
    shop: Shop, *, progress: Callable[[int, int], None] | None = None, batch: int = 256
) -> int:
    """Embed the shop's products whose text changed since their stored vector; returns count."""
    from recommendations.embeddings import get_encoder, product_text, text_hash

    encoder = get_encoder()
    stored = dict(
        ProductEmbedding.objects.filter(shop=shop, model_name=encoder.model_name).values_list(
            "product_id", "text_hash"
        )
    )
    stale: list[tuple[Product, str, str]] = []
    for product in Product.objects.for_shop(shop).iterator(chunk_size=2000):
        text = product_text(product)
        digest = text_hash(text)
        if stored.get(product.pk) != digest:
            stale.append((product, text, digest))
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        vectors = encoder.encode([text for _, text, _ in chunk])
        with transaction.atomic():
            ProductEmbedding.objects.filter(product__in=[p for p, _, _ in chunk]).delete()
            ProductEmbedding.objects.bulk_create(
                [
                    ProductEmbedding(
                        shop=shop,
                        product=product,
                        model_name=encoder.model_name,
                        text_hash=digest,
                        dim=encoder.dim,
                        vector=vector.astype("<f4").tobytes(),
                    )
                    for (product, _, digest), vector in zip(chunk, vectors, strict=True)
                ]
            )
        if progress is not None:
            progress(start + len(chunk), len(stale))
    return len(stale)


def load_embeddings(shop: Shop, product_ids: list[int], model_name: str) -> np.ndarray | None:
    """Unit vectors in the order of `product_ids` (zeros where missing); None if none stored."""
    rows = ProductEmbedding.objects.filter(shop=shop, model_name=model_name).values_list(
        "product_id", "vector", "dim"
    )
    index = {pid: i for i, pid in enumerate(product_ids)}
    matrix = None
    for product_id, vector, dim in rows.iterator(chunk_size=2000):
        if matrix is None:
            matrix = np.zeros((len(product_ids), dim), dtype=np.float32)
        position = index.get(product_id)
        if position is not None and dim == matrix.shape[1]:
            matrix[position] = np.frombuffer(bytes(vector), dtype="<f4")
    return matrix


# --- runs -------------------------------------------------------------------------------------


def start_run(shop: Shop, *, user=None, trigger: str = "manual") -> RecommendationRun:
    """Create a run and its job (queued on `gpu` after commit). One active run per shop."""
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        active = RecommendationRun.objects.filter(
            shop=shop, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
        ).select_related("job")
        for other in active:
            if other.job is None or other.job.is_finished:
                # Its job was cancelled while queued (the task never ran) or deleted.
                fail_run(other.pk, "Its job was cancelled or removed before the run finished.")
            else:
                raise RecommendationError("A recommendation run is already queued or running.")
        run = RecommendationRun.objects.create(
            shop=shop, trigger=trigger, settings=settings_snapshot(shop)
        )
        job = jobs.create_job(shop, JOB_KIND, user=user, params={"run_id": run.pk}, total=100)
        run.job = job
        run.save(update_fields=["job"])
    return run


def start_nightly_runs() -> list[int]:
    """Start a run for every shop with interactions stored since its last successful run."""
    started = []
    last_event = dict(Interaction.objects.values_list("shop").annotate(last=Max("pk")).order_by())
    for shop in Shop.objects.filter(pk__in=list(last_event)):
        last_run = (
            RecommendationRun.objects.for_shop(shop).succeeded().order_by("-finished_at").first()
        )
        if (
            last_run
            and last_run.last_interaction_id
            and (last_event[shop.pk] <= last_run.last_interaction_id)
        ):
            continue
        try:
            run = start_run(shop, trigger="nightly")
        except RecommendationError:
            continue
        started.append(run.pk)
    return started


def load_shop_data(shop: Shop, snapshot: dict) -> run_output.ShopData:
    products = list(
        Product.objects.for_shop(shop)
        .order_by("pk")
        .values_list("pk", "title", "category", "stock_status", "tags")
    )
    product_index = {row[0]: i for i, row in enumerate(products)}
    rows = (
        Interaction.objects.for_shop(shop)
        .order_by()
        .values_list("pk", "customer_id", "product_id", "kind", "occurred_at")
    )
    customer_index: dict[int, int] = {}
    users, items, kinds, stamps = [], [], [], []
    until = None
    last_id = None
    for pk, customer_id, product_id, kind, occurred_at in rows.iterator(chunk_size=20000):
        if last_id is None or pk > last_id:
            last_id = pk
        position = product_index.get(product_id)
        if position is None:
            continue
        users.append(customer_index.setdefault(customer_id, len(customer_index)))
        items.append(position)
        kinds.append(kind)
        stamps.append(occurred_at.timestamp())
        if until is None or occurred_at > until:
            until = occurred_at
    return run_output.ShopData(
        product_ids=[row[0] for row in products],
        titles=[row[1] for row in products],
        categories=[row[2] for row in products],
        available=np.array([row[3] in AVAILABLE for row in products], dtype=bool),
        repurchasable=np.array(
            [is_repurchasable(row[2], row[4], snapshot) for row in products], dtype=bool
        ),
        customer_ids=list(customer_index),
        users=np.array(users, dtype=np.int64),
        items=np.array(items, dtype=np.int64),
        kinds=kinds,
        timestamps=np.array(stamps, dtype=np.float64),
        until=until,
        last_id=last_id,
    )


def execute_run(run: RecommendationRun, report: Callable[[int], None]) -> dict:
    """Train, evaluate and store the lists of `run`; `report(percent)` shows progress."""
    from recommendations.engine import core, evaluation, item_lists

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    RecommendationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, error="")
    snapshot = run.settings or settings_snapshot(run.shop)
    config = core.EngineConfig.from_dict(snapshot)
    shop = run.shop
    use_content = config.content_weight > 0

    if use_content:
        refresh_embeddings(shop, progress=lambda done, total: report(int(20 * done / total)))
    timings["embeddings_s"] = round(time.perf_counter() - clock, 3)
    report(20)
    data = load_shop_data(shop, snapshot)
    if len(data.users) == 0:
        raise RecommendationError("This shop has no interactions yet: nothing to learn from.")
    embeddings = None
    if use_content:
        from recommendations.embeddings import get_encoder

        embeddings = load_embeddings(shop, data.product_ids, get_encoder().model_name)
    n_users, n_items = len(data.customer_ids), len(data.product_ids)
    weights = core.event_weights(data.kinds, config.weights)

    clock = time.perf_counter()
    metrics = evaluation.evaluate(
        data.users,
        data.items,
        weights,
        data.timestamps,
        n_users,
        n_items,
        config,
        embeddings=embeddings,
    )
    timings["evaluation_s"] = round(time.perf_counter() - clock, 3)
    report(40)

    clock = time.perf_counter()
    matrix = core.confidence_matrix(data.users, data.items, weights, n_users, n_items)
    user_factors, item_factors = core.train_als(matrix, config)
    timings["training_s"] = round(time.perf_counter() - clock, 3)
    report(55)
    popularity = core.popularity_counts(matrix)
    ranker = core.Ranker(
        item_factors,
        embeddings,
        config,
        available=data.available,
        repurchasable=data.repurchasable,
        popularity=popularity,
        categories=data.categories,
    )
    clock = time.perf_counter()
    customer_recs = core.recommend_all(
        ranker,
        user_factors,
        matrix,
        config.top_n,
        progress=lambda done: report(55 + int(15 * done / n_users)),
    )
    timings["customer_lists_s"] = round(time.perf_counter() - clock, 3)
    report(70)

    clock = time.perf_counter()
    similar = item_lists.similar_items(
        item_factors,
        embeddings,
        data.available,
        config.top_n,
        content_weight=max(config.content_weight, 0.5),
        progress=lambda done: report(70 + int(10 * done / n_items)),
    )
    purchase_mask = np.array([kind == "purchase" for kind in data.kinds], dtype=bool)
    if not purchase_mask.any():
        purchase_mask = np.array([kind in ("purchase", "cart") for kind in data.kinds], bool)
    purchases = core.confidence_matrix(
        data.users[purchase_mask],
        data.items[purchase_mask],
        np.ones(int(purchase_mask.sum()), np.float32),
        n_users,
        n_items,
    )
    together = item_lists.bought_together(purchases, data.available, config.top_n)
    timings["product_lists_s"] = round(time.perf_counter() - clock, 3)
    report(85)

    strongest = run_output.strongest_kinds(data, n_users, n_items)
    clock = time.perf_counter()
    with transaction.atomic():
        # A re-delivered job rewrites its own lists instead of duplicating them.
        CustomerRecommendation.objects.filter(run=run).delete()
        ProductRecommendation.objects.filter(run=run).delete()
        CustomerRecommendation.objects.bulk_create(
            (
                CustomerRecommendation(
                    run=run,
                    customer_id=data.customer_ids[user],
                    source="model" if any(r.reason in _MODEL_REASONS for r in recs) else "fallback",
                    items=run_output.customer_items(recs, data, strongest, user),
                )
                for user, recs in enumerate(customer_recs)
            ),
            batch_size=1000,
        )
        ProductRecommendation.objects.bulk_create(
            (
                ProductRecommendation(
                    run=run,
                    product_id=data.product_ids[item],
                    kind=kind,
                    items=[run_output.item_json(r, data, None) for r in recs],
                )
                for kind, lists in (
                    (ListKind.SIMILAR, similar),
                    (ListKind.BOUGHT_TOGETHER, together),
                )
                for item, recs in enumerate(lists)
                if recs
            ),
            batch_size=1000,
        )
    timings["store_s"] = round(time.perf_counter() - clock, 3)

    popular_order = [int(i) for i in np.argsort(-popularity, kind="stable") if popularity[i] > 0]
    popular = [data.product_ids[i] for i in popular_order[:100]]
    by_category: dict[str, list[int]] = {}
    for i in popular_order:
        bucket = by_category.setdefault(data.categories[i], [])
        if len(bucket) < 20:
            bucket.append(data.product_ids[i])
    by_category.pop("", None)
    stats = {
        "customers": n_users,
        "products": n_items,
        "interactions": int(len(data.users)),
        "customer_lists": len(customer_recs),
        "product_lists": sum(1 for recs in similar if recs) + sum(1 for recs in together if recs),
        "timings": timings,
        "gpu": core.use_gpu(),
        "popularity_histogram": run_output.popularity_histogram(popularity, customer_recs),
    }
    RunModelData.objects.update_or_create(
        run=run,
        defaults={
            "arrays": run_output.pack_arrays(data, item_factors, embeddings, popularity),
            "popular_by_category": by_category,
        },
    )
    RecommendationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        metrics=metrics,
        stats=stats,
        popular=popular,
        interactions_until=data.until,
        last_interaction_id=data.last_id,
        finished_at=timezone.now(),
    )
    report(100)
    return {"run_id": run.pk, "customers": n_users, "products": n_items, "metrics": metrics}


_MODEL_REASONS = ("because_you", "similar_to")


def fail_run(run_id: int, message: str) -> None:
    RecommendationRun.objects.filter(pk=run_id).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def run_job_work(job: Job, job_run) -> dict:
    """The work of a `recommendation_run` job (called through catalog.jobs.run_job)."""
    run = RecommendationRun.objects.select_related("shop").filter(pk=job.params.get("run_id"))
    run = run.first()
    if run is None:
        raise RecommendationError("The recommendation run of this job was deleted.")
    try:
        return execute_run(run, lambda percent: job_run.progress(percent))
    except jobs.JobCancelled:
        fail_run(run.pk, "Cancelled.")
        raise
    except Exception as exc:
        fail_run(run.pk, f"{type(exc).__name__}: {exc}")
        raise
