"""Pages of the copy model's versions: list with data counts and the start form, a version's
detail (settings, data, live curve, before/after, drafts side by side), activate / roll back
(owner), cancel (editor), and the training set as JSONL (editor).

Members see their current shop's versions only; another shop's version is a 404. Encoder
versions have their own page (training/encoder_views.py); activation of both goes through
training.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from catalog.models import ModelKind, ModelVersion, ModelVersionStatus, Role
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from training import services
from training.generator_charts import curve_chart
from training.generator_data import data_summary, jsonl_lines
from training.generator_train import TrainSettings

VERSIONS_SHOWN = 50
FORM_FIELDS = ("epochs", "max_steps", "learning_rate", "rank", "method")


def _list_context(request: HttpRequest) -> dict:
    shop = request.shop
    versions = list(services.versions_for(shop, ModelKind.GENERATOR)[:VERSIONS_SHOWN])
    encoder_versions = list(services.versions_for(shop, ModelKind.ENCODER)[:5])
    return {
        "versions": versions,
        "encoder_versions": encoder_versions,
        "active": next((v for v in versions if v.is_active), None),
        "training": any(v.status == ModelVersionStatus.TRAINING for v in versions),
        "summary": data_summary(shop),
        "defaults": TrainSettings(),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "is_owner": request.membership.has_role(Role.OWNER),
    }


@shop_member_required()
def versions(request: HttpRequest) -> HttpResponse:
    return render_page_or_fragment(
        request, "training/versions.html", "training/_copy_rows.html", _list_context(request)
    )


@require_POST
@shop_member_required(Role.EDITOR)
def copy_start(request: HttpRequest) -> HttpResponse:
    values = {name: request.POST[name] for name in FORM_FIELDS if request.POST.get(name)}
    version = services.start_copy_model_training(
        request.shop,
        user=request.user,
        train_settings=values,
        include_published="include_published" in request.POST,
    )
    messages.success(request, f"Copy model v{version.number} is queued for training.")
    return redirect("training:version_detail", pk=version.pk)


def _detail_context(request: HttpRequest, version: ModelVersion) -> dict:
    evaluation = version.evaluation or {}
    last = version.curve[-1] if version.curve else None
    return {
        "version": version,
        "job": version.job,
        "last": last,
        "chart": curve_chart(version.curve),
        "evaluation": evaluation,
        "drafts": evaluation.get("drafts") or {},
        "training": version.status == ModelVersionStatus.TRAINING,
        "can_edit": request.membership.has_role(Role.EDITOR),
        "is_owner": request.membership.has_role(Role.OWNER),
    }


@shop_member_required()
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_shop(ModelVersion, request.shop, pk=pk)
    if version.kind == ModelKind.ENCODER:
        return redirect("training:encoder_versions")
    return render_page_or_fragment(
        request,
        "training/version_detail.html",
        "training/_copy_progress.html",
        _detail_context(request, version),
    )


@require_POST
@shop_member_required(Role.OWNER)
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_shop(ModelVersion, request.shop, pk=pk)
    services.activate_version(version, user=request.user)
    messages.success(request, f"{version.get_kind_display()} v{version.number} is now active.")
    return redirect("training:version_detail", pk=version.pk)


@require_POST
@shop_member_required(Role.OWNER)
def copy_rollback(request: HttpRequest) -> HttpResponse:
    previous = services.rollback(request.shop, ModelKind.GENERATOR, user=request.user)
    now = f"v{previous.number}" if previous else "the base copy model"
    messages.success(request, f"Rolled back: new drafts are written by {now}.")
    return redirect("training:versions")


@require_POST
@shop_member_required(Role.EDITOR)
def version_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_shop(ModelVersion, request.shop, pk=pk, kind=ModelKind.GENERATOR)
    services.cancel_training(version, user=request.user)
    messages.success(request, f"Training of v{version.number} cancelled.")
    return redirect("training:version_detail", pk=version.pk)


@shop_member_required(Role.EDITOR)
def copy_export(request: HttpRequest) -> StreamingHttpResponse:
    """The training set as JSONL: one chat per line with its split (train / heldout)."""
    include_published = request.GET.get("published") == "1"
    response = StreamingHttpResponse(
        jsonl_lines(request.shop, include_published=include_published),
        content_type="application/jsonl; charset=utf-8",
    )
    name = f"{request.shop.slug}-copy-training.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
