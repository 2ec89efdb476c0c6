"""Run the recommender's offline evaluation on any interactions CSV and print model vs popularity.

CSV columns: customer, product, timestamp, kind (view/cart/purchase/rating; other kinds count as
view). Timestamps: ISO 8601 or Unix seconds. Example (MovieLens ratings as purchases):
    manage.py evaluate_recommendations ratings.csv --holdout 0.2 --factors 64
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from recommendations.engine.core import EngineConfig, event_weights
from recommendations.engine.evaluation import METRIC_NAMES, evaluate


def _timestamp(value: str) -> float:
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise ValueError(f"Unreadable timestamp {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Evaluate the recommender (temporal hold-out, model vs popularity) on an interactions CSV."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv_path")
        parser.add_argument("--holdout", type=float, default=0.2)
        parser.add_argument("--factors", type=int, default=64)
        parser.add_argument("--iterations", type=int, default=15)
        parser.add_argument("--regularization", type=float, default=0.05)
        parser.add_argument("--alpha", type=float, default=2.0)
        parser.add_argument("--max-users", type=int, default=5000)
        parser.add_argument("--delimiter", default=",")

    def handle(self, *args, **options) -> None:
        path = Path(options["csv_path"])
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        users: dict[str, int] = {}
        items: dict[str, int] = {}
        rows_u, rows_i, kinds, stamps = [], [], [], []
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter=options["delimiter"])
            missing = {"customer", "product", "timestamp"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(
                    f"Missing column(s): {', '.join(sorted(missing))}. "
                    "Expected customer, product, timestamp, kind."
                )
            for line, row in enumerate(reader, start=2):
                try:
                    stamps.append(_timestamp(row["timestamp"]))
                except ValueError as exc:
                    raise CommandError(f"Line {line}: {exc}") from exc
                rows_u.append(users.setdefault(row["customer"], len(users)))
                rows_i.append(items.setdefault(row["product"], len(items)))
                kind = (row.get("kind") or "view").strip().lower()
                kinds.append(kind if kind in ("view", "cart", "purchase", "rating") else "view")
        if not rows_u:
            raise CommandError("The file has no rows.")
        config = EngineConfig(
            factors=options["factors"],
            iterations=options["iterations"],
            regularization=options["regularization"],
            alpha=options["alpha"],
            content_weight=0.0,
        )
        result = evaluate(
            np.array(rows_u),
            np.array(rows_i),
            event_weights(kinds, config.weights),
            np.array(stamps),
            len(users),
            len(items),
            config,
            holdout=options["holdout"],
            max_users=options["max_users"],
        )
        if "error" in result:
            raise CommandError(result["error"])
        split = result["split"]
        self.stdout.write(
            f"{len(rows_u):,} interactions, {len(users):,} customers, {len(items):,} products; "
            f"trained on {split['train_interactions']:,}, tested on {split['test_interactions']:,} "
            f"({split['evaluated_customers']:,} customers evaluated)"
        )
        self.stdout.write(f"{'metric':<18}{'model':>10}{'popularity':>12}{'ratio':>8}")
        for name in METRIC_NAMES:
            model, baseline = result["model"][name], result["popularity"][name]
            ratio = f"{model / baseline:.2f}" if baseline else "-"
            self.stdout.write(f"{name:<18}{model:>10.4f}{baseline:>12.4f}{ratio:>8}")
        self.stdout.write(
            "Diversity is measured in ALS item-factor space (a CSV has no product text)."
        )
