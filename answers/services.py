"""Every write of shopper answers: FAQ entries, review decisions, settings, the index, jobs.

Answering itself lives in `answering` (`answer_question`, re-exported here); pages, the API and
tasks call these functions and never write the models directly.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from answers import retrieval, safety
from answers.answering import answer_question, shop_settings
from answers.job_kinds import ANSWER_QUESTIONS, ANSWERS_INDEX
from answers.models import (
    AnswerKind,
    AnswerSettings,
    FaqEntry,
    QuestionStatus,
    ShopperQuestion,
)
from catalog import jobs
from catalog.audit import record_audit
from catalog.errors import InvalidInput, ShopError
from catalog.models import Customer, Job, Product, Shop
from catalog.rules import clean_text

log = logging.getLogger(__name__)

# Products re-indexed inline before a shop-wide question; more than this waits for a job.
MAX_INLINE_REINDEX = 200
MAX_QUESTIONS_PER_JOB = 1000

__all__ = [
    "AnswerError",
    "answer_question",
    "approve_answer",
    "clean_faq_entry",
    "create_answer_job",
    "create_faq",
    "create_index_job",
    "delete_faq",
    "faq_from_question",
    "refresh_index",
    "reject_answer",
    "save_settings",
    "shop_settings",
    "update_faq",
]


class AnswerError(ShopError):
    """A request the answers area cannot carry out, with a message for the merchant."""


# --- Index --------------------------------------------------------------------------------


def refresh_index(shop: Shop, limit: int = MAX_INLINE_REINDEX) -> int:
    """Index the products changed since the last refresh (at most `limit` now); returns how
    many were synced. A shop never indexed, or with more changes, needs `create_index_job`."""
    settings = shop_settings(shop)
    started = timezone.now()
    products = Product.objects.filter(shop=shop)
    if settings.indexed_at is not None:
        products = products.filter(updated_at__gte=settings.indexed_at)
    changed = list(products.order_by("updated_at", "pk")[: limit + 1])
    if len(changed) > limit:
        # Too many for one request: index the first ones now and queue a job for the rest
        # (indexed_at stays put, so nothing is skipped).
        for product in changed[:limit]:
            retrieval.sync_product(product)
        active = Job.objects.filter(
            shop=shop, kind=ANSWERS_INDEX.name, status__in=("queued", "running")
        )
        if not active.exists():
            log.info("Shop %s has many products to index; queueing an index job", shop.pk)
            create_index_job(shop)
        return limit
    for product in changed:
        retrieval.sync_product(product)
    AnswerSettings.objects.update_or_create(shop=shop, defaults={"indexed_at": started})
    return len(changed)


def rebuild_index(shop: Shop, on_progress=None) -> retrieval.SyncResult:
    started = timezone.now()
    result = retrieval.sync_shop(shop, on_progress=on_progress)
    AnswerSettings.objects.update_or_create(shop=shop, defaults={"indexed_at": started})
    return result


def create_index_job(shop: Shop, user=None) -> Job:
    total = Product.objects.filter(shop=shop).count()
    return jobs.create_job(shop, ANSWERS_INDEX.name, user=user, total=total)


# --- Questions as a job ---------------------------------------------------------------------


def resolve_customer(shop: Shop, external_id: str | None) -> Customer | None:
    if not external_id:
        return None
    return Customer.objects.filter(shop=shop, external_id=external_id).first()


def create_answer_job(shop: Shop, items: list[dict], user=None) -> Job:
    """Queue many questions. Each item: {"question", "product_id"?, "customer_id"?}.

    Personal data is removed here, before the questions are stored in the job's params.
    """
    if not items:
        raise AnswerError("Send at least one question.")
    if len(items) > MAX_QUESTIONS_PER_JOB:
        raise AnswerError(f"At most {MAX_QUESTIONS_PER_JOB:,} questions per job.")
    external_ids = {item.get("customer_id") for item in items if item.get("customer_id")}
    customers = {
        customer.external_id: customer
        for customer in Customer.objects.filter(shop=shop, external_id__in=external_ids)
    }
    stored = []
    for item in items:
        customer = customers.get(item.get("customer_id") or "")
        cleaned = safety.redact(
            item["question"],
            customer_name=customer.name if customer else "",
            customer_email=customer.email if customer else "",
        )
        stored.append(
            {
                "question": cleaned.text,
                "removed": cleaned.removed,
                "product_id": item.get("product_id"),
                "customer_pk": customer.pk if customer else None,
            }
        )
    return jobs.create_job(
        shop, ANSWER_QUESTIONS.name, user=user, params={"items": stored}, total=len(stored)
    )


def run_answer_job(job: Job, run: jobs.JobRun, batch_size: int = 8) -> dict:
    """Answer the job's questions in batches; items already answered (a re-delivered task)
    are skipped."""
    from answers.answering import answer_plans, prepare

    items = list(job.params.get("items", []))
    run.set_total(len(items))
    shop = job.shop
    done_indexes = set(ShopperQuestion.objects.filter(job=job).values_list("job_index", flat=True))
    synced = refresh_index(shop, limit=10_000)
    products = Product.objects.filter(
        shop=shop, pk__in={item["product_id"] for item in items if item.get("product_id")}
    ).in_bulk()
    customers = Customer.objects.filter(
        shop=shop, pk__in={item["customer_pk"] for item in items if item.get("customer_pk")}
    ).in_bulk()
    pending = [index for index in range(len(items)) if index not in done_indexes]
    run.progress(len(items) - len(pending))
    for start in range(0, len(pending), batch_size):
        plans = []
        for index in pending[start : start + batch_size]:
            item = items[index]
            plan = prepare(
                shop,
                item["question"],
                product=products.get(item.get("product_id")),
                customer=customers.get(item.get("customer_pk")),
                already_redacted=True,
            )
            plan.removed = list(item.get("removed", []))
            plan.job, plan.job_index = job, index
            plans.append(plan)
        answer_plans(plans, source="job")
        run.progress(len(items) - len(pending) + start + len(plans))
    counts = dict.fromkeys(QuestionStatus.values, 0)
    for status in ShopperQuestion.objects.filter(job=job).values_list("status", flat=True):
        counts[status] += 1
    return {"questions": len(items), "reindexed_products": synced, **counts}


# --- Review ---------------------------------------------------------------------------------


@transaction.atomic
def approve_answer(question: ShopperQuestion, user, answer: str | None = None) -> ShopperQuestion:
    """Publish the answer, optionally rewritten by the reviewer."""
    if answer is not None:
        answer = answer.strip()
        if not answer:
            raise AnswerError("An answer cannot be empty.")
        if answer != question.answer:
            question.answer = answer
            question.answer_kind = AnswerKind.EDITED
    if question.answer_kind in (AnswerKind.DONT_KNOW, AnswerKind.REFUSED):
        raise AnswerError("Write an answer before approving: this one says it does not know.")
    question.status = QuestionStatus.PUBLISHED
    question.reviewed_by = user
    question.reviewed_at = timezone.now()
    question.save(update_fields=["answer", "answer_kind", "status", "reviewed_by", "reviewed_at"])
    details = {"product_id": question.product_id, "answer_kind": question.answer_kind}
    record_audit(question.shop, user, "answer.approve", target=question, details=details)
    return question


def save_answer(question: ShopperQuestion, user, answer: str) -> ShopperQuestion:
    """Change the answer's text without publishing it (it waits for approval)."""
    answer = answer.strip()
    if not answer:
        raise AnswerError("An answer cannot be empty.")
    question.answer = answer
    question.answer_kind = AnswerKind.EDITED
    if question.status != QuestionStatus.PUBLISHED:
        question.status = QuestionStatus.PENDING_REVIEW
    question.reviewed_by = user
    question.reviewed_at = timezone.now()
    question.save(update_fields=["answer", "answer_kind", "status", "reviewed_by", "reviewed_at"])
    return question


def reject_answer(question: ShopperQuestion, user) -> ShopperQuestion:
    question.status = QuestionStatus.REJECTED
    question.reviewed_by = user
    question.reviewed_at = timezone.now()
    question.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return question


# --- FAQ entries ----------------------------------------------------------------------------


FAQ_QUESTION_MAX_CHARS = 500
FAQ_ANSWER_MAX_CHARS = 2000


def clean_faq_entry(*, question: object, answer: object) -> dict[str, str]:
    """The one rule for an FAQ entry, whatever the entry point (page, API, service).

    Returns the cleaned question and answer, or raises InvalidInput naming each bad field.
    """
    cleaned = {"question": clean_text(question), "answer": clean_text(answer, multiline=True)}
    limits = {"question": FAQ_QUESTION_MAX_CHARS, "answer": FAQ_ANSWER_MAX_CHARS}
    errors: dict[str, list[str]] = {}
    for name, text in cleaned.items():
        if not text:
            errors[name] = [
                f"An FAQ entry needs {'a question' if name == 'question' else 'an answer'}."
            ]
        elif len(text) > limits[name]:
            errors[name] = [f"At most {limits[name]:,} characters (it has {len(text):,})."]
    if errors:
        raise InvalidInput("The FAQ entry is not valid.", fields=errors)
    return cleaned


def _check_product_shop(shop_id: int, product: Product | None) -> None:
    if product is not None and product.shop_id != shop_id:
        raise InvalidInput(
            "No such product in this shop.", fields={"sku": ["No such product in this shop."]}
        )


@transaction.atomic
def create_faq(
    shop: Shop, question: str, answer: str, *, product: Product | None = None, user=None
) -> FaqEntry:
    _check_product_shop(shop.pk, product)
    cleaned = clean_faq_entry(question=question, answer=answer)
    faq = FaqEntry.objects.create(shop=shop, product=product, created_by=user, **cleaned)
    retrieval.sync_faq(faq)
    return faq


@transaction.atomic
def update_faq(
    faq: FaqEntry, *, question: str, answer: str, product: Product | None = None
) -> FaqEntry:
    _check_product_shop(faq.shop_id, product)
    cleaned = clean_faq_entry(question=question, answer=answer)
    faq.question, faq.answer = cleaned["question"], cleaned["answer"]
    faq.product = product
    faq.save()
    retrieval.sync_faq(faq)
    return faq


def delete_faq(faq: FaqEntry) -> None:
    faq.delete()  # its chunk goes with it (cascade)


def faq_from_question(question: ShopperQuestion, user, *, shop_wide: bool = False) -> FaqEntry:
    """A new FAQ entry from a question and its (reviewed) answer."""
    if question.answer_kind in (AnswerKind.DONT_KNOW, AnswerKind.REFUSED):
        raise AnswerError("Write an answer first: this one says it does not know.")
    product = None if shop_wide else question.product
    return create_faq(question.shop, question.question, question.answer, product=product, user=user)


# --- Settings -------------------------------------------------------------------------------


def save_settings(shop: Shop, **fields) -> AnswerSettings:
    allowed = {
        "auto_publish",
        "auto_publish_threshold",
        "min_retrieval_score",
        "rephrase_with_model",
        "time_budget_s",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise AnswerError(f"Unknown settings: {', '.join(sorted(unknown))}")
    for name in ("auto_publish_threshold", "min_retrieval_score"):
        if name in fields and not 0 <= float(fields[name]) <= 1:
            raise AnswerError(f"{name.replace('_', ' ').capitalize()} must be between 0 and 1.")
    if "time_budget_s" in fields and not 0.5 <= float(fields["time_budget_s"]) <= 60:
        raise AnswerError("The time budget must be between 0.5 and 60 seconds.")
    settings, _ = AnswerSettings.objects.update_or_create(shop=shop, defaults=fields)
    return settings


def questions_for_review(shop: Shop | None = None):
    """Pending answers, newest first (all shops for staff reviewers)."""
    questions = ShopperQuestion.objects.filter(status=QuestionStatus.PENDING_REVIEW)
    if shop is not None:
        questions = questions.filter(shop=shop)
    return questions.select_related("shop", "product").order_by("-created_at", "-pk")


def scoped_questions(shop: Shop, status: str = "", q: str = ""):
    questions = ShopperQuestion.objects.filter(shop=shop)
    if status:
        questions = questions.filter(status=status)
    if q:
        questions = questions.filter(Q(question__icontains=q) | Q(answer__icontains=q))
    return questions.select_related("product").order_by("-created_at", "-pk")
