"""Encoder adaptation on a realistic synthetic shop: training throughput and before/after figures.

    .venv/bin/python bench/training_encoder.py [--epochs N] [--max-steps N] [--threads N]

Runs on its own SQLite file (var/bench-training-encoder.sqlite3), never on the app's database,
and its model folder under var/bench-models/. The shop (bench/encoder_shop.py has the words):
- 320 generated products in 10 themes (coffee, baking, bathroom, travel, ...), 4 product types
  each, with near-duplicate titles across categories ("<brand> <model> Scale" is a coffee,
  baking, bathroom or luggage scale) and one feature per product of a type;
- per generated product, three published questions in shoppers' words (no word of the title):
  one asking the whole shop for it by need and feature ("Have you got a way to avoid excess
  baggage fees that packs down small?"), searched among every fact of the shop, its answer
  citing the product's first description sentence; two about its attributes on its page
  ("Can it go in with the dishes?"), searched among its facts and the shop-wide FAQ;
- the 40 labelled products of bench/answers_eval_set.py with their FAQ entries and their
  answerable questions stored as published answers citing the fact that holds the answer;
- 600 customers, 8,000 views / carts / purchases with planted taste groups
  (recommendations/engine/synthetic.py: each customer mostly buys inside one theme).

Held-out split (training.encoder_data): questions are held out by the product they are about
(a hash of its id, a fifth of the products), so no question about a held-out product is trained
on; on top, held-out products' questions use only the third phrasing of each need, feature and
attribute question, training products' the first two (bench/encoder_shop.py). The default
settings (1 epoch, learning rate 5e-5, same-category runs of 8) were fixed before the first run
and not changed after seeing held-out figures.

The training job's own path runs (training.encoder_services.run_training_job): pairs, the base
encoder measured on the held-out part, contrastive fine-tuning, the adapted encoder measured on
the same part. Printed: data sizes, examples/s and tokens/s, and retrieval hit@5 and
content-only NDCG@10 before and after, side by side. The device is SHOPLLM_ENCODER_DEVICE's.
"""

from __future__ import annotations

import argparse
import os
import random
import re
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
from encoder_shop import ASKING, ATTRIBUTES, BRANDS, FEATURES, MODELS, THEMES  # noqa: E402

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
from training.encoder_data import (  # noqa: E402
    build_dataset,
    is_heldout_product,
)
from training.encoder_eval import retrieval_hits  # noqa: E402

N_GENERATED = 320
N_CUSTOMERS = 600
N_INTERACTIONS = 8000
ATTRIBUTE_QUESTIONS = 2  # per generated product, besides the one that asks for it by need


def prepare_database() -> None:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def generated_products(shop: Shop) -> list[tuple[Product, tuple, tuple]]:
    """Product j belongs to theme j % 10 (the planted groups' item -> group rule); within a
    theme the types take turns, and the products of one type each get their own feature, so
    one product answers each (need, feature). Returns (product, type, feature) triples."""
    rng = random.Random(7)
    themes = list(THEMES)
    rows, kinds = [], []
    for j in range(N_GENERATED):
        types = THEMES[themes[j % len(themes)]]
        kind = types[(j // len(themes)) % len(types)]
        feature = FEATURES[(j // (len(themes) * len(types))) % len(FEATURES)]
        noun, category, use, _ = kind
        brand, model = rng.choice(BRANDS), rng.choice(MODELS)
        weight = rng.randint(1, 40) * 50
        attributes = {key: rng.choice(values) for key, (values, _) in ATTRIBUTES.items() if values}
        attributes["weight"] = f"{weight} g"
        attributes["dimensions"] = "{} x {} x {} cm".format(*sorted(rng.sample(range(3, 60), 3)))
        rows.append(
            Product(
                shop=shop,
                sku=f"GEN-{j:03d}",
                title=f"{brand} {model} {noun}",
                brand=brand,
                category=category,
                attributes=attributes,
                description=(
                    f"This {model.lower()} {noun.lower()} {use}, and it {feature[0]}. "
                    f"Made of {attributes['material']}, it weighs {weight} g."
                ),
                bullet_points=[
                    f"{attributes['material'].capitalize()} build.",
                    f"Finished in {attributes['colour']}.",
                ],
            )
        )
        kinds.append((kind, feature))
    products = Product.objects.bulk_create(rows)
    return [(product, *found) for product, found in zip(products, kinds, strict=True)]


def _phrasing(options: tuple[str, ...], heldout: bool, rng: random.Random) -> str:
    """The last phrasing for held-out products, one of the others for training ones."""
    return options[-1] if heldout else rng.choice(options[:-1])


def _title_words_absent(text: str, product: Product) -> bool:
    words = set(re.findall(r"[a-z]+", text.lower()))
    return not words & set(product.title.lower().split())


def _fact(product: Product, key_suffix: str):
    return next(s for s in product_chunk_specs(product) if s.source_key.endswith(key_suffix))


def _published(shop: Shop, product: Product | None, text: str, fact, cited: Product):
    return ShopperQuestion(
        shop=shop,
        product=product,
        question=text,
        answer=fact.text,
        status="published",
        answer_kind="extractive",
        evidence=[
            {"text": fact.text, "product_id": cited.pk, "source": fact.source, "cited": True}
        ],
    )


def generated_questions(shop: Shop, generated) -> list[ShopperQuestion]:
    """Per product: one shop-wide question asking for it by need and feature (searched among
    every fact of the shop; the answer cites its first description sentence), and
    ATTRIBUTE_QUESTIONS about its attributes on its own page (searched among its facts)."""
    rng = random.Random(11)
    questions = []
    for product, (_, _, _, needs), (_, feature_phrasings) in generated:
        heldout = is_heldout_product(product.pk)
        text = rng.choice(ASKING).format(
            need=_phrasing(needs, heldout, rng), feature=_phrasing(feature_phrasings, heldout, rng)
        )
        questions.append(_published(shop, None, text, _fact(product, ":desc:0"), product))
        for key in rng.sample(sorted(ATTRIBUTES), ATTRIBUTE_QUESTIONS):
            text = _phrasing(ATTRIBUTES[key][1], heldout, rng)
            questions.append(
                _published(shop, product, text, _fact(product, f"attr:{key}"), product)
            )
    for question in questions:
        about = next(p for p, *_ in generated if p.pk == question.evidence[0]["product_id"])
        assert _title_words_absent(question.question, about), (question.question, about.title)
    return questions


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
    faqs, questions = [], generated_questions(shop, generated)
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
                product=generated[int(item)][0],
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
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument(
        "--hard-negatives", type=int, default=8, help="pairs of one category together (0: off)"
    )
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    parser.add_argument(
        "--reuse", action="store_true", help="print the last run's figures again (no training)"
    )
    parser.add_argument(
        "--base-only", action="store_true", help="build the shop, print the base encoder's figures"
    )
    args = parser.parse_args()
    settings.SHOPLLM_ENCODER_THREADS = args.threads
    if args.base_only:
        prepare_database()
        shop = build_shop()
        dataset = build_dataset(shop)
        print(dataset.summary())
        from shopllm_site.ml.encoder import get_encoder_for
        from training.encoder_eval import evaluate_encoder

        print(evaluate_encoder(get_encoder_for().embed, dataset))
        return

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
                "hard_negatives": args.hard_negatives,
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
    print(
        f"\nDevice {speed['device']}, torch threads setting {args.threads or 'default'}, "
        f"load average {os.getloadavg()[0]:.1f}; settings {version.training_settings}"
    )
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
    breakdown(shop, version)


def breakdown(shop: Shop, version: ModelVersion) -> None:
    """The gate's retrieval figures again, by kind of held-out question: asked of the whole
    shop (searched among every fact), asked on a product's page (among its facts and the
    shop-wide FAQ), FAQ entries."""
    from shopllm_site.ml.encoder import TransformerEncoder, get_encoder_for

    dataset = build_dataset(shop)
    kinds = {
        "shop-wide questions": [
            c for c in dataset.retrieval_cases if c.source == "question" and c.product_id is None
        ],
        "product questions": [
            c for c in dataset.retrieval_cases if c.source == "question" and c.product_id
        ],
        "faq": [c for c in dataset.retrieval_cases if c.source == "faq"],
    }
    adapted = TransformerEncoder.load(
        version.path,
        device=settings.SHOPLLM_ENCODER_DEVICE,
        threads=settings.SHOPLLM_ENCODER_THREADS,
    )
    encoders = {"base": get_encoder_for(), "adapted": adapted}
    vectors = {name: encoder.embed(dataset.corpus) for name, encoder in encoders.items()}
    print(f"\nBy kind of held-out question ({len(dataset.corpus)} facts in the shop):")
    for kind, cases in kinds.items():
        if not cases:
            continue
        found = {
            name: retrieval_hits(
                lambda texts, name=name: (
                    vectors[name] if texts is dataset.corpus else encoders[name].embed(texts)
                ),
                cases,
                dataset.corpus,
                dataset.corpus_products,
            )
            for name in encoders
        }
        for k in (1, 5):
            old, new = found["base"][k]["value"], found["adapted"][k]["value"]
            label = f"{kind} hit@{k} ({len(cases)})"
            print(f"  {label:<34}{old!s:>8}{new!s:>10}{new - old:>+9.4f}")


if __name__ == "__main__":
    main()
