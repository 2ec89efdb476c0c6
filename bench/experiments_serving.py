"""Serving inside an experiment vs serving the plain list: p95 latency side by side.

Same process, same database (a throwaway SQLite in a temp dir), same customers and stored
lists; requests through the Django test client with a real API token, interleaved so that both
paths see the same machine load. The experiment path adds: one query for the running arms, the
hash assignment, and one Exposure row per served list.

    .venv/bin/python bench/experiments_serving.py [--requests 2000] [--customers 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._api_shop import running_ab_experiment, throwaway_shop  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per path")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--items", type=int, default=20, help="stored list length")
    args = parser.parse_args()

    env = {"SHOPLLM_API_RATE_TOKEN": "1000000/min"}  # measure serving, not limits
    with throwaway_shop(products=args.products, customers=args.customers, env=env) as bench:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from rest_framework.test import APIClient

        from experiments.models import Exposure
        from tests.experiments.conftest import make_run

        shop, key = bench.shop, bench.key
        products, customers = bench.products, bench.customers
        run_a = make_run(shop, products[: args.items], customers, age_minutes=60)
        run_b = make_run(shop, products[args.items : 2 * args.items], customers)
        experiment = running_ab_experiment(bench, run_a, run_b)

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

        def plain(external_id: str):
            return client.get(f"/api/v1/recommendations/customers/{external_id}/")

        def in_experiment(external_id: str):
            return client.get("/api/v1/experiments/serve/customer/", {"customer": external_id})

        for call in (plain, in_experiment):  # warm up imports and caches
            for i in range(20):
                assert call(f"cust-{i}").status_code == 200

        timings: dict[str, list[float]] = {"plain": [], "experiment": []}
        for i in range(args.requests):
            external_id = f"cust-{(i * 7919) % args.customers}"
            order = (("plain", plain), ("experiment", in_experiment))
            for name, call in order if i % 2 else reversed(order):
                start = time.perf_counter()
                response = call(external_id)
                timings[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and response.json()["items"]

        queries = {}
        for name, call in (("plain", plain), ("experiment", in_experiment)):
            with CaptureQueriesContext(connection) as captured:
                call("cust-1")
            queries[name] = len(captured.captured_queries)
        exposures = Exposure.objects.filter(experiment=experiment).count()
        print(
            f"{args.requests:,} requests per path, {args.customers:,} customers, "
            f"lists of {args.items}; {exposures:,} exposures recorded"
        )
        for name in ("plain", "experiment"):
            values = timings[name]
            print(
                f"{name:>10}: p50 {percentile(values, 50):6.2f} ms  "
                f"p95 {percentile(values, 95):6.2f} ms  p99 {percentile(values, 99):6.2f} ms  "
                f"({queries[name]} queries per request)"
            )
        added = percentile(timings["experiment"], 95) - percentile(timings["plain"], 95)
        verdict = "within" if added <= 2.0 else "OVER"
        print(f"experiment adds {added:+.2f} ms at p95 ({verdict} the 2 ms budget)")


if __name__ == "__main__":
    main()
