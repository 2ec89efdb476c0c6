"""What each re-ranking knob costs and buys, side by side, on a temporal hold-out.

Trains ALS once on the interactions before the cut (the last --holdout share by time is held
out), then lists the top 10 for every evaluated customer with each knob setting (no re-rank;
diversity 0.3 / 0.6; category cap 2 / 3; popularity penalty 0.1 / 0.3; a mix) through the real
Ranker, and prints NDCG@10, recall@10, catalog coverage, intra-list diversity (1 - mean pairwise
cosine, in embedding space with --embed, else in ALS factor space), long-tail share of slots
(items outside the top 20% by popularity), the largest category count in a list, and the time to
list everyone; each with its ratio to no re-rank.

    .venv/bin/python bench/recommendations_rerank.py                     # synthetic shop
    .venv/bin/python bench/recommendations_rerank.py /tmp/recdata/rohit_retail.csv \
        --customer-col CustomerID --product-col StockCode --timestamp-col InvoiceDate \
        --title-col Description --category-words 2 [--embed]

CSV options as bench/recommendations_candidates.py (bench/_reclog.py reads them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from _reclog import add_log_arguments, load_log  # noqa: E402

from recommendations import metrics  # noqa: E402
from recommendations.engine import core  # noqa: E402
from recommendations.engine.rerank import category_codes  # noqa: E402

SETTINGS = (
    ("no re-rank", {}),
    ("diversity 0.3", {"diversity": 0.3}),
    ("diversity 0.6", {"diversity": 0.6}),
    ("category cap 3", {"category_cap": 3}),
    ("category cap 2", {"category_cap": 2}),
    ("popularity penalty 0.1", {"popularity_penalty": 0.1}),
    ("popularity penalty 0.3", {"popularity_penalty": 0.3}),
    ("div 0.3 + cap 3 + pen 0.1", {"diversity": 0.3, "category_cap": 3, "popularity_penalty": 0.1}),
)
COLUMNS = ("ndcg@10", "recall@10", "coverage", "diversity", "long_tail", "max_cat", "list_s")


def split(log, holdout: float, max_users: int):
    cutoff = float(np.quantile(log.timestamps, 1.0 - holdout))
    train = log.timestamps < cutoff
    config = core.EngineConfig()
    weights = core.event_weights(log.kinds, config.weights)
    matrix = core.confidence_matrix(
        log.users[train], log.items[train], weights[train], log.n_users, log.n_items
    )
    has_train = np.diff(matrix.indptr) > 0
    tests: dict[int, set[int]] = {}
    for user, item in zip(log.users[~train], log.items[~train], strict=True):
        user, item = int(user), int(item)
        lo, hi = matrix.indptr[user], matrix.indptr[user + 1]
        if has_train[user] and item not in matrix.indices[lo:hi]:
            tests.setdefault(user, set()).add(item)
    users = np.array(sorted(tests), dtype=np.int64)
    if len(users) > max_users:
        users = np.sort(np.random.default_rng(0).choice(users, max_users, replace=False))
    return matrix, users, [tests[int(u)] for u in users]


def embed_titles(titles: list[str]) -> np.ndarray:
    from shopllm_site.ml import get_encoder

    return get_encoder().embed(titles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_log_arguments(parser, synthetic="4339x3665x398000")
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--max-users", type=int, default=5000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--embed", action="store_true", help="embed product titles with the encoder (blend 0.3)"
    )
    args = parser.parse_args()

    log = load_log(args)
    print(f"{log.label}: {len(log.users):,} interactions, {log.n_users:,} x {log.n_items:,}")
    matrix, users, relevant = split(log, args.holdout, args.max_users)
    print(f"evaluated customers: {len(users):,} (last {args.holdout:.0%} held out, new items)")
    embeddings = embed_titles(log.titles) if args.embed else None
    base = core.EngineConfig(content_weight=0.3 if embeddings is not None else 0.0)
    started = time.perf_counter()
    user_factors, item_factors = core.train_als(matrix, base)
    print(f"ALS fit on the training side: {time.perf_counter() - started:.2f} s")
    popularity = core.popularity_counts(matrix)
    vectors = embeddings if embeddings is not None else core.normalize_rows(item_factors)
    space = "embeddings" if embeddings is not None else "ALS factors"
    pop_map = {i: float(c) for i, c in enumerate(popularity)}
    tail = metrics.long_tail_items(pop_map, range(log.n_items))
    codes = category_codes(log.categories)
    hist = matrix[users]

    rows = []
    for label, knobs in SETTINGS:
        config = core.EngineConfig(**{**base.as_dict(), **knobs})
        ranker = core.Ranker(
            item_factors, embeddings, config, popularity=popularity, categories=log.categories
        )
        started = time.perf_counter()
        top = ranker.top_items(user_factors[users], hist, args.k, exclude_seen="all", rerank=True)
        seconds = time.perf_counter() - started
        lists = [[int(i) for i in row if i >= 0] for row in top]
        max_cat = [
            int(np.bincount(codes[items][codes[items] >= 0]).max(initial=0)) for items in lists
        ]
        pairs = list(zip(lists, relevant, strict=True))
        rows.append(
            (
                label,
                {
                    "ndcg@10": float(np.mean([metrics.ndcg_at_k(r, t, args.k) for r, t in pairs])),
                    "recall@10": float(
                        np.mean([metrics.recall_at_k(r, t, args.k) for r, t in pairs])
                    ),
                    "coverage": metrics.catalog_coverage(lists, log.n_items),
                    "diversity": metrics.mean_intra_list_diversity(lists, vectors),
                    "long_tail": metrics.long_tail_share(lists, tail),
                    "max_cat": float(np.mean(max_cat)),
                    "list_s": seconds,
                },
            )
        )

    print(
        f"\ndiversity = intra-list distance in {space} space; long_tail = share of slots outside "
        "the top 20% by popularity;\nmax_cat = mean over lists of the largest category count; "
        "(x) = ratio to no re-rank"
    )
    print(f"{'setting':<28}" + "".join(f"{name:>17}" for name in COLUMNS))
    baseline = rows[0][1]
    for label, values in rows:
        cells = []
        for name in COLUMNS:
            value, ref = values[name], baseline[name]
            ratio = f"({value / ref:.2f}x)" if ref else "(  - )"
            cells.append(
                f"{value:>9.4f} {ratio:>7}" if name != "list_s" else f"{value:>9.2f} {ratio:>7}"
            )
        print(f"{label:<28}" + "".join(f"{cell:>17}" for cell in cells))


if __name__ == "__main__":
    main()
