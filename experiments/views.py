"""Pages: experiment list, create forms, detail with live figures, start/stop/promote."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.audit import audit_events
from catalog.errors import InvalidInput
from catalog.forms import add_rule_errors
from catalog.models import Role
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from experiments import charts, services
from experiments.analysis import analyse_experiment
from experiments.forms import CopyExperimentForm, RecommendationExperimentForm
from experiments.models import Experiment, ServedRunPin

LIST_SHOWN = 100


@shop_member_required()
def experiment_list(request: HttpRequest) -> HttpResponse:
    experiments = (
        Experiment.objects.for_shop(request.shop)
        .select_related("winner")
        .prefetch_related("arms")
        .order_by("-created_at", "-pk")[:LIST_SHOWN]
    )
    pin = ServedRunPin.objects.filter(shop=request.shop).select_related("run", "experiment").first()
    return render(
        request,
        "experiments/experiment_list.html",
        {
            "experiments": experiments,
            "pin": pin,
            "can_edit": request.membership.has_role(Role.EDITOR),
        },
    )


@shop_member_required(Role.EDITOR)
def experiment_create(request: HttpRequest) -> HttpResponse:
    form = RecommendationExperimentForm(request.POST or None, shop=request.shop)
    if request.method == "POST" and form.is_valid():
        arms = [
            services.ArmSpec(name, weight, run, settings)
            for name, weight, (run, settings) in zip(
                ("A", "B", "C"), form.cleaned_data["split"], form.arm_choices(), strict=False
            )
        ]
        try:
            experiment = services.create_recommendation_experiment(
                request.shop,
                user=request.user,
                name=form.cleaned_data["name"],
                placement=form.cleaned_data["placement"],
                arms=arms,
                **form.plan(),
            )
        except InvalidInput as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, "Experiment created: check the plan, then start it.")
            return redirect("experiments:detail", pk=experiment.pk)
    return render(
        request, "experiments/experiment_form.html", {"form": form, "kind": "recommendations"}
    )


@shop_member_required(Role.EDITOR)
def experiment_create_copy(request: HttpRequest) -> HttpResponse:
    form = CopyExperimentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            experiment, skipped = services.create_copy_experiment(
                request.shop,
                user=request.user,
                name=form.cleaned_data["name"],
                field=form.cleaned_data["field"],
                skus=form.cleaned_data["skus"],
                split=form.cleaned_data["split"],
                **form.plan(),
            )
        except InvalidInput as exc:
            add_rule_errors(form, exc)
        else:
            if skipped:
                messages.warning(
                    request,
                    f"{len(skipped)} product(s) left out (fewer than two approved versions): "
                    + ", ".join(skipped[:10]),
                )
            messages.success(request, "Experiment created: check the plan, then start it.")
            return redirect("experiments:detail", pk=experiment.pk)
    return render(request, "experiments/experiment_form.html", {"form": form, "kind": "copy"})


@shop_member_required()
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_for_shop(Experiment, request.shop, pk=pk)
    result = analyse_experiment(experiment)
    arms = list(experiment.arms.select_related("run__job").order_by("position"))
    for arm, row in zip(arms, result["arms"], strict=True):
        row["arm"] = arm
    context = {
        "experiment": experiment,
        "arms": arms,
        "result": result,
        "chart": charts.arms_over_time(result["timeline"]),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "arms_to_train": services.arms_to_train(experiment),
        "copy_products": experiment.copy_variants.values("product").distinct().count(),
        "trail": audit_events(request.shop)
        .filter(target_type="experiment", target_id=str(experiment.pk))
        .order_by("at", "pk"),
    }
    return render_page_or_fragment(
        request, "experiments/experiment_detail.html", "experiments/_figures.html", context
    )


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    experiment = get_for_shop(Experiment, request.shop, pk=pk)
    action(experiment, user=request.user)
    messages.success(request, done)
    return redirect("experiments:detail", pk=experiment.pk)


@shop_member_required(Role.EDITOR)
@require_POST
def experiment_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.start_experiment, "Experiment started.")


@shop_member_required(Role.EDITOR)
@require_POST
def experiment_train(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.train_next_arm, "The next arm's run is queued.")


@shop_member_required(Role.EDITOR)
@require_POST
def experiment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.stop_experiment, "Experiment stopped.")


@shop_member_required(Role.EDITOR)
@require_POST
def experiment_promote(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.promote_winner, "The winning arm is now the default.")


@shop_member_required(Role.EDITOR)
@require_POST
def unpin_run(request: HttpRequest) -> HttpResponse:
    services.unpin_served_run(request.shop)
    messages.success(request, "Recommendations serve the latest successful run again.")
    return redirect("experiments:list")
