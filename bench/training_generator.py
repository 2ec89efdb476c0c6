"""Copy-model tuning on a realistic synthetic shop: throughput, held-out loss, drafts, swaps.

Runs against a throwaway test database (never the real one). Seeds one shop with `--drafts`
products across ten categories, each with facts real feeds carry and one approved text written
in the shop's own voice (a consistent house style: brand first, a benefit sentence, facts with
units, a closing line), approved through generation's services as a person would. Then:

1. builds the training set (training/generator_data: the prompt generation makes, the approved
   text, held-out products by hash) and trains a LoRA adapter with training/generator_train,
   exactly what the "train_copy_model" job runs;
2. prints training examples/s and tokens/s, total time (and the time a full run takes at the
   measured speed when --max-steps cut it short), held-out loss and perplexity before/after;
3. drafts `--eval-products` held-out products with the base model and with the adapter through
   generation's path (training/generator_eval): flagged share, fact coverage, fallbacks;
4. times adapter swaps on the generator (base <-> adapter), and the adapter's first load.

    .venv/bin/python bench/training_generator.py [--drafts 300] [--epochs 2] [--max-steps 0]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from catalog.models import Membership, Product, Role, Shop  # noqa: E402
from generation.models import CopyField, Draft, DraftStatus, VersionSource  # noqa: E402
from generation.services import add_version, approve_draft  # noqa: E402
from shopllm_site.ml import get_generator  # noqa: E402
from training.generator_data import HELDOUT, TRAIN, build_examples, summarize  # noqa: E402
from training.generator_eval import evaluate_drafts  # noqa: E402
from training.generator_train import CopyModelTrainer, TrainSettings  # noqa: E402

# category path -> (product nouns, brands, attribute makers)
COLOURS = ["black", "white", "navy", "olive", "grey", "red", "sand", "forest green"]
CATALOG = {
    "Kitchen > Cookware > Pans": (
        ["Frying Pan", "Saute Pan", "Wok", "Grill Pan"],
        ["Ferrova", "Cookhaven", "Panterra"],
        lambda r: {
            "diameter": f"{r.choice([20, 24, 26, 28, 30])} cm",
            "material": r.choice(["cast iron", "carbon steel", "stainless steel"]),
            "weight": f"{r.choice([1.2, 1.6, 2.1, 2.4])} kg",
        },
    ),
    "Kitchen > Drinkware > Bottles": (
        ["Water Bottle", "Insulated Flask", "Travel Mug"],
        ["Hydra", "Keepwell", "Aquilo"],
        lambda r: {
            "capacity": f"{r.choice([350, 500, 750, 1000])} ml",
            "material": r.choice(["stainless steel", "BPA-free Tritan", "glass"]),
            "colour": r.choice(COLOURS),
        },
    ),
    "Outdoor > Camping > Tents": (
        ["Dome Tent", "Tunnel Tent", "Trekking Tent"],
        ["Northpeak", "Trailborn", "Cairn"],
        lambda r: {
            "sleeps": str(r.choice([1, 2, 3, 4])),
            "weight": f"{r.choice([1.4, 1.9, 2.6, 3.8])} kg",
            "waterproof rating": f"{r.choice([2000, 3000, 5000])} mm",
        },
    ),
    "Outdoor > Hiking > Backpacks": (
        ["Daypack", "Trekking Backpack", "Hydration Pack"],
        ["Trailborn", "Summitco", "Cairn"],
        lambda r: {
            "volume": f"{r.choice([12, 20, 28, 40, 55])} l",
            "material": r.choice(["recycled nylon", "ripstop polyester"]),
            "colour": r.choice(COLOURS),
        },
    ),
    "Clothing > Jackets": (
        ["Rain Jacket", "Down Jacket", "Fleece Jacket", "Softshell Jacket"],
        ["Northpeak", "Ardent", "Vela"],
        lambda r: {
            "material": r.choice(["recycled polyester", "merino wool", "nylon"]),
            "sizes": r.choice(["S-XL", "XS-XXL", "M-XXL"]),
            "colour": r.choice(COLOURS),
        },
    ),
    "Clothing > Shoes > Sneakers": (
        ["Running Shoe", "Trail Runner", "Court Sneaker"],
        ["Stride", "Vela", "Ardent"],
        lambda r: {
            "upper": r.choice(["engineered mesh", "leather", "knit"]),
            "drop": f"{r.choice([4, 6, 8, 10])} mm",
            "weight": f"{r.choice([240, 260, 290, 310])} g",
        },
    ),
    "Electronics > Audio > Headphones": (
        ["Wireless Headphones", "Earbuds", "Studio Headphones"],
        ["Sonara", "Pulsewave", "Auralis"],
        lambda r: {
            "battery life": f"{r.choice([20, 30, 40, 60])} hours",
            "connection": r.choice(["Bluetooth 5.3", "Bluetooth 5.2", "USB-C"]),
            "weight": f"{r.choice([45, 180, 250, 290])} g",
        },
    ),
    "Home > Lighting > Lamps": (
        ["Desk Lamp", "Floor Lamp", "Bedside Lamp"],
        ["Lumen & Co", "Brightform", "Halden"],
        lambda r: {
            "power": f"{r.choice([6, 8, 10, 12])} W",
            "height": f"{r.choice([38, 45, 140, 160])} cm",
            "finish": r.choice(["brushed brass", "matt black", "white"]),
        },
    ),
    "Beauty > Skincare": (
        ["Face Cream", "Hydrating Serum", "Cleansing Gel"],
        ["Velour", "Purely", "Maren"],
        lambda r: {
            "volume": f"{r.choice([30, 50, 100, 150])} ml",
            "skin type": r.choice(["dry", "combination", "all skin types"]),
            "key ingredient": r.choice(["hyaluronic acid", "niacinamide", "aloe vera"]),
        },
    ),
    "Garden > Tools": (
        ["Pruning Shears", "Garden Trowel", "Hedge Trimmer"],
        ["Greenleaf", "Verdant", "Hortus"],
        lambda r: {
            "blade": r.choice(["carbon steel", "stainless steel"]),
            "length": f"{r.choice([20, 28, 55, 60])} cm",
            "warranty": f"{r.choice([2, 5, 10])} years",
        },
    ),
}
OPENERS = ["Meet the", "Say hello to the", "Here is the"]
CLOSERS = [
    "Made to be used every day.",
    "Simple, sturdy and ready when you are.",
    "A small upgrade you will notice every day.",
]


def house_copy(rng: random.Random, brand: str, title: str, attrs: dict, field: str) -> str:
    """Approved copy in one shop's recognisable voice, stating only the product's facts."""
    items = list(attrs.items())
    if field == CopyField.SEO_TITLE:
        key, value = items[0]
        return f"{brand} {title} – {value}"[:60]
    if field == CopyField.META_DESCRIPTION:
        facts = ", ".join(f"{key} {value}" for key, value in items[:2])
        return f"Shop the {brand} {title}: {facts}. Free returns at our shop."[:155]
    if field == CopyField.BULLET_POINTS:
        return "\n".join(f"{key.capitalize()}: {value}" for key, value in items) + (
            f"\nFrom {brand}, built for daily use"
        )
    facts = " ".join(f"Its {key} is {value}." for key, value in items)
    return f"{rng.choice(OPENERS)} {brand} {title}. {facts} {rng.choice(CLOSERS)}"


FIELDS = [CopyField.DESCRIPTION, CopyField.BULLET_POINTS, CopyField.META_DESCRIPTION]


def seed_shop(count: int) -> tuple[Shop, object]:
    rng = random.Random(11)
    shop = Shop.objects.create(name="Bench Outfitters", slug="bench-outfitters")
    owner = get_user_model().objects.create_user("bench-owner", password="x")
    Membership.objects.create(shop=shop, user=owner, role=Role.OWNER)
    categories = list(CATALOG)
    for index in range(count):
        category = categories[index % len(categories)]
        nouns, brands, make = CATALOG[category]
        brand = rng.choice(brands)
        title = f"{rng.choice(nouns)} {index}"
        attributes = make(rng)
        product = Product.objects.create(
            shop=shop,
            sku=f"B-{index:04d}",
            title=title,
            brand=brand,
            category=category,
            attributes=attributes,
            tags=[],
        )
        field = FIELDS[index % len(FIELDS)]
        text = house_copy(rng, brand, title, attributes, field)
        add_version(product, field, text, source=VersionSource.EDIT, user=owner)
        draft = Draft.objects.get(product=product, field=field, status=DraftStatus.DRAFT)
        approve_draft(draft, user=owner)
    return shop, owner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=384)
    parser.add_argument("--max-steps", type=int, default=0, help="cap the run (0 = epochs)")
    parser.add_argument("--max-heldout", type=int, default=0, help="held-out examples scored")
    parser.add_argument("--eval-products", type=int, default=8)
    parser.add_argument("--lora-layers", type=int, default=8)
    parser.add_argument("--swaps", type=int, default=20)
    args = parser.parse_args()

    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    setup_test_environment()
    temp_dir = tempfile.TemporaryDirectory(prefix="shopllm-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(temp_dir.name) / "bench.sqlite3"
        )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    started = time.perf_counter()
    shop, _owner = seed_shop(args.drafts)
    print(f"seeded {args.drafts} approved drafts in {time.perf_counter() - started:.1f} s")
    examples = build_examples(shop)
    summary = summarize(examples)
    print(
        f"training set: {summary.train} train, {summary.heldout} held-out "
        f"({sum(1 for e in examples if e.split == HELDOUT)} held-out examples), "
        f"fingerprint {summary.fingerprint}",
        flush=True,
    )
    train_settings = TrainSettings(
        epochs=args.epochs,
        batch_size=args.batch_size,
        max_length=args.max_length,
        max_steps=args.max_steps,
        max_heldout=args.max_heldout,
        lora_layers=args.lora_layers,
        checkpoint_every=10_000,
    )
    folder = Path(temp_dir.name) / "adapter"

    def report(progress, curve) -> None:
        print(
            f"  step {progress.step}/{progress.total_steps} loss {progress.loss:.3f} "
            f"{progress.examples_per_s:.2f} ex/s {progress.tokens_per_s:.0f} tok/s "
            f"eta {progress.eta_s:.0f} s",
            flush=True,
        )

    started = time.perf_counter()
    result = CopyModelTrainer(examples, folder, train_settings).run(report)
    total = time.perf_counter() - started
    train_count = sum(1 for e in examples if e.split == TRAIN)
    full_steps = -(-train_count // args.batch_size) * args.epochs
    per_step = result["train_seconds"] / max(result["steps"], 1)
    before, after = result["heldout_before"], result["heldout_after"]
    drop = 100 * (before["loss"] - after["loss"]) / before["loss"]
    print(f"\ndevice {result['device']}, torch threads as configured")
    print("load average after training: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"frozen lower blocks: {result['frozen_blocks']} of the model's blocks cached for "
        f"{result['cached_batches']} batches, {result['cache_hits']} steps ran the top blocks only"
    )
    print(
        f"training: {result['steps']} steps of {args.batch_size} "
        f"({result['train_seconds']:.0f} s training, {total:.0f} s with load and held-out "
        f"scoring): {result['examples_per_s']:.2f} examples/s, {result['tokens_per_s']:.0f} "
        "tokens/s"
    )
    per_epoch = -(-train_count // args.batch_size)
    curve = result["curve"]
    if len(curve) > per_epoch:
        first = curve[per_epoch - 1]["at"] / per_epoch
        later = (curve[-1]["at"] - curve[per_epoch - 1]["at"]) / (len(curve) - per_epoch)
        print(
            f"  seconds per step: first epoch {first:.1f} (every block), later epochs "
            f"{later:.1f} (top blocks from the cache): {first / later:.2f}x"
        )
    if result["steps"] < full_steps:
        print(
            f"  a full run ({full_steps} steps, {args.epochs} epoch(s) of {train_count}) at this "
            f"speed: {full_steps * per_step / 60:.1f} min"
        )
    print(
        f"held-out loss {before['loss']:.3f} -> {after['loss']:.3f} ({drop:.1f}% lower); "
        f"perplexity {before['perplexity']:.1f} -> {after['perplexity']:.1f}",
        flush=True,
    )

    generator = get_generator()
    drafts = evaluate_drafts(shop, examples, str(folder), args.eval_products, generator)
    if "skipped" in drafts:
        print("drafts:", drafts["skipped"])
    else:
        print(f"\ndrafts for {drafts['products']} held-out products (one greedy candidate each)")
        print(f"{'':8}{'flagged':>10}{'coverage':>10}{'fallback':>10}{'seconds':>10}")
        for label in ("base", "tuned"):
            row = drafts[label]
            print(
                f"{label:8}{row['flagged_share']:>10.0%}{row['mean_coverage']:>10.2f}"
                f"{row['fallback_share']:>10.0%}{row['seconds']:>10.1f}"
            )
        for row in drafts["rows"][:4]:
            print(f"\n[{row['sku']} {row['field']}]\n approved: {row['approved']!r}")
            for label in ("base", "tuned"):
                print(f" {label + ':':9} {row[label]['raw'][:200]!r} flags {row[label]['checks']}")
        print(f"adapter first load {drafts['adapter_load_ms']} ms")
    swaps = []
    for index in range(args.swaps):
        tick = time.perf_counter()
        generator.adapters.activate(str(folder) if index % 2 == 0 else None)
        swaps.append(time.perf_counter() - tick)
    swaps.sort()
    print(
        f"adapter swap (base <-> adapter, {args.swaps} swaps): median "
        f"{1000 * swaps[len(swaps) // 2]:.2f} ms, max {1000 * swaps[-1]:.2f} ms"
    )
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
