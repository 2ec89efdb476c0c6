"""Evaluate every candidate recommender on an interactions CSV and print them side by side.

CSV columns: customer, product, timestamp, kind (view/cart/purchase/rating; other kinds count as
view; no kind column = view). Timestamps: Unix seconds, ISO 8601 or 12/1/2010 8:26 (month first).
The split is temporal: `--cutoff DATE` trains on what happened before that date and tests on the
rest, otherwise the last `--holdout` share by time is tested. Only customers with history before
the cut are evaluated, on items they had not had before it (`--include-seen` keeps repeats).

Recall is printed two ways:
  recall@10         = |hits| / |relevant|         (share of the customer's held-out items found)
  capped_recall@10  = |hits| / min(10, |relevant|) (1.0 when all 10 slots could be and are hits)

Example (MovieLens ratings as purchases):
    manage.py evaluate_recommendations ratings.csv --cutoff 1998-03-01 --tuning-budget 60
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine import core
from recommendations.engine.evaluation import METRIC_NAMES, PLAIN_ALS, evaluate
from recommendations.engine.interaction_log import parse_timestamp, read_interactions_csv


class Command(BaseCommand):
    help = (
        "Evaluate the candidate recommenders (temporal hold-out) on an interactions CSV: every "
        "candidate, popularity and plain implicit ALS side by side."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv_path")
        parser.add_argument("--holdout", type=float, default=0.2, help="last share by time")
        parser.add_argument(
            "--cutoff", help="split at this date instead (ISO date, Unix seconds, ...)"
        )
        parser.add_argument(
            "--candidates",
            default=",".join(core.DEFAULT_CANDIDATES),
            help="comma-separated: als, bpr, item_knn, ease, popularity",
        )
        parser.add_argument(
            "--tuning-budget", type=float, default=0.0, help="seconds of tuning (0 = defaults)"
        )
        parser.add_argument("--recency-half-life", type=float, default=None, help="days")
        parser.add_argument("--include-seen", action="store_true")
        parser.add_argument("--factors", type=int, default=64, help="the ALS candidate's")
        parser.add_argument("--iterations", type=int, default=15)
        parser.add_argument("--regularization", type=float, default=0.05)
        parser.add_argument("--alpha", type=float, default=2.0)
        parser.add_argument("--max-users", type=int, default=5000)
        parser.add_argument("--delimiter", default=",")

    def handle(self, *args, **options) -> None:
        path = Path(options["csv_path"])
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            log = read_interactions_csv(path, default_kind="view", delimiter=options["delimiter"])
        except KeyError as exc:
            raise CommandError(
                f"Missing column(s): {exc.args[0]}. Expected customer, product, timestamp, kind."
            ) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if len(log.users) == 0:
            raise CommandError("The file has no rows.")
        cutoff = None
        if options["cutoff"]:
            try:
                cutoff = parse_timestamp(options["cutoff"])
            except ValueError as exc:
                raise CommandError(f"--cutoff: {exc}") from exc
        config = core.EngineConfig(
            factors=options["factors"],
            iterations=options["iterations"],
            regularization=options["regularization"],
            alpha=options["alpha"],
            content_weight=0.0,
        )
        names = [name.strip() for name in options["candidates"].split(",") if name.strip()]
        result = evaluate(
            log.users,
            log.items,
            core.event_weights(log.kinds, config.weights),
            log.timestamps,
            len(log.customer_names),
            len(log.product_names),
            config,
            holdout=options["holdout"],
            cutoff=cutoff,
            max_users=options["max_users"],
            candidates=names,
            tuning_budget_s=options["tuning_budget"],
            recency_half_life_days=options["recency_half_life"],
            exclude_seen=not options["include_seen"],
            baseline=True,
        )
        if "error" in result:
            raise CommandError(result["error"])
        self._print(log, result)

    def _print(self, log, result: dict) -> None:
        split = result["split"]
        self.stdout.write(
            f"{len(log.users):,} interactions, {len(log.customer_names):,} customers, "
            f"{len(log.product_names):,} products; trained on {split['train_interactions']:,}, "
            f"tested on {split['test_interactions']:,} "
            f"({split['evaluated_customers']:,} customers evaluated); "
            f"tuning: {split.get('tuning')}"
        )
        rows = [row for row in result["leaderboard"] if "skipped" not in row]
        width = max(12, *(len(row["name"]) + 2 for row in rows))
        self.stdout.write(f"{'metric':<18}" + "".join(f"{row['name']:>{width}}" for row in rows))
        for name in METRIC_NAMES:
            values = "".join(f"{row[name]:>{width}.4f}" for row in rows)
            self.stdout.write(f"{name:<18}{values}")
        if any("vs_plain_als" in row for row in rows):
            ratios = "".join(f"{row.get('vs_plain_als', 0):>{width}.2f}" for row in rows)
            self.stdout.write(f"{'ndcg vs ' + PLAIN_ALS:<18}{ratios}")
        for row in result["leaderboard"]:
            if "skipped" in row:
                self.stdout.write(f"{row['name']}: skipped ({row['skipped']})")
        served = result["served"]
        settings = ", ".join(f"{key}={value}" for key, value in served["params"].items())
        self.stdout.write(f"served: {served['name']} ({settings or 'no settings'})")
        self.stdout.write(
            "Recall: recall@10 = hits / held-out items; capped_recall@10 = hits / min(10, held-out "
            f"items). {PLAIN_ALS} = implicit ALS, 64 factors, BM25-weighted counts (reference, "
            "never served). Diversity is measured in a truncated SVD of the training "
            "interactions (a CSV has no product text)."
        )
