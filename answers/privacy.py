"""The questions a customer asked, for the catalog's privacy export and erasure
(registered in AnswersConfig.ready() with catalog.privacy.register_personal_data)."""

from __future__ import annotations

from answers.models import ShopperQuestion
from catalog.models import Customer


def export_questions(customer: Customer) -> list[dict]:
    questions = ShopperQuestion.objects.filter(customer=customer).order_by("created_at", "pk")
    return [
        {
            "asked_at": question.created_at.isoformat(),
            "product_id": question.product_id,
            "question": question.question,
            "answer": question.answer,
            "status": question.status,
        }
        for question in questions
    ]


def erase_questions(customer: Customer) -> int:
    """Delete them: a question is the customer's own words, and redaction may have missed a
    detail. An answer worth keeping is kept as an FAQ entry, which names no customer."""
    deleted, _ = ShopperQuestion.objects.filter(customer=customer).delete()
    return deleted
