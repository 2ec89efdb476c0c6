"""Every write of the recommendations app: settings, embeddings, runs and their stored lists.

A run (`execute_run`) loads the shop's interactions and products, refreshes product embeddings,
evaluates on a temporal hold-out against popularity, trains on everything, and stores top-N per
customer and per product with a reason on every item. Serving lives in `serving.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.db.models import Max

from catalog import jobs
from catalog.errors import Conflict, ShopError
from catalog.models import AVAILABLE_STOCK, Interaction, Job, Product, Shop
from recommendations import run_output
from recommendations.job_kinds import RECOMMENDATION_RUN
from recommendations.models import (
    CustomerRecommendation,
    ListKind,
    ProductEmbedding,
    ProductRecommendation,
    RecommendationRun,
    RecommenderSettings,
    RunModelData,
)

if TYPE_CHECKING:
    import scipy.sparse as sp

log = logging.getLogger(__name__)

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


class RecommendationError(ShopError):
    """A request the recommender cannot honour; the message is meant for the merchant."""


class RunAlreadyActive(RecommendationError, Conflict):
    """A shop has at most one queued or running recommendation run."""


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
    from recommendations.embeddings import product_text, text_hash
    from shopllm_site.ml import get_encoder

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
        vectors = encoder.embed([text for _, text, _ in chunk])
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
        # Serialises concurrent starts of one shop, so two cannot both see "none active".
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        if RecommendationRun.objects.for_shop(shop).active().exists():
            raise RunAlreadyActive("A recommendation run is already queued or running.")
        job = jobs.create_job(shop, RECOMMENDATION_RUN.name, user=user, total=100)
        return RecommendationRun.objects.create(
            shop=shop, job=job, trigger=trigger, settings=settings_snapshot(shop)
        )


def start_nightly_runs() -> list[int]:
    """Start a run for every shop with interactions stored since its last successful run."""
    started = []
    last_event = dict(Interaction.objects.values_list("shop").annotate(last=Max("pk")).order_by())
    for shop in Shop.objects.filter(pk__in=list(last_event)):
        last_run = (
            RecommendationRun.objects.for_shop(shop)
            .succeeded()
            .order_by("-job__finished_at")
            .first()
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
        available=np.array([row[3] in AVAILABLE_STOCK for row in products], dtype=bool),
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
    """Train, evaluate and store the lists of `run`; `report(percent)` shows progress.

    The steps below each own one band of the progress bar and one entry of the timings.
    """
    from recommendations.engine import core

    snapshot = run.settings or settings_snapshot(run.shop)
    config = core.EngineConfig.from_dict(snapshot)
    timings: dict[str, float] = {}
    with _timed(timings, "embeddings_s"):
        _refresh_run_embeddings(run.shop, config, report)
    report(20)
    data = _load_interactions(run.shop, snapshot)
    embeddings = _run_embeddings(run.shop, data, config)
    weights = core.event_weights(data.kinds, config.weights)
    with _timed(timings, "evaluation_s"):
        metrics = _evaluate(data, weights, embeddings, config)
    report(40)
    with _timed(timings, "training_s"):
        model = _train(data, weights, config)
    report(55)
    with _timed(timings, "customer_lists_s"):
        customer_recs = _customer_lists(data, model, embeddings, config, report)
    report(70)
    with _timed(timings, "product_lists_s"):
        similar, together = _product_lists(data, model, embeddings, config, report)
    report(85)
    with _timed(timings, "store_s"):
        _store_lists(run, data, customer_recs, similar, together)
    stats = _run_stats(data, model, customer_recs, similar, together, timings)
    _record_results(run, data, model, embeddings, metrics, stats)
    report(100)
    return {
        "run_id": run.pk,
        "customers": stats["customers"],
        "products": stats["products"],
        "metrics": metrics,
    }


@dataclass
class TrainedModel:
    matrix: sp.csr_matrix  # users x items confidence
    user_factors: np.ndarray
    item_factors: np.ndarray
    popularity: np.ndarray


_MODEL_REASONS = ("because_you", "similar_to")


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    clock = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - clock, 3)


def _refresh_run_embeddings(shop: Shop, config, report: Callable[[int], None]) -> None:
    """Progress 0-20: embed changed products, when the blend uses content at all."""
    if config.content_weight > 0:
        refresh_embeddings(shop, progress=lambda done, total: report(int(20 * done / total)))


def _load_interactions(shop: Shop, snapshot: dict) -> run_output.ShopData:
    data = load_shop_data(shop, snapshot)
    if len(data.users) == 0:
        raise RecommendationError("This shop has no interactions yet: nothing to learn from.")
    return data


def _run_embeddings(shop: Shop, data: run_output.ShopData, config) -> np.ndarray | None:
    if config.content_weight <= 0:
        return None
    from shopllm_site.ml import get_encoder

    return load_embeddings(shop, data.product_ids, get_encoder().model_name)


def _evaluate(data: run_output.ShopData, weights: np.ndarray, embeddings, config) -> dict:
    """Offline metrics on a temporal hold-out, the model against popularity."""
    from recommendations.engine import evaluation

    return evaluation.evaluate(
        data.users,
        data.items,
        weights,
        data.timestamps,
        len(data.customer_ids),
        len(data.product_ids),
        config,
        embeddings=embeddings,
    )


def _train(data: run_output.ShopData, weights: np.ndarray, config) -> TrainedModel:
    """ALS on every interaction (the evaluation held the latest out; serving uses them all)."""
    from recommendations.engine import core

    matrix = core.confidence_matrix(
        data.users, data.items, weights, len(data.customer_ids), len(data.product_ids)
    )
    user_factors, item_factors = core.train_als(matrix, config)
    return TrainedModel(matrix, user_factors, item_factors, core.popularity_counts(matrix))


def _customer_lists(
    data: run_output.ShopData, model: TrainedModel, embeddings, config, report
) -> list:
    """Progress 55-70: top-N with a reason for every customer."""
    from recommendations.engine import core

    ranker = core.Ranker(
        model.item_factors,
        embeddings,
        config,
        available=data.available,
        repurchasable=data.repurchasable,
        popularity=model.popularity,
        categories=data.categories,
    )
    n_users = len(data.customer_ids)
    return core.recommend_all(
        ranker,
        model.user_factors,
        model.matrix,
        config.top_n,
        progress=lambda done: report(55 + int(15 * done / n_users)),
    )


def _product_lists(
    data: run_output.ShopData, model: TrainedModel, embeddings, config, report
) -> tuple[list, list]:
    """Progress 70-85: similar products and bought-together, per product."""
    from recommendations.engine import core, item_lists

    n_users, n_items = len(data.customer_ids), len(data.product_ids)
    similar = item_lists.similar_items(
        model.item_factors,
        embeddings,
        data.available,
        config.top_n,
        content_weight=max(config.content_weight, 0.5),
        progress=lambda done: report(70 + int(10 * done / n_items)),
    )
    # Shops without purchases yet still get "together" lists from carts.
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
    return similar, together


def _store_lists(
    run: RecommendationRun, data: run_output.ShopData, customer_recs, similar, together
) -> None:
    strongest = run_output.strongest_kinds(data, len(data.customer_ids), len(data.product_ids))
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


def _run_stats(
    data: run_output.ShopData, model: TrainedModel, customer_recs, similar, together, timings
) -> dict:
    """The summary the run pages show: counts, timings, popularity of what was recommended."""
    from recommendations.engine import core

    return {
        "customers": len(data.customer_ids),
        "products": len(data.product_ids),
        "interactions": int(len(data.users)),
        "customer_lists": len(customer_recs),
        "product_lists": sum(1 for recs in similar if recs) + sum(1 for recs in together if recs),
        "timings": timings,
        "gpu": core.use_gpu(),
        "popularity_histogram": run_output.popularity_histogram(model.popularity, customer_recs),
    }


def _record_results(
    run: RecommendationRun,
    data: run_output.ShopData,
    model: TrainedModel,
    embeddings,
    metrics: dict,
    stats: dict,
) -> None:
    """Save the run's metrics, fallback lists and model arrays (for fold-in at serving)."""
    popularity = model.popularity
    popular_order = [int(i) for i in np.argsort(-popularity, kind="stable") if popularity[i] > 0]
    by_category: dict[str, list[int]] = {}
    for i in popular_order:
        bucket = by_category.setdefault(data.categories[i], [])
        if len(bucket) < 20:
            bucket.append(data.product_ids[i])
    by_category.pop("", None)
    RunModelData.objects.update_or_create(
        run=run,
        defaults={
            "arrays": run_output.pack_arrays(data, model.item_factors, embeddings, popularity),
            "popular_by_category": by_category,
        },
    )
    RecommendationRun.objects.filter(pk=run.pk).update(
        metrics=metrics,
        stats=stats,
        popular=[data.product_ids[i] for i in popular_order[:100]],
        interactions_until=data.until,
        last_interaction_id=data.last_id,
    )


def run_job_work(job: Job, job_run: jobs.JobRun) -> dict:
    """The work of a `recommendation_run` job (called through catalog.jobs.run_job)."""
    run = RecommendationRun.objects.select_related("shop").filter(job=job).first()
    if run is None:
        raise jobs.JobFailed("The recommendation run of this job was deleted.")
    return execute_run(run, job_run.progress)
