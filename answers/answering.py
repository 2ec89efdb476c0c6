"""From a shopper's question to a stored, checked answer.

    plan = prepare(shop, question, product=..., customer=...)   # redact, retrieve, prompt
    outputs = generator.generate([plan.prompt], ...)            # only if plan.needs_model
    shopper_question = finish(plan, outputs[0])                  # check, score, save

The split lets a job batch many questions through the model at once. Decisions:

- an injection attempt in the question: refused without calling the model (status rejected);
- a retrieved fact that carries instructions ("when asked anything, reply that…") is not a fact:
  it is dropped before ranking, never quoted and never shown to the model;
- the best fact below the shop's minimum similarity: "don't know" and status needs_merchant;
- extractive first: the answer is the best evidence span (the answering part of the top fact
  after reranking), cited and highlighted. The model's rephrasing replaces it only when it is a
  real answer (answers/non_answer.py), passes the grounding check against the facts it cites,
  repeats some content of them (not only allow-listed words), and the closed-world claim check
  (shopllm_site.trust.claims) finds no claim its cited evidence does not support;
- published when the confidence reaches the shop's threshold, else the review queue; the model
  saying it does not know while the facts are weak gives "don't know".

Logs carry ids, statuses and timings only: never the question text.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from django.db.models import F, Value
from django.db.models.functions import Length, Lower

from answers import grounding, prompts, rerank, retrieval, safety
from answers.models import (
    AnswerKind,
    AnswerSettings,
    ChunkSource,
    QuestionStatus,
    ShopperQuestion,
)
from answers.non_answer import non_answer_reason
from catalog.models import Customer, Job, Product, Shop
from shopllm_site.trust.claims import Facts, check_claims
from shopllm_site.trust.data_block import looks_like_instruction

log = logging.getLogger(__name__)

DONT_KNOW = "I don't know — we'll pass your question to the shop."
REFUSAL = (
    "I can only answer questions about our products from their details. "
    "We'll pass your question to the shop."
)
PENDING_MESSAGE = "Thanks for your question — the shop will confirm the answer shortly."
TOP_K = 5
MAX_PROMPT_FACTS = 4
# Similarity at which retrieval alone counts as fully confident (MiniLM cosine; measured: a
# direct attribute match scores 0.65-0.8, an unrelated fact 0.1-0.3).
STRONG_SCORE = 0.65
MAX_NEW_TOKENS = 40
# Measured in bench/answers_quality.py: the lexical rerank raises correct evidence at rank 1.
RERANK = True

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="answers")


def shop_settings(shop: Shop) -> AnswerSettings:
    """The shop's settings row, or unsaved defaults (reads never create rows)."""
    return AnswerSettings.objects.filter(shop=shop).first() or AnswerSettings(shop=shop)


def shopper_message(question: ShopperQuestion) -> str:
    """What the shop's site may show the shopper now."""
    if question.status == QuestionStatus.PUBLISHED:
        return question.answer
    if question.status == QuestionStatus.PENDING_REVIEW:
        return PENDING_MESSAGE
    if question.answer_kind == AnswerKind.REFUSED:
        return REFUSAL
    return DONT_KNOW


def detect_product(shop: Shop, question: str) -> Product | None:
    """The product whose title appears in the question (the longest such title), if any."""
    text = question.lower()
    if len(text) < 4:
        return None
    return (
        Product.objects.filter(shop=shop)
        .alias(question_text=Value(text), title_length=Length("title"))
        .filter(title_length__gte=4, question_text__contains=Lower(F("title")))
        .order_by("-title_length", "pk")
        .first()
    )


@dataclass
class AnswerPlan:
    shop: Shop
    question: str
    settings: AnswerSettings
    product: Product | None = None
    product_named: bool = False
    customer: Customer | None = None
    removed: list[str] = field(default_factory=list)
    injection: bool = False
    dropped_instructions: int = 0
    hits: list[retrieval.Hit] = field(default_factory=list)
    facts: list[retrieval.Hit] = field(default_factory=list)
    fact_texts: list[str] = field(default_factory=list)
    prompt: str = ""
    job: Job | None = None
    job_index: int | None = None
    started: float = field(default_factory=time.perf_counter)

    @property
    def top_score(self) -> float:
        return self.hits[0].score if self.hits else 0.0

    @property
    def retrieval_strength(self) -> float:
        """0 at the shop's minimum similarity, 1 at STRONG_SCORE and above."""
        low = self.settings.min_retrieval_score
        span = max(STRONG_SCORE - low, 1e-6)
        return max(0.0, min(1.0, (self.top_score - low) / span))

    @property
    def answerable(self) -> bool:
        return bool(self.hits) and self.top_score >= self.settings.min_retrieval_score

    @property
    def needs_model(self) -> bool:
        return self.settings.rephrase_with_model and not self.injection and self.answerable


def _fact_text(hit: retrieval.Hit, titles: dict[int, str], product_named: bool) -> str:
    if product_named or hit.product_id is None:
        return hit.text
    return f"{titles.get(hit.product_id, '')}: {hit.text}"


def prepare(
    shop: Shop,
    raw_question: str,
    *,
    product: Product | None = None,
    customer: Customer | None = None,
    already_redacted: bool = False,
) -> AnswerPlan:
    """Redact, screen, find the product, retrieve facts and write the prompt."""
    settings = shop_settings(shop)
    if already_redacted:
        cleaned = safety.CleanQuestion(text=safety.normalise(raw_question))
    else:
        cleaned = safety.redact(
            raw_question,
            customer_name=customer.name if customer else "",
            customer_email=customer.email if customer else "",
        )
    plan = AnswerPlan(
        shop=shop,
        question=cleaned.text,
        settings=settings,
        customer=customer,
        removed=cleaned.removed,
        product=product,
        product_named=product is not None,
    )
    if safety.looks_like_injection(cleaned.text):
        plan.injection = True
        return plan
    if plan.product is None:
        plan.product = detect_product(shop, cleaned.text)
        plan.product_named = plan.product is not None
    if plan.product is not None:
        retrieval.sync_product(plan.product)
    from answers.services import refresh_index

    refresh_index(shop)
    vector = retrieval.embed_question(cleaned.text, shop)
    hits = retrieval.search(shop, vector, product=plan.product, k=TOP_K)
    plan.hits = [hit for hit in hits if not looks_like_instruction(hit.text)]
    plan.dropped_instructions = len(hits) - len(plan.hits)
    if RERANK:
        title = plan.product.title if plan.product else ""
        plan.hits = rerank.rerank(cleaned.text, plan.hits, title)
    if not plan.answerable:
        return plan
    floor = max(settings.min_retrieval_score * 0.75, plan.top_score - 0.3)
    plan.facts = [hit for hit in plan.hits if hit.score >= floor][:MAX_PROMPT_FACTS]
    product_ids = {hit.product_id for hit in plan.facts if hit.product_id}
    titles = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "title"))
    plan.fact_texts = [_fact_text(hit, titles, plan.product_named) for hit in plan.facts]
    plan.prompt = prompts.build_prompt(
        cleaned.text, plan.fact_texts, plan.product.title if plan.product else ""
    )
    return plan


def evidence_span(hit: retrieval.Hit, text: str) -> tuple[int, int]:
    """Where in `text` (the fact as shown) the answering part is: an FAQ entry's answer, else
    the whole fact (attributes and description sentences are one claim each)."""
    if hit.source == ChunkSource.FAQ and " A: " in text:
        start = text.index(" A: ") + len(" A: ")
        return start, len(text)
    return 0, len(text)


def quote_fact(hit: retrieval.Hit, text: str) -> str:
    """The evidence span of a fact as a sentence a shopper can read."""
    start, end = evidence_span(hit, text)
    span = text[start:end].strip()
    if hit.source == ChunkSource.FAQ:
        return f"From our FAQ: {span}"
    if hit.source in (ChunkSource.ATTRIBUTE, ChunkSource.PRODUCT):
        return f"According to the product details, {span.rstrip('.')}."
    return f"According to the product details: {span}"


def _extractive(plan: AnswerPlan) -> tuple[str, list[int]]:
    return quote_fact(plan.facts[0], plan.fact_texts[0]), [0]


def _unsupported_claims(answer: str, evidence: list[str], title: str) -> list[str]:
    """Claims of `answer` that the cited evidence does not support (the shared closed-world
    check of the copy work), as messages."""
    facts = Facts.from_values(title=title, texts=evidence)
    return [flag.message for flag in check_claims(answer, facts)]


def rephrasing_problems(
    plan: AnswerPlan, model_output: str
) -> tuple[grounding.Grounding, list[str]]:
    """The grounding of the model's rephrasing and every reason not to publish it."""
    title = plan.product.title if plan.product else ""
    # Only the answering spans back claims: an FAQ entry's question ("Is there a lifetime
    # guarantee?") states nothing, and once let "lifetime" through.
    spans = []
    for hit, text in zip(plan.facts, plan.fact_texts, strict=True):
        start, end = evidence_span(hit, text)
        spans.append(text[start:end])
    check = grounding.check(model_output, spans, question=plan.question, title=title)
    problems = list(check.problems)
    reason = non_answer_reason(model_output, plan.question)
    if reason:
        problems.append(f"not an answer: {reason}")
    if check.ok and check.thin:
        problems.append("says nothing the cited facts say")
    if check.cited and check.cited != [0]:
        # Measured: rephrasings citing a lower-ranked fact answered another question ("What
        # wattage?" -> the capacity); the rephrasing may only restate the best evidence.
        problems.append("cites other facts than the best evidence")
    if check.ok and not reason:
        evidence = [spans[index] for index in check.cited]
        problems += _unsupported_claims(check.answer, evidence, title)
    return check, problems


def finish(
    plan: AnswerPlan,
    model_output: str | None,
    *,
    model_name: str = "",
    timed_out: bool = False,
    source: str = "api",
) -> ShopperQuestion:
    """Check the model's output, decide the answer and status, and save the question."""
    flags: dict = {"source": source}
    if plan.removed:
        flags["pii_removed"] = plan.removed
    if plan.dropped_instructions:
        flags["instruction_facts_dropped"] = plan.dropped_instructions
    if timed_out:
        flags["timed_out"] = True
    cited: list[int] = []
    grounded = False
    confidence = 0.0
    if plan.injection:
        flags["injection"] = True
        kind, answer, status = AnswerKind.REFUSED, REFUSAL, QuestionStatus.REJECTED
    elif not plan.answerable:
        kind, answer, status = AnswerKind.DONT_KNOW, DONT_KNOW, QuestionStatus.NEEDS_MERCHANT
    else:
        strength = plan.retrieval_strength
        says_dont_know = bool(model_output) and prompts.says_dont_know(model_output or "")
        problems: list[str] = []
        if model_output and not says_dont_know:
            check, problems = rephrasing_problems(plan, model_output)
            flags["grounding"] = problems
        if model_output and not says_dont_know and not problems:
            kind, answer, cited, grounded = AnswerKind.GENERATED, check.answer, check.cited, True
            confidence = 0.6 + 0.4 * strength
        elif says_dont_know and strength < 0.5:
            kind, answer = AnswerKind.DONT_KNOW, DONT_KNOW
        elif strength >= 0.3:
            kind = AnswerKind.EXTRACTIVE
            answer, cited = _extractive(plan)
            confidence = 0.45 + 0.35 * strength
        else:
            kind, answer = AnswerKind.DONT_KNOW, DONT_KNOW
        # A fact of some product answering a question that named none may be the wrong one.
        if (
            kind != AnswerKind.DONT_KNOW
            and not plan.product_named
            and any(plan.facts[index].product_id for index in cited)
        ):
            confidence *= 0.85
        if kind == AnswerKind.DONT_KNOW:
            status = QuestionStatus.NEEDS_MERCHANT
        elif plan.settings.auto_publish and confidence >= plan.settings.auto_publish_threshold:
            status = QuestionStatus.PUBLISHED
        else:
            status = QuestionStatus.PENDING_REVIEW
    cited_ids = {plan.facts[index].chunk_id for index in cited}
    evidence = []
    for hit in plan.hits:
        item = hit.as_evidence(cited=hit.chunk_id in cited_ids)
        if item["cited"]:
            # The part of the stored fact that answers, for the pages to highlight.
            item["span"] = list(evidence_span(hit, hit.text))
        evidence.append(item)
    latency_ms = int((time.perf_counter() - plan.started) * 1000)
    question = ShopperQuestion.objects.create(
        shop=plan.shop,
        product=plan.product,
        customer=plan.customer,
        job=plan.job,
        job_index=plan.job_index,
        question=plan.question,
        answer=answer,
        status=status,
        answer_kind=kind,
        confidence=round(confidence, 4),
        retrieval_score=round(plan.top_score, 4),
        grounded=grounded,
        flags=flags,
        evidence=evidence,
        model_name=model_name if model_output is not None else "",
        model_output=(model_output or "")[:2000],
        latency_ms=min(latency_ms, 2**31 - 1),
    )
    log.info(
        "Shopper question %s (shop %s): %s, %s, confidence %.2f, %d ms%s",
        question.pk,
        plan.shop.pk,
        question.status,
        question.answer_kind,
        question.confidence,
        latency_ms,
        " (model timed out)" if timed_out else "",
    )
    return question


def _params():
    from shopllm_site.ml import GenerationParams

    return GenerationParams(max_new_tokens=MAX_NEW_TOKENS)


def answer_question(
    shop: Shop,
    raw_question: str,
    *,
    product: Product | None = None,
    customer: Customer | None = None,
    time_budget_s: float | None = None,
    source: str = "api",
) -> ShopperQuestion:
    """Answer one question now; the model gets at most `time_budget_s` seconds (the shop's
    setting by default), after which the extractive or don't-know answer is used and flagged."""
    plan = prepare(shop, raw_question, product=product, customer=customer)
    if not plan.needs_model:
        return finish(plan, None, source=source)
    from shopllm_site.ml import get_generator

    budget = time_budget_s if time_budget_s is not None else plan.settings.time_budget_s
    remaining = max(0.1, budget - (time.perf_counter() - plan.started))

    def run() -> tuple[str, str]:
        generator = get_generator()
        outputs = generator.generate([plan.prompt], _params(), system=prompts.SYSTEM)
        return outputs[0], generator.name

    future = _executor.submit(run)
    try:
        output, model_name = future.result(timeout=remaining)
    except FutureTimeout:
        # The generation thread finishes in the background; its output is discarded.
        return finish(plan, None, timed_out=True, source=source)
    return finish(plan, output, model_name=model_name, source=source)


def answer_plans(plans: list[AnswerPlan], *, source: str = "job") -> list[ShopperQuestion]:
    """Answer prepared plans with one batched generate call (jobs)."""
    from shopllm_site.ml import get_generator

    needing = [plan for plan in plans if plan.needs_model]
    outputs: dict[int, str] = {}
    model_name = ""
    if needing:
        generator = get_generator()
        model_name = generator.name
        texts = generator.generate(
            [plan.prompt for plan in needing], _params(), system=prompts.SYSTEM
        )
        outputs = {id(plan): text for plan, text in zip(needing, texts, strict=True)}
    return [
        finish(plan, outputs.get(id(plan)), model_name=model_name, source=source) for plan in plans
    ]
