"""Bulk copy generation: the job path (batched) against a naive one-product-at-a-time loop.

Same model, prompts and decoding settings in both arms; prints tokens/s of each and the ratio,
for each dtype asked for. Also: model load time cold (GGUF, dequantize + write the cache) vs
cached (safetensors), and first-draft latency for one product (prompt, generate, clean, checks).

    .venv/bin/python bench/generation_throughput.py --products 16 --batch-size 8
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from catalog.models import Product  # noqa: E402
from generation.checks import run_checks  # noqa: E402
from generation.prompts import (  # noqa: E402
    SYSTEM_MESSAGE,
    PromptOptions,
    build_prompt,
    clean_output,
)
from shopllm_site.ml import GenerationParams  # noqa: E402
from shopllm_site.ml.cache import cache_gguf_as_safetensors  # noqa: E402
from shopllm_site.ml.local_generator import (  # noqa: E402
    DEFAULT_GGUF,
    LocalGenerator,
    default_model_folder,
)

COLOURS = ["blue", "black", "green", "red", "white", "grey", "orange", "navy"]
KINDS = [
    ("Trail Bottle", "Kitchen > Drinkware > Bottles", {"capacity": "750 ml"}),
    ("Camp Mug", "Kitchen > Drinkware > Mugs", {"capacity": "350 ml"}),
    ("Day Pack", "Outdoor > Bags", {"volume": "22 l", "weight": "610 g"}),
    ("Rain Jacket", "Clothing > Jackets", {"weight": "280 g", "size": "M"}),
    ("Trekking Pole", "Outdoor > Poles", {"length": "135 cm", "weight": "240 g"}),
    ("Head Torch", "Outdoor > Lights", {"brightness": "350 lumen", "battery": "1200 mAh"}),
]
MATERIALS = ["stainless steel", "aluminium", "nylon", "polyester", "titanium", "cotton"]


def fake_products(count: int) -> list[Product]:
    products = []
    for index in range(count):
        title, category, attributes = KINDS[index % len(KINDS)]
        products.append(
            Product(
                sku=f"BENCH-{index}",
                title=f"{title} {index}",
                brand="Acme",
                category=category,
                attributes={
                    **attributes,
                    "material": MATERIALS[index % len(MATERIALS)],
                    "colour": COLOURS[index % len(COLOURS)],
                },
                tags=["outdoor"],
            )
        )
    return products


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def throughput(generator: LocalGenerator, prompts: list[str], params: GenerationParams) -> dict:
    # Naive: one generate() call per product.
    naive_tokens = 0
    started = time.perf_counter()
    for prompt in prompts:
        generator.generate([prompt], params, system=SYSTEM_MESSAGE)
        naive_tokens += generator.last_token_count
    naive_s = time.perf_counter() - started
    # Job path: one generate() call for the lot, batched by SHOPLLM_GENERATOR_BATCH_SIZE.
    started = time.perf_counter()
    generator.generate(prompts, params, system=SYSTEM_MESSAGE)
    batched_tokens = generator.last_token_count
    batched_s = time.perf_counter() - started
    return {
        "naive_tok_s": naive_tokens / naive_s,
        "batched_tok_s": batched_tokens / batched_s,
        "naive_s": naive_s,
        "batched_s": batched_s,
        "naive_tokens": naive_tokens,
        "batched_tokens": batched_tokens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=settings.SHOPLLM_GENERATOR_BATCH_SIZE)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--field", default="meta_description")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--skip-cold", action="store_true", help="skip the GGUF cold load")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0 = one per core)"
    )
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}")
    print(
        f"{args.products} products, field {args.field}, {args.max_new_tokens} new tokens max, "
        f"greedy, batch size {args.batch_size}"
    )

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            _, cold_s = timed(
                lambda: cache_gguf_as_safetensors(
                    default_model_folder(), DEFAULT_GGUF, Path(tmp) / "model"
                )
            )
        print(f"load cold (GGUF dequantize + write safetensors cache): {cold_s:.1f} s")

    products = fake_products(args.products)
    options = PromptOptions(length="short")
    prompts = [build_prompt(product, args.field, options) for product in products]
    params = GenerationParams(max_new_tokens=args.max_new_tokens)

    for dtype in args.dtypes:
        generator, load_s = timed(
            lambda dtype=dtype: LocalGenerator.load(
                "default",
                cache_dir=settings.SHOPLLM_MODEL_CACHE_DIR,
                device="cpu",
                dtype=dtype,
                batch_size=args.batch_size,
                threads=args.threads,
            )
        )
        print(f"\n[{dtype}] load cached (safetensors): {load_s:.2f} s")
        generator.generate(prompts[:1], GenerationParams(max_new_tokens=4))  # warm-up

        def first_draft(generator=generator):
            raw = generator.generate([prompts[0]], params, system=SYSTEM_MESSAGE)[0]
            text = clean_output(raw, args.field, "short")
            return run_checks(text, args.field, products[0]), text

        (checks, text), latency = timed(first_draft)
        print(
            f"[{dtype}] first draft for one product: {latency:.2f} s "
            f"({len(text)} chars, {len(checks['flags'])} flag(s))"
        )
        result = throughput(generator, prompts, params)
        print(
            f"[{dtype}] naive loop : {result['naive_tok_s']:6.1f} tok/s "
            f"({result['naive_tokens']} tokens in {result['naive_s']:.1f} s)"
        )
        print(
            f"[{dtype}] job path   : {result['batched_tok_s']:6.1f} tok/s "
            f"({result['batched_tokens']} tokens in {result['batched_s']:.1f} s)"
        )
        print(f"[{dtype}] ratio      : {result['batched_tok_s'] / result['naive_tok_s']:.1f}x")


if __name__ == "__main__":
    main()
