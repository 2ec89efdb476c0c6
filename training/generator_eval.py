"""Drafts for held-out products from the base and the tuned copy model, side by side.

The drafts go through generation's own path (its prompts, the same decoding, its checks and
selection), once with the base model (asked with each product's example exchange, as generation
asks it) and once with the version's adapter (asked without one, as generation asks a tuned model
and as it was trained), on the
generator this worker already holds (one base model; the adapter is swapped in and out). One
greedy candidate per product: what the model writes, before selection repairs it, is what a
tuned model should improve. Reported per model: the share of drafts with flags, the mean fact
coverage, the share that fell back to the plain text from the facts; and the texts.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from catalog.models import Product, Shop
from generation.checks import run_checks
from generation.examples import ExampleFinder
from generation.pipeline import CandidateBatch, example_texts
from generation.prompts import SYSTEM_MESSAGE, PromptOptions, clean_output
from generation.selection import choose
from generation.services import templates_for, voice_settings
from shopllm_site.ml import get_generator
from shopllm_site.ml.adapters import with_adapter
from training.generator_data import HELDOUT, CopyExample

log = logging.getLogger(__name__)
GREEDY = (0.0,)


def heldout_targets(examples: list[CopyExample], count: int) -> list[CopyExample]:
    """Up to `count` held-out examples, one per product, in a fixed order."""
    seen: set[int] = set()
    chosen = []
    for example in examples:
        if example.split == HELDOUT and example.product_id not in seen:
            seen.add(example.product_id)
            chosen.append(example)
        if len(chosen) >= count:
            break
    return chosen


def evaluate_drafts(
    shop: Shop, examples: list[CopyExample], adapter_path: str, count: int, generator=None
) -> dict:
    targets = heldout_targets(examples, count)
    if not targets:
        return {"skipped": "No held-out product to draft."}
    generator = generator or get_generator()
    if not hasattr(generator, "use_adapter"):
        return {"skipped": "The generator backend in use cannot load a tuned version."}
    products = Product.objects.in_bulk([target.product_id for target in targets])
    voice = voice_settings(shop)
    templates = templates_for(shop)
    options = PromptOptions()
    by_field: dict[str, list[CopyExample]] = defaultdict(list)
    for target in targets:
        if target.product_id in products:
            by_field[target.field].append(target)
    rows = []
    seconds = {"base": 0.0, "tuned": 0.0}
    for field, field_targets in by_field.items():
        field_products = [products[target.product_id] for target in field_targets]
        copy_examples = ExampleFinder(shop, field).for_products(field_products)
        # Each model is asked as generation asks it: the base model with each product's example
        # exchange, the tuned one without (generation/pipeline.copy_prompt).
        shown = {"base": copy_examples, "tuned": [None] * len(field_products)}
        outputs = {}
        for label, path in (("base", None), ("tuned", adapter_path)):
            batch = CandidateBatch.build(
                field_products,
                field,
                options,
                shown[label],
                template=templates[field],
                voice=voice,
                temperatures=GREEDY,
            )
            started = time.perf_counter()
            with with_adapter(generator, path):
                outputs[label] = generator.generate(
                    batch.prompts, batch.params, system=SYSTEM_MESSAGE
                )
            seconds[label] += time.perf_counter() - started
        for index, (target, product) in enumerate(zip(field_targets, field_products, strict=True)):
            row = {"sku": product.sku, "title": product.title, "field": field}
            row["approved"] = target.completion
            for label in ("base", "tuned"):
                example = shown[label][index]
                choice = choose(
                    [outputs[label][index]],
                    GREEDY,
                    field,
                    product,
                    length=options.length,
                    banned_phrases=voice.banned_phrases,
                    examples=example_texts(example),
                    example_labels=[example.label] if example else [],
                    voice=voice.voice,
                )
                score = choice.selection["scores"][0] if choice.selection.get("scores") else {}
                raw = outputs[label][index]
                checks = run_checks(
                    clean_output(raw, field, options.length) or raw.strip(),
                    field,
                    product,
                    voice.banned_phrases,
                    example_texts(example),
                    voice.voice,
                )
                row[label] = {
                    "raw": outputs[label][index],
                    "flags": score.get("flags", 0),
                    "checks": checks["counts"],
                    "coverage": score.get("coverage", 0.0),
                    "fallback": choice.fallback,
                    "text": choice.text,
                }
            rows.append(row)
    summary = {}
    for label in ("base", "tuned"):
        total = max(len(rows), 1)
        summary[label] = {
            "flagged_share": round(sum(1 for r in rows if r[label]["flags"]) / total, 3),
            "mean_coverage": round(sum(r[label]["coverage"] for r in rows) / total, 3),
            "fallback_share": round(sum(1 for r in rows if r[label]["fallback"]) / total, 3),
            "seconds": round(seconds[label], 2),
        }
    adapters = getattr(generator, "adapters", None)
    swaps = list(getattr(adapters, "swap_seconds", []))
    return {
        "products": len(rows),
        "base": summary["base"],
        "tuned": summary["tuned"],
        "rows": rows,
        "swap_ms": round(1000 * max(swaps[-2:]), 2) if swaps else None,
        "adapter_load_ms": (
            round(1000 * adapters.load_seconds[-1], 1)
            if adapters is not None and adapters.load_seconds
            else None
        ),
    }
