"""Copy quality of the job path with the default model, on held-out products.

Runs what a "generate_copy" job runs for each chunk of products (generation.pipeline.draft_copy:
the nearest example per product — here the built-in one of its broad category, as for a shop
without approved copy —, several candidates per product in one batch, checks, selection, repair,
fallback), then the checks a stored version gets. No database: the products are unsaved rows
from bench/products_heldout.py (none of them is used by the tests).

    SHOPLLM_GENERATOR_THREADS=2 .venv/bin/python bench/generation_quality.py

Prints per field and overall: share of final drafts with any flag, flags per draft, mean fact
coverage, candidates per draft, share served by the plain fallback, drafts with an example leak,
time per draft; beside it, the same figures for the greedy candidate alone as generated (what
the job stored before verifier-guided selection), and a few sample drafts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from bench.products_heldout import HELDOUT_PRODUCTS  # noqa: E402
from catalog.models import Product  # noqa: E402
from generation.builtin_examples import broad_category  # noqa: E402
from generation.checks import run_checks  # noqa: E402
from generation.checks.leak import facts_text  # noqa: E402
from generation.examples import builtin_example  # noqa: E402
from generation.models import CopyField  # noqa: E402
from generation.pipeline import draft_copy, example_texts  # noqa: E402
from generation.prompts import PromptOptions  # noqa: E402
from shopllm_site.ml import get_generator  # noqa: E402


def heldout_products(count: int, step: int = 1) -> list[Product]:
    """`count` products, every `step`-th one (a step spreads a short run over the categories)."""
    return [Product(**row) for row in HELDOUT_PRODUCTS[::step][:count]]


FACT_LINE_RE = re.compile(r"^\s*[\w &/-]{1,30}:\s*\S", re.MULTILINE)


class TokenCounter:
    """The generator, counting the tokens of every generate() call (a job chunk may make two:
    the candidates, then a shorter round for products nothing clean was written for)."""

    def __init__(self, generator):
        self.generator = generator
        self.tokens = 0

    def __getattr__(self, name):
        return getattr(self.generator, name)

    def generate(self, prompts, params, **kwargs):
        outputs = self.generator.generate(prompts, params, **kwargs)
        self.tokens += getattr(self.generator, "last_token_count", 0)
        return outputs


def run_field(generator, products: list[Product], field: str, options, batch_size: int) -> dict:
    rows = []
    generator = TokenCounter(generator)
    started = time.perf_counter()
    for start in range(0, len(products), batch_size):
        chunk = products[start : start + batch_size]
        examples = [builtin_example(product, field) for product in chunk]
        choices = draft_copy(generator, chunk, field, options, examples)
        for product, example, choice in zip(chunk, examples, choices, strict=True):
            checks = run_checks(choice.text, field, product, (), example_texts(example))
            rows.append((product, choice, checks))
    seconds = time.perf_counter() - started
    drafts = len(rows)
    greedy_flags = [choice.selection["scores"][0]["flags"] for _, choice, _ in rows]
    return {
        "drafts": drafts,
        "flagged": sum(1 for _, _, checks in rows if checks["flags"]) / drafts,
        "flags_per_draft": sum(len(checks["flags"]) for _, _, checks in rows) / drafts,
        "coverage": sum(choice.selection["coverage"] for _, choice, _ in rows) / drafts,
        "candidates": sum(choice.selection["candidates"] for _, choice, _ in rows) / drafts,
        "fallback": sum(choice.fallback for _, choice, _ in rows) / drafts,
        "leaks": sum(1 for _, _, checks in rows if checks["counts"].get("leak")),
        "repaired": sum(1 for _, choice, _ in rows if choice.selection.get("dropped")),
        "assembled": sum(bool(choice.selection.get("assembled")) for _, choice, _ in rows) / drafts,
        "completed": sum(bool(choice.selection.get("completed")) for _, choice, _ in rows) / drafts,
        "greedy_flagged": sum(1 for n in greedy_flags if n) / drafts,
        "greedy_flags_per_draft": sum(greedy_flags) / drafts,
        "seconds_per_draft": seconds / drafts,
        "tokens_per_s": generator.tokens / seconds if seconds else 0.0,
        "second_round": sum(bool(c.selection.get("second_round")) for _, c, _ in rows) / drafts,
        "counts": _counts(rows),
        "rows": rows,
    }


def _counts(rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, checks in rows:
        for name, n in checks["counts"].items():
            counts[name] = counts.get(name, 0) + n
    return counts


def _mark(choice) -> str:
    if choice.fallback:
        return "FALLBACK"
    if choice.selection.get("assembled"):
        sources = "+".join(str(index + 1) for index in choice.selection["sources"])
        return f"assembled from {sources}, {choice.selection['completed']} fact sentence(s)"
    added = choice.selection.get("completed")
    plus = f" + {added} fact sentence(s)" if added else ""
    return f"candidate {choice.selection['chosen'] + 1}{plus}"


def write_dump(path: Path, results: dict) -> None:
    """Every final draft under its product's facts, for reading by hand."""
    lines = []
    for field, r in results.items():
        for product, choice, checks in r["rows"]:
            lines += [f"### {field}: {product.title} [{_mark(choice)}]", facts_text(product)]
            lines += ["", choice.text]
            lines += [f"FLAG {flag['check']}: {flag['text']}" for flag in checks["flags"]]
            lines.append("")
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=len(HELDOUT_PRODUCTS))
    parser.add_argument("--fields", default="description,bullet_points")
    parser.add_argument("--batch-size", type=int, default=8, help="products per generate() call")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--step", type=int, default=1, help="every n-th held-out product")
    parser.add_argument(
        "--dump", type=Path, help="write every final draft beside its product's facts here"
    )
    args = parser.parse_args()
    products = heldout_products(args.products, args.step)
    fields = [CopyField(name) for name in args.fields.split(",")]
    options = PromptOptions()
    generator = get_generator()
    categories = sorted({broad_category(product) for product in products})
    print(
        f"generator {generator.name}; {len(products)} held-out products in "
        f"{len(categories)} broad categories ({', '.join(categories)})"
    )
    results = {
        field: run_field(generator, products, field, options, args.batch_size) for field in fields
    }
    print()
    print(
        f"{'field':16}{'flagged':>9}{'flags/dr':>10}{'coverage':>10}{'cands':>7}{'fallback':>10}"
        f"{'leaks':>7}{'repaired':>10}{'s/draft':>9}{'tok/s':>8}"
        f"{'greedy flagged':>16}{'greedy flags/dr':>17}"
    )
    for field, r in results.items():
        print(
            f"{field:16}{r['flagged']:>9.0%}{r['flags_per_draft']:>10.2f}{r['coverage']:>10.0%}"
            f"{r['candidates']:>7.1f}{r['fallback']:>10.0%}{r['leaks']:>7}{r['repaired']:>10}"
            f"{r['seconds_per_draft']:>9.2f}{r['tokens_per_s']:>8.1f}"
            f"{r['greedy_flagged']:>16.0%}{r['greedy_flags_per_draft']:>17.2f}"
        )
    drafts = sum(r["drafts"] for r in results.values())

    def overall(key: str) -> float:
        return sum(r[key] * r["drafts"] for r in results.values()) / drafts

    print(
        f"\nall {drafts} drafts: flagged {overall('flagged'):.0%} (target <= 15%), "
        f"{overall('flags_per_draft'):.2f} flags/draft, fact coverage {overall('coverage'):.0%}, "
        f"{overall('candidates'):.1f} candidates/draft, fallback {overall('fallback'):.0%} "
        f"(target <= 20%), assembled from clean sentences of several candidates "
        f"{overall('assembled'):.0%}, topped up with plain fact sentences "
        f"{overall('completed'):.0%}, second round asked for {overall('second_round'):.0%}, "
        f"example leaks {sum(r['leaks'] for r in results.values())} "
        f"(target 0), {overall('seconds_per_draft'):.2f} s/draft"
    )
    print(
        f"greedy candidate alone, as generated: flagged {overall('greedy_flagged'):.0%}, "
        f"{overall('greedy_flags_per_draft'):.2f} flags/draft"
    )
    if args.dump:
        write_dump(args.dump, results)
        print(f"\nevery draft beside its facts: {args.dump}")
    for field, r in results.items():
        print(f"\n=== {field}: flags by check {r['counts']}")
        for product, choice, checks in r["rows"][: args.samples]:
            print(f"--- {product.title} [{_mark(choice)}, {len(checks['flags'])} flag(s)]")
            print("  > " + choice.text.replace("\n", "\n    "))
        flagged = [row for row in r["rows"] if row[2]["flags"]]
        for product, _choice, checks in flagged[: args.samples]:
            print(
                f"--- flagged: {product.title}: "
                + "; ".join(f"{flag['check']} “{flag['text']}”" for flag in checks["flags"][:4])
            )


if __name__ == "__main__":
    main()
