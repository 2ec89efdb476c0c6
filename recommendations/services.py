"""Every write of the recommendations app: settings, embeddings, runs and their stored lists.

A run (`execute_run`) loads the shop's interactions and products (shop_data.py), refreshes
product embeddings, selects the served model on a temporal hold-out against popularity (or reuses
the last selection when the data barely changed: selection.py), trains on everything, and stores
top-N per customer and per product with a reason on every item (list_store.py). Serving lives in
`serving.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from django.db import transaction
from django.db.models import Max

from catalog import jobs
from catalog.errors import Conflict, ShopError
from catalog.models import Interaction, Job, Product, Shop
from recommendations import run_output
from recommendations.gc_pause import paused_gc
from recommendations.job_kinds import RECOMMENDATION_RUN
from recommendations.models import (
    ProductEmbedding,
    RecommendationRun,
    RecommenderSettings,
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
    "diversity",
    "category_cap",
    "popularity_penalty",
    "coverage_target",
    "candidates",
    "recency_half_life_days",
    "tuning_budget_s",
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
    _check_reranking(recommender_settings)
    _check_candidates(recommender_settings)
    recommender_settings.save()
    return recommender_settings


def _check_reranking(recommender_settings: RecommenderSettings) -> None:
    from recommendations.engine.rerank import knob_errors

    errors = knob_errors(
        recommender_settings.diversity,
        recommender_settings.category_cap,
        recommender_settings.popularity_penalty,
        recommender_settings.coverage_target,
    )
    if errors:
        message = " ".join(messages[0] for messages in errors.values())
        raise RecommendationError(message, fields=errors)


def _check_candidates(recommender_settings: RecommenderSettings) -> None:
    from recommendations.engine.candidates import CANDIDATE_NAMES

    names = recommender_settings.candidates
    if not isinstance(names, list) or not names:
        raise RecommendationError(
            "Name at least one candidate model.", fields={"candidates": ["Required."]}
        )
    unknown = [name for name in names if name not in CANDIDATE_NAMES]
    if unknown:
        message = f"Unknown candidate model(s): {', '.join(map(str, unknown))}."
        raise RecommendationError(message, fields={"candidates": [message]})
    half_life = recommender_settings.recency_half_life_days
    if half_life is not None and half_life <= 0:
        message = "The recency half-life must be a positive number of days (or empty: off)."
        raise RecommendationError(message, fields={"recency_half_life_days": [message]})
    if not 0 <= recommender_settings.tuning_budget_s <= 3600:
        message = "The tuning budget must be between 0 and 3600 seconds."
        raise RecommendationError(message, fields={"tuning_budget_s": [message]})


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
    """Embed the shop's products whose text changed since their stored vector; returns count.

    The stored text hashes of the shop's active vector space are checked first: when no product
    is new or changed, the encoder is not even loaded (a run with an unchanged catalog spends no
    time on the model). Torch CPU threads come from SHOPLLM_ENCODER_THREADS (the encoder sets
    them before every batch)."""
    from catalog.model_versions import active_encoder_space, shop_encoder

    space = active_encoder_space(shop)  # the shop's adapted encoder's space when one is active
    texts = _product_texts(shop)
    stale = _stale_texts(shop, texts, space.name)
    if not stale:
        return 0
    encoder = shop_encoder(shop, space)
    if encoder.model_name != space.name:
        # An encoder installed for this process (tests, benchmarks) names its own space.
        stale = _stale_texts(shop, texts, encoder.model_name)
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        vectors = encoder.embed([text for _, text, _ in chunk])
        with transaction.atomic():
            ProductEmbedding.objects.filter(product_id__in=[pk for pk, _, _ in chunk]).delete()
            ProductEmbedding.objects.bulk_create(
                [
                    ProductEmbedding(
                        shop=shop,
                        product_id=product_id,
                        model_name=encoder.model_name,
                        text_hash=digest,
                        dim=encoder.dim,
                        vector=vector.astype("<f4").tobytes(),
                    )
                    for (product_id, _, digest), vector in zip(chunk, vectors, strict=True)
                ]
            )
        if progress is not None:
            progress(start + len(chunk), len(stale))
    return len(stale)


class _TextFields(NamedTuple):
    """The fields `product_text` reads, as a plain row (no model instance per product)."""

    pk: int
    title: str
    brand: str
    category: str
    attributes: dict
    tags: list
    bullet_points: list
    description: str


def _product_texts(shop: Shop) -> list[tuple[int, str, str]]:
    """(product id, embedded text, its hash) for every product of the shop."""
    from recommendations.embeddings import product_text, text_hash

    out = []
    rows = Product.objects.for_shop(shop).values_list(*_TextFields._fields)
    for product in map(_TextFields._make, rows.iterator(chunk_size=2000)):
        text = product_text(product)
        out.append((product.pk, text, text_hash(text)))
    return out


def _stale_texts(
    shop: Shop, texts: list[tuple[int, str, str]], model_name: str
) -> list[tuple[int, str, str]]:
    stored = dict(
        ProductEmbedding.objects.filter(shop=shop, model_name=model_name).values_list(
            "product_id", "text_hash"
        )
    )
    return [row for row in texts if stored.get(row[0]) != row[2]]


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


def start_run(
    shop: Shop, *, user=None, trigger: str = "manual", fresh_selection: bool = False
) -> RecommendationRun:
    """Create a run and its job (queued on `gpu` after commit). One active run per shop.

    `fresh_selection` makes the run evaluate every candidate again even when the last
    selection could be reused (recommendations.selection)."""
    with transaction.atomic():
        # Serialises concurrent starts of one shop, so two cannot both see "none active".
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        if RecommendationRun.objects.for_shop(shop).active().exists():
            raise RunAlreadyActive("A recommendation run is already queued or running.")
        params = {"fresh_selection": True} if fresh_selection else None
        job = jobs.create_job(shop, RECOMMENDATION_RUN.name, user=user, params=params, total=100)
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
    """The run's input as arrays (recommendations.shop_data: raw rows, no model instances)."""
    from recommendations.shop_data import load_shop_data as load

    return load(shop, snapshot)


def execute_run(run: RecommendationRun, report: Callable[[int], None]) -> dict:
    """Train, evaluate and store the lists of `run`; `report(percent)` shows progress.

    The steps below each own one band of the progress bar and one entry of the timings.
    """
    from recommendations.engine import core, evaluation

    report = throttled(report)
    snapshot = run.settings or settings_snapshot(run.shop)
    config = core.EngineConfig.from_dict(snapshot)
    timings: dict[str, float] = {}
    with _timed(timings, "embeddings_s"):
        _refresh_run_embeddings(run.shop, config, report)
    report(20)
    with _timed(timings, "load_s"):
        data = _load_interactions(run.shop, snapshot)
        embeddings = _run_embeddings(run.shop, data, config)
    weights = core.event_weights(data.kinds, config.weights)
    with _timed(timings, "evaluation_s"):
        metrics = _select(run, data, weights, embeddings, config, snapshot)
    # The stored lists get the re-ranking the evaluation chose (the coverage goal's knobs).
    config = evaluation.served_config(config, metrics)
    report(40)
    with _timed(timings, "training_s"):
        model = _train(
            data,
            weights,
            config,
            served=metrics.get("served"),
            snapshot=snapshot,
            warm_from=(metrics.get("selection") or {}).get("reused_from"),
        )
    report(55)
    with paused_gc():  # the lists are many small tuples, no cycles (recommendations.gc_pause)
        with _timed(timings, "customer_lists_s"):
            customer_recs = _customer_lists(data, model, embeddings, config, report)
        report(70)
        with _timed(timings, "product_lists_s"):
            similar, together = _product_lists(data, model, embeddings, config, report)
        report(85)
        with _timed(timings, "store_s"):
            _store_lists(run, data, customer_recs, similar, together)
        with _timed(timings, "stats_s"):
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
    """What a run serves from, trained on every interaction.

    `item_factors` are always the settings' ALS (similar-product lists, and fold-in of new
    customers at serving time, which reads them from RunModelData). `scorer` is the served
    candidate when it is not that ALS (engine/candidates.py); the Ranker then scores and explains
    with it, reading `user_factors` as the scorer's own user vectors (BPR or tuned ALS factors;
    the ALS ones, unread, for neighbour models).
    """

    matrix: sp.csr_matrix  # users x items confidence
    user_factors: np.ndarray
    item_factors: np.ndarray
    popularity: np.ndarray
    scorer: object | None = None
    served: str = "als"
    warm_from: int | None = None  # the run whose item factors the ALS fit started from


def throttled(report: Callable[[int], None], interval: float = 0.5) -> Callable[[int], None]:
    """`report`, skipping calls within `interval` seconds of the last one passed on, except
    100. Each report is a database write (progress, heartbeat, cancellation check): a run
    made 19, ~0.1 s at 4,339 customers; a few a second tell as much."""
    last: float | None = None

    def report_now(percent: int) -> None:
        nonlocal last
        now = time.monotonic()
        if percent >= 100 or last is None or now - last >= interval:
            last = now
            report(percent)

    return report_now


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
    from catalog.model_versions import active_encoder_space, shop_encoder

    space = active_encoder_space(shop)
    name = space.name
    if not ProductEmbedding.objects.filter(shop=shop, model_name=name).exists():
        # Nothing stored under the space's name: an encoder installed for this process (tests,
        # benchmarks) names its own space. Asking it costs nothing, it is loaded already.
        name = shop_encoder(shop, space).model_name
    return load_embeddings(shop, data.product_ids, name)


def _select(
    run: RecommendationRun,
    data: run_output.ShopData,
    weights: np.ndarray,
    embeddings,
    config,
    snapshot: dict,
) -> dict:
    """The run's metrics and served model: a fresh evaluation, or the last selection's when
    the data and settings barely changed since (recommendations.selection says when)."""
    from recommendations import selection

    decision = selection.decide(run, data, snapshot)
    if decision.origin is not None:
        return selection.reused_metrics(decision)
    metrics = _evaluate(data, weights, embeddings, config, snapshot)
    metrics["selection"] = decision.note()
    return metrics


def _evaluate(
    data: run_output.ShopData, weights: np.ndarray, embeddings, config, snapshot: dict
) -> dict:
    """Offline metrics on a temporal hold-out: every candidate model of the settings (tuned
    within the settings' budget), the best marked served, against popularity."""
    from recommendations.engine import evaluation

    names, budget, half_life = _candidate_settings(snapshot)
    return evaluation.evaluate(
        data.users,
        data.items,
        weights,
        data.timestamps,
        len(data.customer_ids),
        len(data.product_ids),
        config,
        embeddings=embeddings,
        candidates=names,
        tuning_budget_s=budget,
        recency_half_life_days=half_life,
        categories=data.categories,
    )


def _candidate_settings(snapshot: dict) -> tuple[list[str], float, float | None]:
    """Candidates, tuning budget and recency half-life of a run's settings (older runs' settings
    lack them: the defaults then)."""
    from recommendations.engine import candidates, core

    names = candidates.known(snapshot.get("candidates") or core.default_candidates())
    budget = snapshot.get("tuning_budget_s")
    budget = 60.0 if budget is None else float(budget)
    return names or ["als"], budget, snapshot.get("recency_half_life_days")


def _train(
    data: run_output.ShopData,
    weights: np.ndarray,
    config,
    *,
    served: dict | None = None,
    snapshot: dict | None = None,
    warm_from: int | None = None,
) -> TrainedModel:
    """The settings' ALS and the served candidate (the evaluation's winner with its tuned
    settings; ALS when the evaluation could not run) on every interaction: the evaluation held
    the latest out, serving uses them all.

    `warm_from`: the run whose selection this run reuses. The settings' ALS then starts from
    that run's item factors (core.train_als: a fifth of the iterations). That run selected
    afresh, so it fitted cold on data at most 10% different (recommendations.selection):
    warm starts never chain."""
    from recommendations.engine import candidates, core, evaluation

    _, _, half_life = _candidate_settings(snapshot or {})
    weights = weights * candidates.recency_weights(data.timestamps, half_life)
    matrix = core.confidence_matrix(
        data.users, data.items, weights, len(data.customer_ids), len(data.product_ids)
    )
    warm = warm_from and not core.use_gpu()  # the GPU fit always starts cold
    warm_items = _warm_items(warm_from, data, config) if warm else None
    user_factors, item_factors = core.train_als(matrix, config, warm_items=warm_items)
    model = TrainedModel(matrix, user_factors, item_factors, core.popularity_counts(matrix))
    if warm_items is not None:
        model.warm_from = warm_from
    if not served or (
        served["name"] == "als" and _same_als(served["params"], evaluation.als_defaults(config))
    ):
        return model  # the settings' ALS is the served model: fitted once
    try:
        scorer = candidates.fit(served["name"], matrix, served["params"])
    except candidates.SkipCandidate:
        log.warning("Served candidate %s could not be refitted; serving ALS", served["name"])
        return model
    model.scorer = candidates.for_serving(scorer)
    model.served = served["name"]
    if scorer.user_factors is not None:
        model.user_factors = scorer.user_factors
    return model


def _warm_items(run_id: int, data: run_output.ShopData, config) -> np.ndarray | None:
    """Run `run_id`'s stored item factors in the order of `data.product_ids`, products it did not
    know at implicit's random start; None when it stored none or with another factor count."""
    from recommendations.list_store import stored_item_factors

    stored = stored_item_factors(run_id)
    if stored is None:
        return None
    ids, factors = stored
    if len(ids) == 0 or factors.ndim != 2 or factors.shape[1] != config.factors:
        return None
    rng = np.random.default_rng(config.random_state)
    start = rng.random((len(data.product_ids), config.factors), dtype=np.float32) * 0.01
    products = np.asarray(data.product_ids, dtype=np.int64)
    order = np.argsort(ids)
    found = run_output.index_of(ids[order], products)
    known = found >= 0
    start[known] = factors[order[found[known]]]
    return start


def _same_als(params: dict, settings_als: dict) -> bool:
    """Whether a served ALS's settings are the settings' ALS (values read back from JSON, a
    missing weighting being the default confidence one): then it is the same fit."""
    params = {"weighting": "confidence", **(params or {})}
    for name, value in settings_als.items():
        other = params.get(name)
        if isinstance(value, float) and isinstance(other, int | float):
            if abs(other - value) > 1e-9 * max(1.0, abs(value)):
                return False
        elif other != value:
            return False
    return True


def _customer_lists(
    data: run_output.ShopData, model: TrainedModel, embeddings, config, report
) -> list:
    """Progress 55-70: top-N with a reason for every customer, re-ranked by the run's knobs
    (diversity, category cap, popularity penalty: recommendations.engine.rerank)."""
    from recommendations.engine import core

    ranker = core.Ranker(
        model.item_factors,
        embeddings,
        config,
        available=data.available,
        repurchasable=data.repurchasable,
        popularity=model.popularity,
        categories=data.categories,
        scorer=model.scorer,
    )
    n_users = len(data.customer_ids)
    return core.recommend_all(
        ranker,
        model.user_factors,
        model.matrix,
        config.top_n,
        progress=lambda done: report(55 + int(15 * done / n_users)),
        workers=_list_workers(),
    )


def _list_workers() -> int:
    """Threads computing a run's lists (SHOPLLM_RECOMMENDATION_THREADS; 0 = one per core)."""
    from django.conf import settings

    from recommendations.engine.blocks import worker_count

    return worker_count(settings.SHOPLLM_RECOMMENDATION_THREADS)


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
        workers=_list_workers(),
    )
    # Shops without purchases yet still get "together" lists from carts.
    purchase_mask = run_output.kind_mask(data.kinds, ("purchase",))
    if not purchase_mask.any():
        purchase_mask = run_output.kind_mask(data.kinds, ("purchase", "cart"))
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
    from recommendations.list_store import store_lists

    store_lists(run, data, customer_recs, similar, together)


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
        "als_warm_from": model.warm_from,
        "popularity_histogram": run_output.popularity_histogram(model.popularity, customer_recs),
        "fairness": _fairness(data, model, customer_recs),
    }


def _fairness(data: run_output.ShopData, model: TrainedModel, customer_recs) -> dict:
    """Exposure of the long tail, categories and brands in the stored lists vs the catalog."""
    from recommendations.engine.fairness import exposure_report

    return exposure_report(
        [[rec.item for rec in recs] for recs in customer_recs],
        model.popularity,
        categories=data.categories,
        brands=data.brands,
        available=data.available,
    )


def _record_results(
    run: RecommendationRun,
    data: run_output.ShopData,
    model: TrainedModel,
    embeddings,
    metrics: dict,
    stats: dict,
) -> None:
    """Save the run's metrics, fallback lists and model arrays (for fold-in at serving)."""
    from recommendations.list_store import store_model_data

    popularity = model.popularity
    popular_order = [int(i) for i in np.argsort(-popularity, kind="stable") if popularity[i] > 0]
    by_category: dict[str, list[int]] = {}
    for i in popular_order:
        bucket = by_category.setdefault(data.categories[i], [])
        if len(bucket) < 20:
            bucket.append(data.product_ids[i])
    by_category.pop("", None)
    store_model_data(
        run, run_output.pack_arrays(data, model.item_factors, embeddings, popularity), by_category
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
