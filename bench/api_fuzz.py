"""The API fuzzed from its own OpenAPI schema, longer than the CI test: counts per operation.

Same checks as tests/test_api_fuzz.py (no 5xx; status, content type and body as documented),
with schema-valid ("positive") and schema-violating ("negative") requests, on a throwaway
SQLite database (a temp dir), through the WSGI application in this process (no network).
Prints, per operation, the cases sent and the failures by kind, then the totals.

    .venv/bin/python bench/api_fuzz.py [--examples 100] [--seed 1] [--modes positive,negative]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="per operation and mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default="positive,negative")
    parser.add_argument("--only", default="", help="operations whose label contains this")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="shopllm-fuzz-")
    os.environ["SHOPLLM_VAR_DIR"] = workdir  # the database goes here, not in var/
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")
    os.environ.setdefault("SHOPLLM_API_RATE_TOKEN", "1000000/min")  # measure checks, not limits
    import django

    django.setup()
    logging.disable(logging.ERROR)  # every 4xx and 5xx would log a line; the counts say it
    from django.db import connection
    from django.test.utils import setup_test_environment
    from schemathesis import GenerationMode

    from shopllm_site.ml import set_encoder, set_generator
    from tests.api_fuzz import SilentGenerator, load_schema, seed_shop
    from tests.recommendations.conftest import FakeEncoder

    setup_test_environment(debug=False)  # as in production: DEBUG pages are not the API's
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    set_encoder(FakeEncoder())
    set_generator(SilentGenerator())
    key = seed_shop()
    headers = {"Authorization": f"Bearer {key}"}
    schema = load_schema()
    modes = [GenerationMode(mode) for mode in args.modes.split(",")]

    totals: Counter = Counter()
    started = time.perf_counter()
    print(f"{'operation':<62} {'mode':<9} {'cases':>6} {'5xx':>5} {'other':>6}")
    for result in schema.get_all_operations():
        operation = result.ok()
        if args.only and args.only not in operation.label:
            continue
        for mode in modes:
            counts = fuzz_operation(operation, mode, args.examples, args.seed, headers)
            server_errors = counts["Server error"]
            other = sum(counts.values()) - counts["cases"] - server_errors
            print(
                f"{operation.label:<62} {mode.value:<9} {counts['cases']:>6} "
                f"{server_errors:>5} {other:>6}"
            )
            for title, number in sorted(counts.items()):
                if title not in ("cases", "Server error"):
                    print(f"    {number:>5} x {title}")
            totals.update(counts)
    elapsed = time.perf_counter() - started
    failures = sum(totals.values()) - totals["cases"]
    print(
        f"\nTotal: {totals['cases']:,} cases in {elapsed:.0f} s; "
        f"{totals['Server error']:,} server errors; "
        f"{failures - totals['Server error']:,} conformance failures."
    )
    for title, number in sorted(totals.items()):
        if title != "cases":
            print(f"  {number:>6} x {title}")


def fuzz_operation(operation, mode, examples: int, seed_value: int, headers: dict) -> Counter:
    """Send `examples` generated cases to one operation; count cases and failures by title."""
    from hypothesis import HealthCheck, given, seed, settings
    from schemathesis.core.failures import Failure

    from tests.api_fuzz import CHECKS

    counts: Counter = Counter()

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        counts["cases"] += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Failure as failure:
            counts[failure.title] += 1
        except BaseExceptionGroup as group:  # schemathesis' FailureGroup
            for failure in group.exceptions:
                counts[getattr(failure, "title", type(failure).__name__)] += 1

    run()
    return counts


if __name__ == "__main__":
    main()
