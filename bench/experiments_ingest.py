"""Attributed events through the bulk interactions API, on one process: events per minute.

100,000 interactions (views, carts, purchases) citing the ids an experiment's serving returned
go through POST /api/v1/interactions/bulk/ in requests of 10,000 (the endpoint's maximum),
with the Django test client on a throwaway SQLite database. Baseline side by side: the same
events without a recommendation id. Then the experiment's analysis over all of them (the
detail page's cost).

    .venv/bin/python bench/experiments_ingest.py [--events 100000] [--chunk 10000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._api_shop import running_ab_experiment, throwaway_shop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--products", type=int, default=500)
    args = parser.parse_args()

    with throwaway_shop(products=args.products, customers=args.customers) as bench:
        from rest_framework.test import APIClient

        from catalog.models import Interaction
        from experiments.analysis import analyse_experiment
        from experiments.assignment import assign
        from experiments.models import Exposure
        from tests.experiments.conftest import make_run

        shop, key = bench.shop, bench.key
        products, customers = bench.products, bench.customers
        run_a = make_run(shop, products[:10], [], age_minutes=60)
        run_b = make_run(shop, products[10:20], [])
        experiment = running_ab_experiment(bench, run_a, run_b)
        arms = list(experiment.arms.order_by("position"))
        # One served list per customer (as the serving endpoint records them), made in bulk:
        # this bench measures ingestion, not serving.
        refs = [f"rec_bench{i:08d}" for i in range(len(customers))]
        Exposure.objects.bulk_create(
            Exposure(
                shop=shop,
                experiment=experiment,
                arm=arms[assign(experiment.salt, customer.external_id, (50, 50))],
                ref=ref,
                visitor=customer.external_id,
            )
            for customer, ref in zip(customers, refs, strict=True)
        )

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        kinds = ("view", "view", "view", "cart", "purchase")

        def item(index: int, with_ref: bool) -> dict:
            c = index % args.customers
            row = {
                "customer": f"cust-{c}",
                "sku": f"SKU-{(index * 7) % args.products}",
                "kind": kinds[index % len(kinds)],
                "occurred_at": "2026-11-01T12:00:00Z",
            }
            if row["kind"] == "purchase":
                row["value"] = "19.90"
            if with_ref:
                row["recommendation_ref"] = refs[c]
            return row

        url = "/api/v1/interactions/bulk/"

        def ingest(with_ref: bool) -> float:
            bodies = [
                json.dumps(
                    {
                        "items": [
                            item(i, with_ref)
                            for i in range(offset, min(offset + args.chunk, args.events))
                        ]
                    }
                )
                for offset in range(0, args.events, args.chunk)
            ]
            start, cpu = time.perf_counter(), time.process_time()
            for body in bodies:
                response = client.post(url, body, content_type="application/json")
                assert response.status_code == 201, response.content[:300]
            return time.perf_counter() - start, time.process_time() - cpu

        client.post(
            url, json.dumps({"items": [item(0, True)]}), content_type="application/json"
        )  # warm-up
        plain_s = ingest(with_ref=False)
        attributed_s = ingest(with_ref=True)
        stored = Interaction.objects.filter(shop=shop).count()
        assert stored == 2 * args.events + 1, stored

        start = time.perf_counter()
        result = analyse_experiment(experiment)
        analysis_s = time.perf_counter() - start
        attributed = sum(arm["impressions"] for arm in result["arms"])

        print(f"{args.events:,} events per pass in requests of {args.chunk:,}, one process")
        # CPU time of this process too: on a shared machine the wall clock counts others' work.
        for name, (seconds, cpu) in (("without ref", plain_s), ("attributed", attributed_s)):
            print(
                f"{name:>12}: {seconds:6.2f} s wall = {args.events / seconds * 60:>10,.0f} "
                f"events/min; {cpu:6.2f} s CPU = {args.events / cpu * 60:>10,.0f} per CPU-minute"
            )
        target = args.events / attributed_s[0] * 60 / 100_000
        print(f"attributed ingest is {target:.1f}x the 100,000 events/min target")
        print(
            f"analysis of the experiment ({attributed:,} exposures, "
            f"{args.events + 1:,} attributed events): {analysis_s:.2f} s"
        )


if __name__ == "__main__":
    main()
