"""Bulk copy generation: the job path against one product at a time, identical settings.

The job path is what a "generate_copy" job does per chunk of products
(generation.pipeline.CandidateBatch: each product's prompt once per candidate temperature, each
with its own example exchange, the copy's logits processors, one generate() call per chunk of
SHOPLLM_GENERATOR_BATCH_SIZE products). The baselines send the very same (prompt, example,
temperature, decoding) rows one generate() call at a time ("one row at a time"), and one product
(its candidates together) per call ("one product at a time"). Prints tokens/s of each and the
ratios, for each dtype asked for; also model load time cold (GGUF) vs cached (safetensors), and
the job path's time per draft including checks and selection.

    .venv/bin/python bench/generation_throughput.py --products 8 --skip-cold
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.products_heldout import HELDOUT_PRODUCTS  # noqa: E402
from catalog.models import Product  # noqa: E402
from generation.examples import builtin_example  # noqa: E402
from generation.pipeline import CandidateBatch, draft_copy  # noqa: E402
from generation.prompts import SYSTEM_MESSAGE, PromptOptions  # noqa: E402
from generation.selection import CANDIDATE_TEMPERATURES  # noqa: E402
from shopllm_site.ml import GenerationParams  # noqa: E402
from shopllm_site.ml.cache import cache_gguf_as_safetensors  # noqa: E402
from shopllm_site.ml.local_generator import (  # noqa: E402
    DEFAULT_GGUF,
    LocalGenerator,
    default_model_folder,
)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def row_params(params: GenerationParams, index: int) -> GenerationParams:
    """The settings of row `index` of a batch, for a call that sends that row alone."""
    return replace(
        params,
        prompt_examples=(params.prompt_examples[index],),
        prompt_temperatures=(params.prompt_temperatures[index],),
    )


def generate_counted(generator: LocalGenerator, prompts, params) -> int:
    generator.generate(prompts, params, system=SYSTEM_MESSAGE)
    return generator.last_token_count


def throughput(generator: LocalGenerator, chunks: list[CandidateBatch], per_product: int) -> dict:
    arms: dict[str, tuple[int, float]] = {}
    # One row (product x candidate) per generate() call: the naive loop.
    started, tokens = time.perf_counter(), 0
    for batch in chunks:
        for index, prompt in enumerate(batch.prompts):
            tokens += generate_counted(generator, [prompt], row_params(batch.params, index))
    arms["one row at a time"] = (tokens, time.perf_counter() - started)
    # One product (its candidates together) per call.
    started, tokens = time.perf_counter(), 0
    for batch in chunks:
        for first in range(0, len(batch.prompts), per_product):
            rows = range(first, first + per_product)
            params = replace(
                batch.params,
                prompt_examples=tuple(batch.params.prompt_examples[i] for i in rows),
                prompt_temperatures=tuple(batch.params.prompt_temperatures[i] for i in rows),
            )
            tokens += generate_counted(generator, [batch.prompts[i] for i in rows], params)
    arms["one product at a time"] = (tokens, time.perf_counter() - started)
    # The job path: one call per chunk of products.
    started, tokens = time.perf_counter(), 0
    for batch in chunks:
        tokens += generate_counted(generator, batch.prompts, batch.params)
    arms["job path"] = (tokens, time.perf_counter() - started)
    return arms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=8)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=settings.SHOPLLM_GENERATOR_BATCH_SIZE,
        help="products per job chunk (one generate() call), as the job does",
    )
    parser.add_argument(
        "--generator-batch",
        type=int,
        default=settings.SHOPLLM_GENERATOR_BATCH_SIZE,
        help="rows per forward pass inside generate()",
    )
    parser.add_argument("--field", default="meta_description")
    parser.add_argument("--length", default="medium")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtypes", nargs="+", default=["float32"])
    parser.add_argument("--skip-cold", action="store_true", help="skip the GGUF cold load")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0 = one per core)"
    )
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    products = [Product(**row) for row in HELDOUT_PRODUCTS[: args.products]]
    options = PromptOptions(length=args.length)
    candidates = len(CANDIDATE_TEMPERATURES)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}")
    print(
        f"{len(products)} held-out products x {candidates} candidates, field {args.field} "
        f"(length {args.length}), {args.batch_size} products per job chunk"
    )

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            _, cold_s = timed(
                lambda: cache_gguf_as_safetensors(
                    default_model_folder(), DEFAULT_GGUF, Path(tmp) / "model"
                )
            )
        print(f"load cold (GGUF dequantize + write safetensors cache): {cold_s:.1f} s")

    chunk_products = [
        products[start : start + args.batch_size]
        for start in range(0, len(products), args.batch_size)
    ]
    chunk_examples = [[builtin_example(p, args.field) for p in chunk] for chunk in chunk_products]
    chunks = [
        CandidateBatch.build(chunk, args.field, options, examples)
        for chunk, examples in zip(chunk_products, chunk_examples, strict=True)
    ]
    params = chunks[0].params
    print(
        f"decoding: max_new_tokens {params.max_new_tokens}, temperatures "
        f"{CANDIDATE_TEMPERATURES}, repetition_penalty {params.repetition_penalty}, "
        f"no_repeat_ngram_size {params.no_repeat_ngram_size}, one example exchange per row"
    )

    for dtype in args.dtypes:
        generator, load_s = timed(
            lambda dtype=dtype: LocalGenerator.load(
                "default",
                cache_dir=settings.SHOPLLM_MODEL_CACHE_DIR,
                device=args.device,
                dtype=dtype,
                batch_size=args.generator_batch,
                threads=args.threads,
            )
        )
        print(f"\n[{dtype}] load cached (safetensors): {load_s:.2f} s")
        generator.generate(["warm up"], GenerationParams(max_new_tokens=4))
        arms = throughput(generator, chunks, candidates)
        job_rate = arms["job path"][0] / arms["job path"][1]
        for name, (tokens, seconds) in arms.items():
            rate = tokens / seconds
            print(
                f"[{dtype}] {name:22}: {rate:6.1f} tok/s ({tokens} tokens in {seconds:.1f} s)"
                + ("" if name == "job path" else f"; job path is {job_rate / rate:.1f}x")
            )
        started = time.perf_counter()
        for chunk, examples in zip(chunk_products, chunk_examples, strict=True):
            draft_copy(generator, chunk, args.field, options, examples)
        per_draft = (time.perf_counter() - started) / len(products)
        print(
            f"[{dtype}] job path time per draft ({candidates} candidates, checks, selection): "
            f"{per_draft:.2f} s"
        )


if __name__ == "__main__":
    main()
