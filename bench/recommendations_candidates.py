"""Candidate recommenders side by side on a real interaction log, against plain implicit ALS.

Takes any interaction log as a CSV (customer, product, timestamp columns, names configurable;
an optional kind column), splits it by time (--cutoff DATE, or the last --holdout share), tunes
each candidate on a validation split carved from the training side (--tuning-budget seconds) and
prints every candidate's hold-out metrics beside the baseline: the "ten-line script" (implicit
ALS, 64 factors, on BM25-weighted counts, K1=100, B=0.8), as a ratio. Without a path it runs on
the synthetic shop (planted taste groups, which flatter every model: tune on real logs).

    .venv/bin/python bench/recommendations_candidates.py /tmp/retail.csv \
        --customer-col CustomerID --product-col StockCode --timestamp-col InvoiceDate
    .venv/bin/python bench/recommendations_candidates.py /tmp/ml100k.csv --holdout 0.2
    .venv/bin/python bench/recommendations_candidates.py            # synthetic shop

With --text-col (a product text column, e.g. Description) the products are embedded with the
site's encoder and every candidate is blended with content similarity (--content-weight), as in
a real run; without it the comparison is collaborative only.

The served lists are evaluated as stored: re-ranked with --popularity-penalty / --diversity (the
shop's own knobs) and the coverage goal (--coverage-target, default 0.35 as a shop's; 0 = off),
which picks on the validation split the mildest stronger setting reaching that coverage at most
5% NDCG@10 below. The last lines print plain implicit ALS against the served model, in relevance
order and as stored, with the coverage ceiling (evaluated customers x 10 / products).

Never commit the data: fetch public logs to /tmp.
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

from recommendations.engine import candidates as cand  # noqa: E402
from recommendations.engine import core, coverage_goal  # noqa: E402
from recommendations.engine.evaluation import PLAIN_ALS, evaluate  # noqa: E402
from recommendations.engine.interaction_log import (  # noqa: E402
    parse_timestamp,
    read_interactions_csv,
)
from recommendations.engine.synthetic import planted_groups  # noqa: E402


def load(args) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, int, int, str]:
    if not args.path:
        data = planted_groups(3000, 1500, 90_000, n_groups=20, seed=1)
        kinds = [str(kind) for kind in data.kinds]
        label = "synthetic shop (planted taste groups: flatters every model)"
        return data.users, data.items, kinds, data.timestamps, data.n_users, data.n_items, label
    log = read_interactions_csv(
        args.path,
        customer=args.customer_col,
        product=args.product_col,
        timestamp=args.timestamp_col,
        kind=args.kind_col,
        default_kind=args.default_kind,
        delimiter=args.delimiter,
    )
    return (
        log.users,
        log.items,
        log.kinds,
        log.timestamps,
        len(log.customer_names),
        len(log.product_names),
        str(args.path),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help="interaction CSV (default: the synthetic shop)")
    parser.add_argument("--customer-col", default="customer")
    parser.add_argument("--product-col", default="product")
    parser.add_argument("--timestamp-col", default="timestamp")
    parser.add_argument("--kind-col", default="kind")
    parser.add_argument("--default-kind", default="purchase", help="when there is no kind column")
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--cutoff", help="split at this date (ISO or Unix seconds)")
    parser.add_argument("--holdout", type=float, default=0.2, help="last share by time to test")
    parser.add_argument(
        "--include-seen",
        action="store_true",
        help="test on repeat interactions too (default: new items only, seen items excluded)",
    )
    parser.add_argument("--candidates", default=",".join(core.DEFAULT_CANDIDATES))
    parser.add_argument("--tuning-budget", type=float, default=60.0, help="seconds, 0 = defaults")
    parser.add_argument("--recency-half-life", type=float, default=None, help="days")
    parser.add_argument("--max-users", type=int, default=5000)
    parser.add_argument("--text-col", help="product text to embed (content blend, as in a run)")
    parser.add_argument("--content-weight", type=float, default=0.3)
    parser.add_argument(
        "--coverage-target",
        type=float,
        default=coverage_goal.DEFAULT_TARGET,
        help="the shop setting: catalog coverage the served lists aim for (0 = off)",
    )
    parser.add_argument("--popularity-penalty", type=float, default=0.0, help="the shop's own")
    parser.add_argument("--diversity", type=float, default=0.0, help="the shop's own MMR")
    args = parser.parse_args()

    clock = time.perf_counter()
    users, items, kinds, stamps, n_users, n_items, label = load(args)
    embeddings = product_embeddings(args) if args.path and args.text_col else None
    config = core.EngineConfig(
        content_weight=args.content_weight if embeddings is not None else 0,
        coverage_target=args.coverage_target,
        popularity_penalty=args.popularity_penalty,
        diversity=args.diversity,
    )
    weights = core.event_weights(kinds, config.weights)
    print(
        f"{label}: {len(users):,} interactions, {n_users:,} customers, {n_items:,} products "
        f"(read in {time.perf_counter() - clock:.1f} s); content weight {config.content_weight}"
    )
    clock = time.perf_counter()
    result = evaluate(
        users,
        items,
        weights,
        stamps,
        n_users,
        n_items,
        config,
        embeddings=embeddings,
        holdout=args.holdout,
        cutoff=parse_timestamp(args.cutoff) if args.cutoff else None,
        max_users=args.max_users,
        candidates=[name.strip() for name in args.candidates.split(",") if name.strip()],
        tuning_budget_s=args.tuning_budget,
        recency_half_life_days=args.recency_half_life,
        exclude_seen=not args.include_seen,
        baseline=True,
    )
    if "error" in result:
        raise SystemExit(result["error"])
    split = result["split"]
    print(
        f"split: trained on {split['train_interactions']:,}, tested on "
        f"{split['test_interactions']:,}; {split['evaluated_customers']:,} customers evaluated "
        f"({'new items only' if not args.include_seen else 'repeats included'}; coverage "
        f"ceiling {split['coverage_ceiling']:.3f} = customers x 10 / products); "
        f"tuning: {split.get('tuning')}; {time.perf_counter() - clock:.0f} s in all"
    )
    header = (
        f"{'candidate':<12}{'ndcg@10':>9}{'vs ALS':>8}{'recall@10':>10}{'capped':>8}"
        f"{'coverage':>9}{'divers.':>8}{'fit s':>7}  settings"
    )
    print(header)
    for row in result["leaderboard"]:
        if "skipped" in row:
            print(f"{row['name']:<12}  skipped: {row['skipped']}")
            continue
        mark = "*" if row["served"] else (" (baseline)" if row["name"] == PLAIN_ALS else "")
        print(
            f"{row['name']:<12}{row['ndcg@10']:>9.4f}{row.get('vs_plain_als', 0):>8.2f}"
            f"{row['recall@10']:>10.4f}{row['capped_recall@10']:>8.4f}{row['coverage']:>9.3f}"
            f"{row['diversity']:>8.3f}{row['fit_s']:>7.1f}  {_params(row['params'])}{mark}"
        )
    served = next(row for row in result["leaderboard"] if row["served"])
    plain = next(row for row in result["leaderboard"] if row["name"] == PLAIN_ALS)
    print_goal(result["served"])
    relevance = served.get("relevance_order", served)
    ratio = served["ndcg@10"] / plain["ndcg@10"] if plain["ndcg@10"] else float("nan")
    print(
        f"\n{'side by side':<34}{'ndcg@10':>9}{'coverage':>10}{'ceiling':>9}\n"
        f"{'plain implicit ALS (script)':<34}{plain['ndcg@10']:>9.4f}{plain['coverage']:>10.3f}"
        f"{split['coverage_ceiling']:>9.3f}\n"
        f"{'served, relevance order':<34}{relevance['ndcg@10']:>9.4f}"
        f"{relevance['coverage']:>10.3f}{split['coverage_ceiling']:>9.3f}\n"
        f"{'served, as stored (re-ranked)':<34}{served['ndcg@10']:>9.4f}{served['coverage']:>10.3f}"
        f"{split['coverage_ceiling']:>9.3f}"
    )
    ok = ratio >= 1.15 and served["coverage"] >= 0.35
    print(
        f"served (*): {served['name']}, NDCG@10 {ratio:.2f}x plain ALS, coverage "
        f"{served['coverage']:.3f} (targets: >= 1.15x and >= 0.35: {'MET' if ok else 'NOT MET'}). "
        f"EASE cap: {cand.EASE_MAX_ITEMS:,} items."
    )


def print_goal(served: dict) -> None:
    goal = served.get("coverage_goal")
    knobs = served.get("rerank") or {}
    print(f"served re-ranking: {_params(knobs)}")
    if not goal:
        print("coverage goal: off")
        return
    if goal.get("skipped"):
        print(f"coverage goal {goal['target']}: skipped ({goal['skipped']})")
        return
    val = goal["validation"]
    print(
        f"coverage goal {goal['target']} (NDCG on {val['customers']} validation customers, "
        f"coverage over {val['coverage_customers']} customers' lists from the training side, "
        f"ceiling {val['coverage_ceiling']}): {'reached' if goal['reached'] else 'NOT reached'} "
        f"with popularity penalty {goal['popularity_penalty']}, diversity {goal['diversity']}; "
        f"coverage {val['coverage_before']} -> {val['coverage']}, NDCG@10 "
        f"{val['ndcg@10_before']} -> {val['ndcg@10']} (cost {val['ndcg_cost']:.1%}, "
        f"tolerance {goal['tolerance']:.0%}); search {goal['seconds']} s"
    )
    print(
        "  tried: "
        + "; ".join(
            f"pen {row['popularity_penalty']} div {row['diversity']}: "
            f"ndcg {row['ndcg@10']:.4f} cov {row['coverage']:.3f}"
            for row in goal["tried"]
        )
    )


def product_embeddings(args) -> np.ndarray:
    """The site encoder's unit vectors of each product's text (first row seen), in the order
    read_interactions_csv numbers the products."""
    import csv

    from shopllm_site.ml import get_encoder

    texts: dict[str, str] = {}
    with open(args.path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle, delimiter=args.delimiter):
            texts.setdefault(row[args.product_col], (row.get(args.text_col) or "").strip())
    encoder = get_encoder()
    rows = list(texts.values())
    vectors = np.vstack([encoder.embed(rows[i : i + 256]) for i in range(0, len(rows), 256)])
    return core.normalize_rows(vectors)


def _params(params: dict) -> str:
    return " ".join(f"{name}={value}" for name, value in params.items())


if __name__ == "__main__":
    main()
