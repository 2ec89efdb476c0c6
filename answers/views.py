"""Pages of shopper answers: questions with evidence, review, FAQ entries, settings.

Members see their current shop only (another shop's row is a 404). Staff reviewers see the
pending answers of every shop on the review page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from answers import services
from answers.forms import AnswerForm, AskForm, FaqForm, SettingsForm
from answers.models import FaqEntry, QuestionStatus, ShopperQuestion
from catalog.models import Product, Role
from catalog.pagination import capped_page
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required

PER_PAGE = 30


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.has_role(Role.EDITOR)


def _product_by_sku(request: HttpRequest, sku: str) -> Product | None:
    if not sku:
        return None
    return Product.objects.filter(shop=request.shop, sku=sku).first()


@shop_member_required()
def question_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in QuestionStatus.values else ""
    q = request.GET.get("q", "").strip()[:100]
    page = capped_page(
        services.scoped_questions(request.shop, status, q), request.GET.get("page"), PER_PAGE
    )
    context = {
        "page": page,
        "questions": page.object_list,
        "status": status,
        "q": q,
        "statuses": QuestionStatus.choices,
        "can_edit": _can_edit(request),
        "ask_form": AskForm(),
    }
    return render_page_or_fragment(
        request, "answers/question_list.html", "answers/_question_rows.html", context
    )


@require_POST
@shop_member_required(Role.EDITOR)
def ask(request: HttpRequest) -> HttpResponse:
    """A merchant tries a question the way a shopper would (answered now, within the budget)."""
    form = AskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a question (at most 500 characters).")
        return redirect("answers:question_list")
    sku = form.cleaned_data["sku"]
    product = _product_by_sku(request, sku)
    if sku and product is None:
        messages.error(request, f"No product with SKU “{sku}” in this shop.")
        return redirect("answers:question_list")
    question = services.answer_question(
        request.shop, form.cleaned_data["question"], product=product, source="page"
    )
    return redirect("answers:question_detail", pk=question.pk)


@shop_member_required()
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_shop(ShopperQuestion, request.shop, pk=pk)
    context = {
        "question": question,
        "can_edit": _can_edit(request),
        "form": AnswerForm(initial={"answer": question.answer}),
    }
    return render(request, "answers/question_detail.html", context)


@require_POST
@shop_member_required(Role.EDITOR)
def question_action(request: HttpRequest, pk: int) -> HttpResponse:
    """approve (optionally with a corrected answer), save, reject, or faq."""
    question = get_for_shop(ShopperQuestion, request.shop, pk=pk)
    action = request.POST.get("action", "")
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else None
    if action == "approve":
        services.approve_answer(question, request.user, answer or None)
        messages.success(request, "Answer published.")
    elif action == "save":
        services.save_answer(question, request.user, answer or "")
        messages.success(request, "Answer saved; it waits for approval.")
    elif action == "reject":
        services.reject_answer(question, request.user)
        messages.success(request, "Answer rejected.")
    elif action == "faq":
        faq = services.faq_from_question(
            question, request.user, shop_wide=request.POST.get("shop_wide") == "1"
        )
        messages.success(request, f"FAQ entry #{faq.pk} created from this answer.")
    else:
        messages.error(request, "Unknown action.")
    return redirect("answers:question_detail", pk=question.pk)


# --- FAQ entries ----------------------------------------------------------------------------


@shop_member_required()
def faq_list(request: HttpRequest) -> HttpResponse:
    faqs = FaqEntry.objects.filter(shop=request.shop).select_related("product")
    page = capped_page(faqs.order_by("-updated_at", "-pk"), request.GET.get("page"), PER_PAGE)
    context = {
        "page": page,
        "faqs": page.object_list,
        "form": FaqForm(),
        "can_edit": _can_edit(request),
    }
    return render(request, "answers/faq_list.html", context)


def _save_faq(request: HttpRequest, form: FaqForm, faq: FaqEntry | None) -> FaqEntry | None:
    sku = form.cleaned_data["sku"]
    product = _product_by_sku(request, sku)
    if sku and product is None:
        form.add_error("sku", "No product with this SKU in this shop.")
        return None
    data = form.cleaned_data  # the form ran services.clean_faq_entry
    if faq is None:
        return services.create_faq(
            request.shop, data["question"], data["answer"], product=product, user=request.user
        )
    return services.update_faq(
        faq, question=data["question"], answer=data["answer"], product=product
    )


@require_POST
@shop_member_required(Role.EDITOR)
def faq_create(request: HttpRequest) -> HttpResponse:
    form = FaqForm(request.POST)
    if form.is_valid() and _save_faq(request, form, None):
        messages.success(request, "FAQ entry added.")
        return redirect("answers:faq_list")
    faqs = FaqEntry.objects.filter(shop=request.shop).select_related("product")
    page = capped_page(faqs.order_by("-updated_at", "-pk"), 1, PER_PAGE)
    context = {"page": page, "faqs": page.object_list, "form": form, "can_edit": True}
    return render(request, "answers/faq_list.html", context, status=400)


@shop_member_required(Role.EDITOR)
def faq_edit(request: HttpRequest, pk: int) -> HttpResponse:
    faq = get_for_shop(FaqEntry, request.shop, pk=pk)
    if request.method == "POST":
        form = FaqForm(request.POST)
        if form.is_valid() and _save_faq(request, form, faq):
            messages.success(request, "FAQ entry saved.")
            return redirect("answers:faq_list")
    else:
        sku = faq.product.sku if faq.product_id else ""
        form = FaqForm(initial={"question": faq.question, "answer": faq.answer, "sku": sku})
    return render(request, "answers/faq_form.html", {"faq": faq, "form": form})


@require_POST
@shop_member_required(Role.EDITOR)
def faq_delete(request: HttpRequest, pk: int) -> HttpResponse:
    faq = get_for_shop(FaqEntry, request.shop, pk=pk)
    services.delete_faq(faq)
    messages.success(request, "FAQ entry deleted.")
    return redirect("answers:faq_list")


# --- Settings and index ---------------------------------------------------------------------


@shop_member_required(Role.OWNER)
def answer_settings(request: HttpRequest) -> HttpResponse:
    current = services.shop_settings(request.shop)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=current)
        if form.is_valid():
            services.save_settings(
                request.shop, **{name: form.cleaned_data[name] for name in form.fields}
            )
            messages.success(request, "Answer settings saved.")
            return redirect("answers:settings")
    else:
        form = SettingsForm(instance=current)
    return render(request, "answers/settings.html", {"form": form})


@require_POST
@shop_member_required(Role.EDITOR)
def rebuild_index(request: HttpRequest) -> HttpResponse:
    job = services.create_index_job(request.shop, user=request.user)
    messages.success(request, "Indexing the shop's facts in the background.")
    return redirect("catalog:job_detail", pk=job.pk)


# --- Staff review across shops --------------------------------------------------------------


@staff_member_required
def review_queue(request: HttpRequest) -> HttpResponse:
    page = capped_page(services.questions_for_review(), request.GET.get("page"), PER_PAGE)
    return render(request, "answers/review.html", {"page": page, "questions": page.object_list})


@require_POST
@staff_member_required
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(ShopperQuestion, pk=pk, status=QuestionStatus.PENDING_REVIEW)
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else None
    if request.POST.get("action") == "approve":
        services.approve_answer(question, request.user, answer or None)
        messages.success(request, f"Answer #{question.pk} published.")
    elif request.POST.get("action") == "reject":
        services.reject_answer(question, request.user)
        messages.success(request, f"Answer #{question.pk} rejected.")
    else:
        messages.error(request, "Unknown action.")
    return redirect("answers:review")
