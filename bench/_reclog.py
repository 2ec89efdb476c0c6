"""Interaction logs for the recommender benches: a CSV by path, or the synthetic shop.

The CSV options are those of bench/recommendations_candidates.py (column names, kind, delimiter),
read by the same `read_interactions_csv`, plus optional product titles and categories for the
re-ranking and fairness benches: --category-col, or --title-col with --category-words N (the
first N words of the title as a category: "LUNCH BAG RED RETROSPOT" -> "LUNCH BAG").
Django must be set up by the calling script. Never commit the data: keep public logs in /tmp.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass

import numpy as np


@dataclass
class Log:
    users: np.ndarray
    items: np.ndarray
    kinds: list[str]
    timestamps: np.ndarray
    n_users: int
    n_items: int
    titles: list[str]
    categories: list[str]
    label: str


def add_log_arguments(parser: argparse.ArgumentParser, *, synthetic: str) -> None:
    parser.add_argument("path", nargs="?", help="interaction CSV (default: the synthetic shop)")
    parser.add_argument("--customer-col", default="customer")
    parser.add_argument("--product-col", default="product")
    parser.add_argument("--timestamp-col", default="timestamp")
    parser.add_argument("--kind-col", default="kind")
    parser.add_argument("--default-kind", default="purchase", help="when there is no kind column")
    parser.add_argument("--delimiter", default=",", help=r"',' or '\t'")
    parser.add_argument("--title-col", default="", help="product title column (optional)")
    parser.add_argument("--category-col", default="", help="product category column (optional)")
    parser.add_argument(
        "--category-words", type=int, default=2, help="without --category-col: title's first words"
    )
    parser.add_argument(
        "--synthetic",
        default=synthetic,
        help="customers x products x interactions of the synthetic shop (no path given)",
    )


def load_log(args: argparse.Namespace) -> Log:
    if not args.path:
        return synthetic_log(*[int(part) for part in args.synthetic.lower().split("x")])
    from recommendations.engine.interaction_log import read_interactions_csv

    delimiter = args.delimiter.encode().decode("unicode_escape")
    log = read_interactions_csv(
        args.path,
        customer=args.customer_col,
        product=args.product_col,
        timestamp=args.timestamp_col,
        kind=args.kind_col,
        default_kind=args.default_kind,
        delimiter=delimiter,
    )
    titles = {name: "" for name in log.product_names}
    categories = {name: "" for name in log.product_names}
    if args.title_col or args.category_col:
        with open(args.path, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle, delimiter=delimiter):
                product = row[args.product_col]
                if args.title_col and not titles.get(product):
                    titles[product] = (row.get(args.title_col) or "").strip()
                if args.category_col and not categories.get(product):
                    categories[product] = (row.get(args.category_col) or "").strip()
    if not args.category_col and args.title_col:
        categories = {
            name: " ".join(title.split()[: args.category_words]) for name, title in titles.items()
        }
    return Log(
        users=log.users,
        items=log.items,
        kinds=log.kinds,
        timestamps=log.timestamps,
        n_users=len(log.customer_names),
        n_items=len(log.product_names),
        titles=[titles[name] or name for name in log.product_names],
        categories=[categories[name] for name in log.product_names],
        label=str(args.path),
    )


def synthetic_log(n_users: int, n_items: int, n_interactions: int) -> Log:
    """Planted taste groups; three categories per taste group (so a category cap can bite)."""
    from recommendations.engine.synthetic import planted_groups

    n_groups = 20
    data = planted_groups(n_users, n_items, n_interactions, n_groups=n_groups, seed=1)
    categories = [f"Category {i % (3 * n_groups)}" for i in range(n_items)]
    titles = [f"Product {i} of taste group {g}" for i, g in enumerate(data.item_group)]
    return Log(
        users=data.users,
        items=data.items,
        kinds=[str(kind) for kind in data.kinds],
        timestamps=data.timestamps,
        n_users=n_users,
        n_items=n_items,
        titles=titles,
        categories=categories,
        label=(
            f"synthetic shop {n_users:,} x {n_items:,} x {n_interactions:,} "
            "(planted taste groups: flatters every model)"
        ),
    )
