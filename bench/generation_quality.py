"""Copy quality of the default model: how many drafts the checks flag, old prompts vs new.

Loads the real generator once, builds prompts through generation.prompts for ~8 products from
docs/samples/products.csv (parsed with the importer's own row parser, kept in memory: no DB),
generates all four fields, cleans the output and runs the real checks. Prints per field and arm:
share of drafts with any flag, mean flags per draft, flags by check, and two sample outputs.

    SHOPLLM_GENERATOR_THREADS=1 .venv/bin/python bench/generation_quality.py --products 8

Arms: "old" = the same prompts with plain greedy decoding, no example exchange and the clean-up
as it was (clean_output(remove_echo=False)); "new" = the defaults (decoding_params: one-shot
example exchange + repetition curbs; echo clean-up). "copy-like" is a rough share of drafts that
read as copy rather than a data dump (no "key: value" lines; prose fields have a sentence).
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

from catalog.csv_io.columns import PRODUCTS, parse_product  # noqa: E402
from catalog.csv_io.imports import read_rows  # noqa: E402
from catalog.models import Product  # noqa: E402
from generation.checks import run_checks  # noqa: E402
from generation.models import CopyField  # noqa: E402
from generation.prompts import (  # noqa: E402
    SYSTEM_MESSAGE,
    PromptOptions,
    build_prompt,
    clean_output,
    decoding_params,
    max_new_tokens,
)
from shopllm_site.ml import get_generator  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "samples" / "products.csv"
FIELDS = [
    CopyField.SEO_TITLE,
    CopyField.META_DESCRIPTION,
    CopyField.BULLET_POINTS,
    CopyField.DESCRIPTION,
]


def sample_products(count: int) -> list[Product]:
    """Every few rows of the sample CSV, so that several categories are covered."""
    rows = [row for _, row in read_rows(SAMPLES.read_text(), PRODUCTS) if isinstance(row, dict)]
    step = max(1, len(rows) // count)
    products = []
    for row in rows[::step][:count]:
        fields = parse_product(row)
        products.append(
            Product(
                sku=fields["sku"],
                title=fields.get("title", ""),
                brand=fields.get("brand", ""),
                category=fields.get("category", ""),
                attributes=fields.get("attributes", {}),
                tags=fields.get("tags", []),
            )
        )
    return products


FACT_LINE_RE = re.compile(r"^\s*[\w &/-]{1,30}:\s*\S", re.MULTILINE)


def reads_as_copy(text: str, field: str) -> bool:
    """A rough "is this copy, not a data dump" test: no "key: value" lines, and for the prose
    fields at least one finished sentence of six or more words."""
    if not text.strip() or FACT_LINE_RE.search(text):
        return False
    if field in (CopyField.DESCRIPTION, CopyField.META_DESCRIPTION):
        return any(len(s.split()) >= 6 for s in re.findall(r"[^.!?\n]+[.!?]", text))
    return True


def run_arm(generator, products: list[Product], arm: str, options: PromptOptions) -> dict:
    from shopllm_site.ml import GenerationParams

    results = {}
    for field in FIELDS:
        prompts = [build_prompt(p, field, options) for p in products]
        if arm == "old":
            params = GenerationParams(max_new_tokens=max_new_tokens(field, options.length))
        else:
            params = decoding_params(field, options)
        started = time.perf_counter()
        raws = generator.generate(prompts, params, system=SYSTEM_MESSAGE)
        seconds = time.perf_counter() - started
        texts = []
        flags = []
        counts: dict[str, int] = {}
        copy_like = 0
        for product, raw in zip(products, raws, strict=True):
            if arm == "old":
                text = clean_output(raw, field, options.length, remove_echo=False) or raw.strip()
            else:
                text = clean_output(raw, field, options.length) or raw.strip()
            checks = run_checks(text, field, product)
            copy_like += reads_as_copy(text, field)
            texts.append(text)
            flags.append(len(checks["flags"]))
            for name, n in checks["counts"].items():
                counts[name] = counts.get(name, 0) + n
        results[field] = {
            "flagged_share": sum(1 for n in flags if n) / len(flags),
            "mean_flags": sum(flags) / len(flags),
            "copy_like": copy_like / len(flags),
            "counts": counts,
            "samples": texts[:2],
            "seconds": seconds,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=8)
    parser.add_argument("--arms", default="old,new")
    args = parser.parse_args()
    products = sample_products(args.products)
    options = PromptOptions()
    generator = get_generator()
    print(f"generator {generator.name}; {len(products)} products: ", end="")
    print(", ".join(p.title for p in products))
    arms = args.arms.split(",")
    results = {arm: run_arm(generator, products, arm, options) for arm in arms}
    print()
    header = f"{'field':18}" + "".join(
        f"{arm + ' flagged':>14}{arm + ' flags/draft':>17}{arm + ' copy-like':>15}" for arm in arms
    )
    print(header)
    for field in FIELDS:
        row = f"{field:18}"
        for arm in arms:
            r = results[arm][field]
            row += f"{r['flagged_share']:>14.0%}{r['mean_flags']:>17.2f}{r['copy_like']:>15.0%}"
        print(row)
    for arm in arms:
        total_share = sum(results[arm][f]["flagged_share"] for f in FIELDS) / len(FIELDS)
        total_mean = sum(results[arm][f]["mean_flags"] for f in FIELDS) / len(FIELDS)
        seconds = sum(results[arm][f]["seconds"] for f in FIELDS)
        print(
            f"{arm}: all fields flagged {total_share:.0%}, {total_mean:.2f} flags/draft, "
            f"{seconds:.0f} s"
        )
    for field in FIELDS:
        print(f"\n=== {field}")
        for arm in arms:
            r = results[arm][field]
            print(f"--- {arm}: flags by check {r['counts']}")
            for sample in r["samples"]:
                print("  > " + sample.replace("\n", "\n    "))


if __name__ == "__main__":
    main()
