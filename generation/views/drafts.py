"""Drafts: list, detail, inline edit (htmx), diffs, regenerate, submit, approve, reject."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Product, Role
from catalog.partials import render_page_or_fragment, wants_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from generation.checks import CHECK_LABELS, render_flagged
from generation.diffing import html_diff
from generation.forms import DraftEditForm, RejectForm
from generation.models import CopyField, Draft, DraftStatus
from generation.services import (
    approve_draft,
    edit_draft,
    regenerate_draft,
    reject_draft,
    submit_for_review,
)
from generation.services import published_text as published_text_of
from generation.views.common import get_draft_for_member


def draft_text_context(draft: Draft) -> dict:
    version = draft.current_version
    flags = version.flags if version else []
    return {
        "draft": draft,
        "version": version,
        "flagged_html": render_flagged(version.text, flags) if version else "",
        "flags": flags,
        "check_labels": CHECK_LABELS,
        # How a generated version was chosen among candidates (absent on edits).
        "selection": version.checks.get("selection") if version else None,
    }


@shop_member_required()
def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = Draft.objects.for_shop(request.shop).select_related("product", "current_version")
    status = request.GET.get("status", "")
    field = request.GET.get("field", "")
    if status in DraftStatus.values:
        drafts = drafts.filter(status=status)
    elif not status:
        drafts = drafts.open()
    if field in CopyField.values:
        drafts = drafts.filter(field=field)
    if request.GET.get("product", "").isdigit():
        drafts = drafts.filter(product_id=int(request.GET["product"]))
    if request.GET.get("job", "").isdigit():
        drafts = drafts.filter(versions__job_id=int(request.GET["job"])).distinct()
    page = Paginator(drafts.order_by("-updated_at", "-pk"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "drafts": page.object_list,
        "status": status,
        "field": field,
        "statuses": DraftStatus.choices,
        "fields": CopyField.choices,
    }
    return render_page_or_fragment(
        request, "generation/draft_list.html", "generation/_draft_rows.html", context
    )


@shop_member_required()
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_draft_for_member(request, pk)
    versions = list(
        draft.versions.select_related("created_by", "job", "model_version").order_by("-number")
    )
    published = published_text_of(draft.product, draft.field)
    context = draft_text_context(draft)
    context.update(
        versions=versions,
        published=published,
        published_diff=html_diff(published, draft.current_version.text)
        if draft.current_version and published
        else "",
        reject_form=RejectForm(),
        can_edit=request.membership.has_role(Role.EDITOR),
        is_owner=request.membership.has_role(Role.OWNER),
    )
    return render(request, "generation/draft_detail.html", context)


@shop_member_required()
def draft_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The current text with its flags (the fragment the inline editor swaps back to)."""
    draft = get_draft_for_member(request, pk)
    context = draft_text_context(draft)
    context["can_edit"] = request.membership.has_role(Role.EDITOR)
    return render(request, "generation/_draft_text.html", context)


@shop_member_required(Role.EDITOR)
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the inline editor fragment. POST: save a new version; htmx gets the text fragment."""
    draft = get_draft_for_member(request, pk)
    if request.method == "POST":
        form = DraftEditForm(request.POST)
        if form.is_valid():
            edit_draft(draft, form.cleaned_data["text"], user=request.user)
            draft = get_draft_for_member(request, pk)
            if not wants_fragment(request):
                messages.success(request, "Saved a new version.")
                return redirect("generation:draft_detail", pk=draft.pk)
            context = draft_text_context(draft)
            context["can_edit"] = True
            context["saved"] = True
            return render(request, "generation/_draft_text.html", context)
        status = 400
    else:
        form = DraftEditForm(
            initial={"text": draft.current_version.text if draft.current_version else ""}
        )
        status = 200
    return render(
        request, "generation/_draft_edit.html", {"draft": draft, "form": form}, status=status
    )


@shop_member_required()
def draft_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """Diff of two versions (?a=2&b=5), or of one against the published copy (a=published)."""
    draft = get_draft_for_member(request, pk)
    texts = {str(v.number): v.text for v in draft.versions.all()}
    texts["published"] = published_text_of(draft.product, draft.field)
    current = str(draft.current_version.number) if draft.current_version else "published"
    a = request.GET.get("a", "published")
    b = request.GET.get("b", current)
    if a not in texts or b not in texts:
        return render(
            request,
            "generation/_diff.html",
            {"error": "Choose two versions of this draft."},
            status=400,
        )
    context = {"a": a, "b": b, "diff": html_diff(texts[a], texts[b]), "draft": draft}
    return render(request, "generation/_diff.html", context)


@shop_member_required(Role.EDITOR)
@require_POST
def draft_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    job = regenerate_draft(get_draft_for_member(request, pk), user=request.user)
    messages.success(
        request, f"Regenerating in job #{job.pk}; the new version appears here when it is done."
    )
    return redirect("generation:request_detail", pk=job.pk)


@shop_member_required(Role.EDITOR)
@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_draft_for_member(request, pk)
    submit_for_review(draft, user=request.user)
    messages.success(request, "Sent to the reviewers.")
    return redirect("generation:draft_detail", pk=draft.pk)


@shop_member_required(Role.EDITOR)
@require_POST
def draft_approve(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_draft_for_member(request, pk)
    approve_draft(draft, user=request.user, replace_published=bool(request.POST.get("replace")))
    messages.success(request, f"Published the {draft.get_field_display().lower()}.")
    return redirect("generation:draft_detail", pk=draft.pk)


@shop_member_required(Role.OWNER)
@require_POST
def draft_reject(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_draft_for_member(request, pk)
    form = RejectForm(request.POST)
    reject_draft(draft, user=request.user, reason=form.data.get("reason", ""))
    messages.success(request, "Rejected; the reason is shown on the draft.")
    return redirect("generation:draft_detail", pk=draft.pk)


@shop_member_required()
def product_panel(request: HttpRequest, product_id: int) -> HttpResponse:
    """The copy panel on a product's page (loaded lazily by htmx)."""
    product = get_for_shop(Product, request.shop, pk=product_id)
    drafts = list(
        Draft.objects.filter(product=product)
        .select_related("current_version")
        .order_by("field", "-updated_at")[:20]
    )
    return render(
        request,
        "generation/_product_panel_body.html",
        {
            "product": product,
            "drafts": drafts,
            "can_edit": request.membership.has_role(Role.EDITOR),
        },
    )
