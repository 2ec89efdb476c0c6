"""Pages of encoder adaptation: the shop's encoder versions with their figures side by side,
start a training (editor), activate or roll back (owner, through training.services).

Members see their current shop's versions only; another shop's version is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from catalog.model_versions import active_encoder_space
from catalog.models import ModelKind, ModelVersion, Role
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from training import encoder_services
from training import services as training_services

SETTING_FIELDS = ("epochs", "max_steps", "batch_size", "learning_rate")


def _rows_context(request: HttpRequest) -> dict:
    versions = list(encoder_services.encoder_versions(request.shop).order_by("-number")[:50])
    return {
        "versions": versions,
        "training": any(v.status == "training" for v in versions),
        "vector_space": active_encoder_space(request.shop).name,
        "can_edit": request.membership.has_role(Role.EDITOR),
        "is_owner": request.membership.has_role(Role.OWNER),
    }


@shop_member_required()
def encoder_versions(request: HttpRequest) -> HttpResponse:
    return render_page_or_fragment(
        request,
        "training/encoder_versions.html",
        "training/_encoder_rows.html",
        _rows_context(request),
    )


@require_POST
@shop_member_required(Role.EDITOR)
def encoder_start(request: HttpRequest) -> HttpResponse:
    """Start a training; the service checks the settings (errors come back as a message)."""
    values = {name: request.POST[name] for name in SETTING_FIELDS if request.POST.get(name)}
    # An unticked box sends nothing; the hidden field tells that apart from an old form.
    sent = "auto_activate_sent" in request.POST
    values["auto_activate"] = "auto_activate" in request.POST or not sent
    version = encoder_services.start_encoder_training(request.shop, request.user, values)
    messages.success(request, f"Encoder training v{version.number} queued.")
    return redirect("training:encoder_versions")


@require_POST
@shop_member_required(Role.OWNER)
def encoder_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_shop(ModelVersion, request.shop, pk=pk, kind=ModelKind.ENCODER)
    training_services.activate_version(version, user=request.user)
    messages.success(
        request, f"Encoder v{version.number} is active; products and facts are re-embedded now."
    )
    return redirect("training:encoder_versions")


@require_POST
@shop_member_required(Role.OWNER)
def encoder_rollback(request: HttpRequest) -> HttpResponse:
    previous = training_services.rollback(request.shop, ModelKind.ENCODER, user=request.user)
    now = f"v{previous.number}" if previous else "the base encoder"
    messages.success(request, f"Rolled back: the shop uses {now}; re-embedding is queued.")
    return redirect("training:encoder_versions")
