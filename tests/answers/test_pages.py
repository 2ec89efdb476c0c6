"""Merchant pages (questions, evidence, review, FAQ entries, settings) and the staff queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from answers import services
from answers.models import AnswerKind, FaqEntry, QuestionStatus, ShopperQuestion


def url(name: str, *args) -> str:
    return reverse(f"answers:{name}", args=args)


@pytest.fixture
def answered(catalog, scripted):
    scripted.reply = "It holds 750 ml [1]."
    return services.answer_question(
        catalog["bottle"].shop, "What is the capacity?", product=catalog["bottle"]
    )


@pytest.fixture
def unanswered(catalog, scripted):
    return services.answer_question(
        catalog["bottle"].shop, "Does it come with a warranty?", product=catalog["bottle"]
    )


def test_question_list_filters_by_status_and_shows_evidence(
    viewer_client, answered, unanswered, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        page = viewer_client.get(url("question_list"), {"status": "needs_merchant"})
    assert page.status_code == 200
    assert b"Does it come with a warranty?" in page.content
    assert b"What is the capacity?" not in page.content
    published = viewer_client.get(url("question_list"), {"status": "published"})
    assert b"capacity: 750 ml" in published.content  # the cited fact is shown as evidence


def test_question_rows_fragment_for_htmx(viewer_client, answered):
    fragment = viewer_client.get(url("question_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"What is the capacity?" in fragment.content


def test_question_text_is_escaped(viewer_client, catalog, scripted):
    question = services.answer_question(
        catalog["bottle"].shop, "Is it <b>safe</b>?", product=catalog["bottle"]
    )
    page = viewer_client.get(url("question_detail", question.pk))
    assert b"<b>safe</b>" not in page.content


def test_detail_shows_evidence_and_editor_approves_an_edit(editor_client, unanswered):
    page = editor_client.get(url("question_detail", unanswered.pk))
    assert b"Evidence" in page.content and b"Turn into FAQ entry" in page.content
    editor_client.post(
        url("question_action", unanswered.pk),
        {"action": "approve", "answer": "Two years, parts and labour."},
    )
    unanswered.refresh_from_db()
    assert unanswered.status == QuestionStatus.PUBLISHED
    assert (unanswered.answer, unanswered.answer_kind) == (
        "Two years, parts and labour.",
        AnswerKind.EDITED,
    )


def test_turn_into_faq_entry_button(editor_client, answered):
    editor_client.post(url("question_action", answered.pk), {"action": "faq", "shop_wide": "1"})
    faq = FaqEntry.objects.exclude(question="Do you ship to Canada?").get()
    assert (faq.question, faq.answer, faq.product) == (
        "What is the capacity?",
        "It holds 750 ml.",
        None,
    )


def test_viewer_cannot_approve(viewer_client, unanswered):
    response = viewer_client.post(
        url("question_action", unanswered.pk), {"action": "approve", "answer": "Yes"}
    )
    assert response.status_code == 403
    assert ShopperQuestion.objects.get(pk=unanswered.pk).status == QuestionStatus.NEEDS_MERCHANT


def test_outsider_gets_404_on_every_question_and_faq_page(outsider_client, answered, catalog):
    faq = catalog["faq"]
    assert outsider_client.get(url("question_detail", answered.pk)).status_code == 404
    response = outsider_client.post(url("question_action", answered.pk), {"action": "reject"})
    assert response.status_code == 404
    assert outsider_client.get(url("faq_edit", faq.pk)).status_code == 404
    assert outsider_client.post(url("faq_delete", faq.pk)).status_code == 404
    listing = outsider_client.get(url("question_list"))
    assert b"What is the capacity?" not in listing.content
    assert b"Do you ship to Canada?" not in outsider_client.get(url("faq_list")).content
    assert ShopperQuestion.objects.get(pk=answered.pk).status == QuestionStatus.PUBLISHED
    assert FaqEntry.objects.filter(pk=faq.pk).exists()


def test_faq_pages_create_edit_delete(editor_client, catalog):
    response = editor_client.post(
        url("faq_create"),
        {"question": "Is the lid leak-proof?", "answer": "Yes.", "sku": "BOT-750"},
    )
    assert response.status_code == 302
    faq = FaqEntry.objects.get(question="Is the lid leak-proof?")
    assert faq.product == catalog["bottle"] and faq.chunks.count() == 1
    bad = editor_client.post(url("faq_create"), {"question": "Q?", "answer": "A", "sku": "NOPE"})
    assert bad.status_code == 400 and b"No product with this SKU" in bad.content
    editor_client.post(url("faq_edit", faq.pk), {"question": "Is the lid tight?", "answer": "Yes."})
    faq.refresh_from_db()
    assert faq.question == "Is the lid tight?" and faq.product is None
    assert faq.chunks.get().text == "Q: Is the lid tight? A: Yes."
    editor_client.post(url("faq_delete", faq.pk))
    assert not FaqEntry.objects.filter(pk=faq.pk).exists()


def test_owner_changes_the_auto_publish_threshold(owner_client, editor_client, shop):
    response = owner_client.post(
        url("settings"),
        {
            "auto_publish": "on",
            "auto_publish_threshold": "0.9",
            "min_retrieval_score": "0.4",
            "time_budget_s": "5",
        },
    )
    assert response.status_code == 302
    assert services.shop_settings(shop).auto_publish_threshold == 0.9
    assert editor_client.get(url("settings")).status_code == 403


def test_staff_review_queue_lists_pending_answers_of_all_shops(
    staff_client, owner_client, catalog, other_shop, scripted
):
    scripted.reply = "It holds 750 ml [1]."
    services.save_settings(catalog["bottle"].shop, auto_publish=False)
    pending = services.answer_question(
        catalog["bottle"].shop, "What is the capacity?", product=catalog["bottle"]
    )
    assert pending.status == QuestionStatus.PENDING_REVIEW
    page = staff_client.get(url("review"))
    assert page.status_code == 200 and b"What is the capacity?" in page.content
    assert b"Acme Outdoor" in page.content
    staff_client.post(url("review_action", pending.pk), {"action": "approve", "answer": ""})
    assert ShopperQuestion.objects.get(pk=pending.pk).status == QuestionStatus.PUBLISHED
    # A merchant is not a reviewer.
    assert owner_client.get(url("review")).status_code == 302


def test_nav_links_to_questions(viewer_client, shop):
    page = viewer_client.get(reverse("catalog:dashboard"))
    assert url("question_list").encode() in page.content
