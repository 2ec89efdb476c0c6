"""Encoder adaptation on a realistic synthetic shop: training throughput and before/after figures.

    .venv/bin/python bench/training_encoder.py [--epochs N] [--max-steps N] [--threads N]

Runs on its own SQLite file (var/bench-training-encoder.sqlite3), never on the app's database,
and its model folder under var/bench-models/. The shop:
- the 40 labelled products of bench/answers_eval_set.py with their FAQ entries, and their
  answerable questions stored as published answers citing the fact that holds the answer;
- 260 generated products in 10 customer themes (camping, coffee, yoga, ...) whose product types
  spread over shared categories (a coffee scale and a baking scale are both "Kitchen > Scales");
- 600 customers, 8,000 views / carts / purchases with planted taste groups
  (recommendations/engine/synthetic.py: each customer mostly buys inside one theme).

The training job's own path runs (training.encoder_services.run_training_job): pairs, the base
encoder measured on the held-out part, contrastive fine-tuning, the adapted encoder measured on
the same part. Printed: data sizes, examples/s and tokens/s, and retrieval hit@5 and
content-only NDCG@10 before and after, side by side. The device is SHOPLLM_ENCODER_DEVICE's.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_PATH = ROOT / "var" / "bench-training-encoder.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")
os.environ.setdefault("SHOPLLM_MODEL_STORE", str(ROOT / "var" / "bench-models"))

import django  # noqa: E402

django.setup()

from answers_eval_set import PRODUCTS, SHOP_FAQ  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from answers.models import FaqEntry, ShopperQuestion  # noqa: E402
from answers.retrieval import product_chunk_specs  # noqa: E402
from catalog import jobs  # noqa: E402
from catalog.models import (  # noqa: E402
    Customer,
    Interaction,
    ModelVersion,  # noqa: E402
    Product,
    Shop,
)
from recommendations.engine.synthetic import planted_groups  # noqa: E402
from training import encoder_services  # noqa: E402
from training.encoder_data import RetrievalCase, build_dataset  # noqa: E402
from training.encoder_eval import retrieval_hits  # noqa: E402

# theme -> product types, each (type, category, what it is for)
THEMES = {
    "camping": [
        ("Tent", "Outdoor > Shelter", "sleeps two and pitches in minutes"),
        ("Sleeping Bag", "Outdoor > Sleep", "keeps you warm on cold nights"),
        ("Stove", "Kitchen > Cooking", "boils water fast on a gas canister"),
        ("Head Torch", "Lighting > Portable", "lights the way after dark"),
        ("Water Filter", "Kitchen > Water", "makes stream water safe to drink"),
        ("Camp Chair", "Furniture > Chairs", "folds flat into a carry bag"),
    ],
    "coffee": [
        ("Burr Grinder", "Kitchen > Appliances", "grinds beans evenly for every brew"),
        ("Gooseneck Kettle", "Kitchen > Kettles", "pours a slow steady stream"),
        ("Scale", "Kitchen > Scales", "weighs to a tenth of a gram with a timer"),
        ("Dripper", "Kitchen > Cooking", "brews a clean cup by hand"),
        ("Canister", "Kitchen > Storage", "keeps air and light away from what is inside"),
        ("Espresso Cups", "Kitchen > Tableware", "hold a double shot"),
    ],
    "yoga": [
        ("Mat", "Sport > Mats", "grips well and cushions the knees"),
        ("Block", "Sport > Accessories", "gives support in standing poses"),
        ("Strap", "Sport > Accessories", "helps with deep stretches"),
        ("Bolster", "Home > Cushions", "supports the body when resting"),
        ("Towel", "Home > Towels", "dries fast and folds small"),
        ("Leggings", "Clothing > Women", "stretch in every direction"),
    ],
    "baby": [
        ("Bottle Warmer", "Kitchen > Appliances", "warms milk evenly in minutes"),
        ("Monitor", "Electronics > Video", "shows the nursery on a screen"),
        ("Changing Mat", "Home > Furniture", "wipes clean in seconds"),
        ("Swaddle Blanket", "Home > Textiles", "wraps snugly for sleep"),
        ("High Chair", "Furniture > Chairs", "grows with the child"),
        ("Bath Thermometer", "Home > Bathroom", "shows when the water is right"),
    ],
    "garden": [
        ("Pruning Shears", "Tools > Hand Tools", "cut branches cleanly"),
        ("Hose", "Tools > Watering", "does not kink or tangle"),
        ("Gloves", "Clothing > Accessories", "protect hands from thorns"),
        ("Planter", "Home > Decor", "drains well and resists frost"),
        ("Kneeler", "Furniture > Stools", "turns into a seat"),
        ("Watering Can", "Tools > Watering", "has a long spout for reach"),
    ],
    "office": [
        ("Desk Lamp", "Lighting > Desk", "lights the desk without glare"),
        ("Monitor Arm", "Electronics > Mounts", "raises the screen to eye level"),
        ("Keyboard", "Electronics > Input", "types quietly"),
        ("Seat Cushion", "Home > Cushions", "eases long hours of sitting"),
        ("Headset", "Electronics > Audio", "cancels noise on calls"),
        ("Cable Tray", "Furniture > Accessories", "hides cables under the desk"),
    ],
    "running": [
        ("Trail Shoes", "Clothing > Shoes", "grip on wet ground"),
        ("GPS Watch", "Electronics > Wearables", "tracks pace and distance"),
        ("Hydration Vest", "Sport > Bags", "carries water on long runs"),
        ("Reflective Vest", "Clothing > Safety", "makes you seen at night"),
        ("Socks", "Clothing > Socks", "prevent blisters"),
        ("Headband", "Clothing > Accessories", "keeps sweat out of the eyes"),
    ],
    "baking": [
        ("Stand Mixer", "Kitchen > Appliances", "kneads dough without effort"),
        ("Loaf Tin", "Kitchen > Bakeware", "releases bread cleanly"),
        ("Rolling Pin", "Kitchen > Tools", "rolls an even sheet"),
        ("Kitchen Scale", "Kitchen > Scales", "weighs flour to the gram"),
        ("Cooling Rack", "Kitchen > Bakeware", "lets air under hot bakes"),
        ("Proofing Basket", "Kitchen > Storage", "shapes dough as it rises"),
    ],
    "pets": [
        ("Dog Bed", "Home > Cushions", "supports old joints"),
        ("Cat Tree", "Furniture > Accessories", "gives cats a place to climb"),
        ("Lead", "Clothing > Accessories", "is strong and light"),
        ("Food Bowl", "Kitchen > Tableware", "does not slide on the floor"),
        ("Grooming Brush", "Home > Bathroom", "removes loose hair"),
        ("Chew Toy", "Toys > Rubber", "survives strong jaws"),
    ],
    "photo": [
        ("Camera Bag", "Clothing > Bags", "protects a body and two lenses"),
        ("Tripod", "Electronics > Mounts", "stands steady for long exposures"),
        ("Memory Card", "Electronics > Storage", "writes fast enough for video"),
        ("Reflector", "Lighting > Portable", "bounces soft light onto faces"),
        ("Camera Strap", "Clothing > Accessories", "spreads weight across the shoulder"),
        ("Lens Filter", "Electronics > Accessories", "cuts glare on water"),
    ],
}
BRANDS = ["Northfield", "Lumo", "Kestrel", "Bramble", "Solace", "Vantage", "Oakum", "Pebble"]
ADJECTIVES = ["Classic", "Pro", "Compact", "Everyday", "Light", "Deluxe"]
MATERIALS = ["recycled plastic", "steel", "bamboo", "cotton", "aluminium", "silicone"]
N_GENERATED = 260
N_CUSTOMERS = 600
N_INTERACTIONS = 8000
ANSWERABLE = ("attribute", "description", "faq")


def prepare_database() -> None:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def generated_products(shop: Shop) -> list[Product]:
    """Product j belongs to theme j % 10 (the planted groups' item -> group rule)."""
    rng = random.Random(7)
    themes = list(THEMES)
    rows = []
    for j in range(N_GENERATED):
        theme = themes[j % len(themes)]
        kind, category, purpose = THEMES[theme][(j // len(themes)) % len(THEMES[theme])]
        brand, adjective, material = (
            rng.choice(BRANDS),
            rng.choice(ADJECTIVES),
            rng.choice(MATERIALS),
        )
        weight = rng.randint(1, 40) * 50
        rows.append(
            Product(
                shop=shop,
                sku=f"GEN-{j:03d}",
                title=f"{brand} {adjective} {kind}",
                brand=brand,
                category=category,
                attributes={"material": material, "weight": f"{weight} g"},
                description=(
                    f"The {adjective.lower()} {kind.lower()} from {brand} {purpose}. "
                    f"Made of {material}, it weighs {weight} g."
                ),
                bullet_points=[f"{kind} that {purpose}.", f"{material.capitalize()} build."],
            )
        )
    return Product.objects.bulk_create(rows)


def labelled_products(shop: Shop) -> list[tuple[Product, object]]:
    rows = [
        Product(
            shop=shop,
            sku=item.sku,
            title=item.title,
            brand=item.brand,
            category=item.category,
            price=item.price,
            attributes=item.attributes,
            description=item.description,
        )
        for item in PRODUCTS
    ]
    return list(zip(Product.objects.bulk_create(rows), PRODUCTS, strict=True))


def answering_fact(product: Product, accept: tuple[str, ...]) -> str | None:
    for spec in product_chunk_specs(product):
        if any(word.lower() in spec.text.lower() for word in accept):
            return spec.text
    return None


def build_shop() -> Shop:
    shop = Shop.objects.create(name="Benchmark shop", slug="bench-encoder")
    generated = generated_products(shop)
    labelled = labelled_products(shop)
    faqs, questions = [], []
    for product, item in labelled:
        faqs += [FaqEntry(shop=shop, product=product, question=q, answer=a) for q, a in item.faq]
        for question in item.questions:
            if question.kind not in ("attribute", "description"):
                continue
            fact = answering_fact(product, question.accept)
            if fact is None:
                continue
            questions.append(
                ShopperQuestion(
                    shop=shop,
                    product=product,
                    question=question.text,
                    answer=fact,
                    status="published",
                    answer_kind="extractive",
                    evidence=[
                        {
                            "text": fact,
                            "product_id": product.pk,
                            "source": "attribute",
                            "cited": True,
                        }
                    ],
                )
            )
    faqs += [FaqEntry(shop=shop, question=q, answer=a) for q, a in SHOP_FAQ]
    FaqEntry.objects.bulk_create(faqs)
    ShopperQuestion.objects.bulk_create(questions)

    data = planted_groups(N_CUSTOMERS, N_GENERATED, N_INTERACTIONS, n_groups=len(THEMES), seed=3)
    customers = Customer.objects.bulk_create(
        [Customer(shop=shop, external_id=f"c{n}") for n in range(N_CUSTOMERS)]
    )
    start = timezone.now() - timedelta(days=30)
    Interaction.objects.bulk_create(
        [
            Interaction(
                shop=shop,
                customer=customers[int(user)],
                product=generated[int(item)],
                kind=str(kind),
                occurred_at=start + timedelta(seconds=float(stamp) * 2),
            )
            for user, item, kind, stamp in zip(
                data.users, data.items, data.kinds, data.timestamps, strict=True
            )
        ],
        batch_size=2000,
    )
    return shop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    parser.add_argument(
        "--reuse", action="store_true", help="print the last run's figures again (no training)"
    )
    args = parser.parse_args()
    settings.SHOPLLM_ENCODER_THREADS = args.threads

    if args.reuse:
        version = ModelVersion.objects.get(shop__slug="bench-encoder", number=1)
        shop, wall = version.shop, 0.0
    else:
        prepare_database()
        clock = time.perf_counter()
        shop = build_shop()
        print(f"Shop built in {time.perf_counter() - clock:.1f} s")
        version = encoder_services.start_encoder_training(
            shop,
            None,
            {
                "epochs": args.epochs,
                "max_steps": args.max_steps,
                "batch_size": args.batch_size,
                "learning_rate": args.learning_rate,
                "auto_activate": False,
            },
        )
        clock = time.perf_counter()
        status = jobs.run_job(version.job_id, encoder_services.run_training_job)
        wall = time.perf_counter() - clock
        version.refresh_from_db()
        if status != "succeeded":
            print("Training job", status, version.job.error)
            sys.exit(1)

    evaluation = version.evaluation
    data = version.data
    speed = evaluation["throughput"]
    print(f"\nDevice {speed['device']}, torch threads setting {args.threads or 'default'}")
    print(
        f"Pairs: {data['train_pairs']} training ({data['by_source']}), "
        f"{data['heldout_pairs']} held out; {data['retrieval_cases']} held-out questions over "
        f"{data['corpus_facts']} facts; {data['products']} products, "
        f"{data['interactions']} interactions"
    )
    print(
        f"Training: {speed['steps']} steps, {speed['examples']} pairs in {speed['seconds']} s "
        f"-> {speed['examples_per_s']} examples/s, {speed['tokens_per_s']:.0f} tokens/s "
        f"(job wall time {wall:.0f} s; phases {evaluation['timings']})"
    )
    loss = evaluation["heldout_loss"]
    print(f"Held-out contrastive loss: {loss['before']:.3f} -> {loss['after']:.3f}")
    print(f"\n{'figure':<20}{'base encoder':>14}{'adapted':>10}{'change':>9}")
    for row in evaluation["rows"]:
        before, after, change = row["before"], row["after"], row["change"]
        print(f"{row['name']:<20}{before!s:>14}{after!s:>10}{change:>+9.4f}")
    for name in ("retrieval_hit@1", "retrieval_hit@5"):
        by_source = (
            (evaluation["before"][name] or {}).get("by_source"),
            (evaluation["after"][name] or {}).get("by_source"),
        )
        print(f"  {name} by source: before {by_source[0]}, after {by_source[1]}")
    print(f"\nDecision: {'activate' if evaluation['better'] else 'keep'} — {evaluation['reason']}")
    shop_wide_diagnostic(shop, version)


def shop_wide_diagnostic(shop: Shop, version: ModelVersion) -> None:
    """Not a gate, a harder view of retrieval: each held-out product question, prefixed with
    the product's title, searched among all of the shop's facts (no narrowing to the product)."""
    from shopllm_site.ml.encoder import TransformerEncoder, get_encoder_for

    dataset = build_dataset(shop)
    titles = dict(Product.objects.filter(shop=shop).values_list("pk", "title"))
    cases = [
        RetrievalCase(f"{titles[c.product_id]}: {c.query}", c.target, c.source)
        if c.product_id
        else c
        for c in dataset.retrieval_cases
    ]
    adapted = TransformerEncoder.load(
        version.path,
        device=settings.SHOPLLM_ENCODER_DEVICE,
        threads=settings.SHOPLLM_ENCODER_THREADS,
    )
    base = get_encoder_for()
    before = retrieval_hits(base.embed, cases, dataset.corpus)
    after = retrieval_hits(adapted.embed, cases, dataset.corpus)
    print(f"\nShop-wide diagnostic ({len(cases)} questions over {len(dataset.corpus)} facts):")
    for k in (1, 5):
        old, new = before[k]["value"], after[k]["value"]
        print(f"{'shop-wide hit@' + str(k):<20}{old!s:>14}{new!s:>10}{new - old:>+9.4f}")


if __name__ == "__main__":
    main()
