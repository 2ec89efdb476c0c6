"""Interactions ingest through the API: bulk endpoint vs one POST per interaction.

Runs in one process with the Django test client on a throwaway SQLite database (a temp dir),
so it measures the web stack + validation + database, not the network.

    .venv/bin/python bench/api_interactions_bulk.py [--total 20000] [--chunk 5000] [--naive 500]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._api_shop import throwaway_shop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--naive", type=int, default=500, help="single POSTs timed (sample)")
    parser.add_argument("--products", type=int, default=500)
    args = parser.parse_args()

    with throwaway_shop() as bench:
        from rest_framework.test import APIClient

        from catalog import services
        from catalog.models import Interaction

        shop, key = bench.shop, bench.key
        services.upsert_products(
            shop, [{"sku": f"SKU-{i}", "title": f"Product {i}"} for i in range(args.products)]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        kinds = ("view", "view", "view", "cart", "purchase")

        def item(index: int) -> dict:
            return {
                "customer": f"cust-{index % 3000}",
                "sku": f"SKU-{(index * 7) % args.products}",
                "kind": kinds[index % len(kinds)],
                "occurred_at": "2026-11-01T12:00:00Z",
            }

        url = "/api/v1/interactions/bulk/"
        # Warm up (imports, first queries) outside the timings.
        client.post(url, json.dumps({"items": [item(0)]}), content_type="application/json")

        start = time.perf_counter()
        stored = 0
        for offset in range(0, args.total, args.chunk):
            items = [item(i) for i in range(offset, min(offset + args.chunk, args.total))]
            response = client.post(
                url, json.dumps({"items": items}), content_type="application/json"
            )
            assert response.status_code == 201, response.content[:500]
            stored += response.json()["stored"]
        bulk_s = time.perf_counter() - start
        bulk_rate = stored / bulk_s

        start = time.perf_counter()
        for index in range(args.naive):
            response = client.post(
                url, json.dumps({"items": [item(index)]}), content_type="application/json"
            )
            assert response.status_code == 201, response.content[:500]
        naive_s = time.perf_counter() - start
        naive_rate = args.naive / naive_s

        assert Interaction.objects.filter(shop=shop).count() == stored + args.naive + 1
        print(
            f"bulk:  {stored:,} interactions in {args.total // args.chunk} requests of "
            f"{args.chunk:,}: {bulk_s:.2f} s = {bulk_rate:,.0f} interactions/s"
        )
        print(
            f"naive: {args.naive:,} single-interaction POSTs: {naive_s:.2f} s = "
            f"{naive_rate:,.0f} interactions/s "
            f"(extrapolated {args.total / naive_rate:,.0f} s for {args.total:,})"
        )
        print(f"ratio: bulk is {bulk_rate / naive_rate:,.1f}x faster than one POST each")


if __name__ == "__main__":
    main()
