"""Serving: the served run's lists (the latest successful one unless pinned), fold-in for new
customers, fallbacks, impressions.

A stored list is one indexed lookup plus one product query whatever the size of the catalog.
Stock is checked again at serving time (it may change after a run); items a customer already
interacted with (also since the run) are dropped unless they are repurchasable. Every served
list gets a `ref` that later interactions cite (Interaction.recommendation_ref) for
click-through attribution.
"""

from __future__ import annotations

import io
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count

from catalog.models import AVAILABLE_STOCK, Customer, Interaction, Product, Shop
from recommendations.models import (
    CustomerRecommendation,
    ListKind,
    ProductEmbedding,
    ProductRecommendation,
    RecommendationImpression,
    RecommendationRun,
    RunModelData,
)
from recommendations.run_output import KIND_RANK, KIND_VERB, reason_text
from recommendations.services import is_repurchasable


@dataclass
class ServedItem:
    product: Product
    score: float
    reason: str
    reason_text: str
    via: Product | None = None


@dataclass
class ServedList:
    source: str  # model, fold_in, fallback, none
    run: RecommendationRun | None
    items: list[ServedItem] = field(default_factory=list)
    ref: str = ""


def latest_run(shop: Shop) -> RecommendationRun | None:
    return (
        RecommendationRun.objects.for_shop(shop)
        .succeeded()
        .select_related("job")
        .order_by("-job__finished_at", "-pk")
        .first()
    )


# A shop may pin the run its lists come from (an experiment's winner promoted to the default).
# The pin lives in an upper app that this one cannot import, so that app registers a function
# here: shop -> pinned succeeded run or None. None from every resolver = the latest run.
_served_run_resolvers: list = []


def register_served_run_resolver(resolver) -> None:
    if resolver not in _served_run_resolvers:
        _served_run_resolvers.append(resolver)


def served_run(shop: Shop) -> RecommendationRun | None:
    """The run whose lists are served: a pinned one if any, else the latest successful run."""
    for resolver in _served_run_resolvers:
        run = resolver(shop)
        if run is not None:
            return run
    return latest_run(shop)


# --- artefacts of a run, loaded once per process -------------------------------------------------


@dataclass
class RunArtifacts:
    item_ids: np.ndarray
    index: dict[int, int]
    ranker: object
    embeddings: np.ndarray | None


# Keyed by (pk, created_at): SQLite may give a deleted run's pk to the next run.
_cache: OrderedDict[tuple, RunArtifacts] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 4


def run_artifacts(run: RecommendationRun) -> RunArtifacts | None:
    with _cache_lock:
        key = (run.pk, run.created_at)
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    blob = RunModelData.objects.filter(run=run).values_list("arrays", flat=True).first()
    if not blob:
        return None
    from recommendations.engine.core import EngineConfig, Ranker
    from recommendations.engine.evaluation import served_config

    arrays = np.load(io.BytesIO(bytes(blob)))
    embeddings = (
        arrays["item_embeddings"].astype(np.float32) if "item_embeddings" in arrays else None
    )
    ranker = Ranker(
        arrays["item_factors"],
        embeddings,
        # The knobs the run's lists were stored with (the coverage goal may have raised them).
        served_config(EngineConfig.from_dict(run.settings or {}), run.metrics or {}),
        available=arrays["available"],
        repurchasable=arrays["repurchasable"],
        popularity=arrays["popularity"],
        categories=[str(c) for c in arrays["categories"]],
    )
    item_ids = arrays["item_ids"]
    artifacts = RunArtifacts(
        item_ids=item_ids,
        index={int(pid): i for i, pid in enumerate(item_ids)},
        ranker=ranker,
        embeddings=embeddings,
    )
    with _cache_lock:
        _cache[key] = artifacts
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return artifacts


# --- customers --------------------------------------------------------------------------------


def for_customer(
    shop: Shop,
    customer: Customer,
    n: int = 10,
    *,
    record: bool = True,
    run: RecommendationRun | None = None,
) -> ServedList:
    """`run`: serve this run's lists (an experiment's arm) instead of the served run."""
    run = run or served_run(shop)
    if run is None:
        return ServedList(source="none", run=None)
    stored = CustomerRecommendation.objects.filter(run=run, customer=customer).first()
    # Newest first; a few hundred events are plenty to fold a customer in or to filter a list.
    events = list(
        Interaction.objects.filter(customer=customer)
        .order_by("-occurred_at")
        .values_list("product_id", "kind")[:500]
    )
    candidates: list[dict] = []
    source = "fallback"
    if stored is not None:
        candidates = list(stored.items)
        source = stored.source
    elif events:
        candidates = _fold_in(run, events, n + 10)
        source = "fold_in" if any(c["r"] != "popular" for c in candidates) else "fallback"
    # What the customer already has (also since the run) is not shown again unless repurchasable.
    seen = {product_id for product_id, _ in events}
    served = _materialise(shop, run, candidates, n, seen=seen)
    served.source = source if served.items else "none"
    if record and served.items:
        _record(served, shop, kind="customer", customer=customer)
    return served


def _fold_in(run: RecommendationRun, events: list[tuple[int, str]], n: int) -> list[dict]:
    artifacts = run_artifacts(run)
    if artifacts is None:
        return []
    weights = (run.settings or {}).get("weights") or {}
    confidence: dict[int, float] = {}
    strongest: dict[int, int] = {}
    for product_id, kind in events:
        position = artifacts.index.get(product_id)
        if position is None:
            continue
        confidence[position] = confidence.get(position, 0.0) + float(weights.get(kind, 0.0))
        strongest[position] = max(strongest.get(position, -1), KIND_RANK.get(kind, 0))
    items = np.array([i for i, c in confidence.items() if c > 0], dtype=np.int64)
    conf = np.log1p(np.array([confidence[i] for i in items], dtype=np.float32))
    recs = artifacts.ranker.recommend(items, conf, n)
    return [
        {
            "p": int(artifacts.item_ids[rec.item]),
            "s": round(rec.score, 4),
            "r": rec.reason,
            "via": int(artifacts.item_ids[rec.via]) if rec.via is not None else None,
            "verb": KIND_VERB.get(strongest.get(rec.via, 0), "") if rec.via is not None else "",
        }
        for rec in recs
    ]


# --- products ---------------------------------------------------------------------------------


def for_product(
    shop: Shop,
    product: Product,
    kind: str = ListKind.SIMILAR,
    n: int = 10,
    *,
    record: bool = True,
    run: RecommendationRun | None = None,
) -> ServedList:
    run = run or served_run(shop)
    if run is None:
        return ServedList(source="none", run=None)
    stored = ProductRecommendation.objects.filter(run=run, product=product, kind=kind).first()
    source = "model"
    if stored is not None:
        candidates = list(stored.items)
    elif kind == ListKind.SIMILAR:
        candidates = _content_neighbours(run, product, n + 10)
        source = "content" if candidates else "fallback"
    else:
        candidates = []
        source = "fallback"
    if not candidates:
        source = "fallback"
        by_category = (
            RunModelData.objects.filter(run=run)
            .values_list("popular_by_category", flat=True)
            .first()
        ) or {}
        candidates = [
            {"p": pid, "s": 0.0, "r": "popular_in_category", "via": None}
            for pid in by_category.get(product.category, [])
        ]
    served = _materialise(
        shop, run, candidates, n, exclude={product.pk}, top_up=source == "fallback"
    )
    served.source = source if served.items else "none"
    if record and served.items:
        _record(served, shop, kind=kind, product=product)
    return served


def _content_neighbours(run: RecommendationRun, product: Product, n: int) -> list[dict]:
    """A product the run did not know: nearest neighbours of its stored embedding."""
    embedding = ProductEmbedding.objects.filter(product=product).values_list("vector", flat=True)
    vector = embedding.first()
    if vector is None:
        return []
    artifacts = run_artifacts(run)
    if artifacts is None or artifacts.embeddings is None:
        return []
    query = np.frombuffer(bytes(vector), dtype="<f4")
    if query.shape[0] != artifacts.embeddings.shape[1]:
        return []
    scores = artifacts.embeddings @ query
    order = np.argsort(-scores)[: n + 1]
    return [
        {
            "p": int(artifacts.item_ids[i]),
            "s": round(float(scores[i]), 4),
            "r": "similar_to",
            "via": product.pk,
        }
        for i in order
        if int(artifacts.item_ids[i]) != product.pk and scores[i] > 0
    ]


# --- shared -----------------------------------------------------------------------------------


def _materialise(
    shop: Shop,
    run: RecommendationRun,
    candidates: list[dict],
    n: int,
    *,
    seen: set[int] = frozenset(),
    exclude: set[int] = frozenset(),
    top_up: bool = True,
) -> ServedList:
    """Products for candidate ids (one query), in-stock only, topped up from popular items."""
    popular = list(run.popular or [])[: 3 * n + len(exclude) + len(seen)] if top_up else []
    ids = {c["p"] for c in candidates} | {c["via"] for c in candidates if c.get("via")}
    products = {
        product.pk: product
        for product in Product.objects.filter(shop=shop, pk__in=ids | set(popular))
    }
    snapshot = run.settings or {}
    items: list[ServedItem] = []
    taken: set[int] = set(exclude)
    for candidate in candidates + [{"p": pid, "s": 0.0, "r": "popular"} for pid in popular]:
        if len(items) >= n:
            break
        product = products.get(candidate["p"])
        if product is None or product.pk in taken or product.stock_status not in AVAILABLE_STOCK:
            continue
        if product.pk in seen and not is_repurchasable(product.category, product.tags, snapshot):
            continue
        via = products.get(candidate.get("via")) if candidate.get("via") else None
        text = candidate.get("t") or reason_text(
            candidate["r"], via.title if via else None, product.category, candidate.get("verb", "")
        )
        items.append(ServedItem(product, float(candidate["s"]), candidate["r"], text, via))
        taken.add(product.pk)
    return ServedList(source="", run=run, items=items)


def _record(served: ServedList, shop: Shop, *, kind: str, customer=None, product=None) -> None:
    served.ref = "rec_" + secrets.token_hex(12)
    RecommendationImpression.objects.create(
        shop=shop,
        ref=served.ref,
        run=served.run,
        customer=customer,
        product=product,
        kind=kind,
        source=served.source,
        product_ids=[item.product.pk for item in served.items],
    )


def run_ctr(run: RecommendationRun) -> dict:
    """Impressions of the run's lists and the interactions that cite them."""
    impressions = RecommendationImpression.objects.filter(run=run)
    shown = impressions.count()
    clicks = (
        Interaction.objects.filter(
            shop=run.shop_id, recommendation_ref__in=impressions.values("ref")
        )
        .values("recommendation_ref")
        .aggregate(refs=Count("recommendation_ref", distinct=True))["refs"]
    )
    return {
        "impressions": shown,
        "clicked": clicks,
        "ctr": round(clicks / shown, 4) if shown else None,
    }


def history(customer: Customer, limit: int = 20) -> list[Interaction]:
    return list(
        Interaction.objects.filter(customer=customer)
        .select_related("product")
        .order_by("-occurred_at")[:limit]
    )
