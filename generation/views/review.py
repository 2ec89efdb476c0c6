"""The reviewers' queue: staff see drafts pending review in every shop; approve or reject."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from generation.diffing import html_diff
from generation.forms import RejectForm
from generation.models import Draft, DraftStatus
from generation.services import approve_draft, published_text, reject_draft
from generation.views.common import staff_required
from generation.views.drafts import draft_text_context


def _pending(pk: int) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("shop", "product", "current_version"),
        pk=pk,
        status=DraftStatus.PENDING_REVIEW,
    )


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    drafts = (
        Draft.objects.pending_review()
        .select_related("shop", "product", "current_version")
        .order_by("updated_at", "pk")
    )
    page = Paginator(drafts, 50).get_page(request.GET.get("page"))
    return render(
        request, "generation/review_queue.html", {"page": page, "drafts": page.object_list}
    )


@staff_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _pending(pk)
    published = published_text(draft.product, draft.field)
    context = draft_text_context(draft)
    context.update(
        published=published,
        published_diff=html_diff(published, draft.current_version.text) if published else "",
        reject_form=RejectForm(),
    )
    return render(request, "generation/review_detail.html", context)


@staff_required
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _pending(pk)
    approve_draft(draft, user=request.user, replace_published=bool(request.POST.get("replace")))
    messages.success(request, f"Approved and published draft #{draft.pk}.")
    return redirect("generation:review_queue")


@staff_required
@require_POST
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _pending(pk)
    form = RejectForm(request.POST)
    reject_draft(draft, user=request.user, reason=form.data.get("reason", ""))
    messages.success(request, f"Rejected draft #{draft.pk}; the merchant sees the reason.")
    return redirect("generation:review_queue")
