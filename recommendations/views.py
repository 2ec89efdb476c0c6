"""Pages: runs (list, start, detail with charts), settings, customer and product previews."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Customer, Product, Role
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from recommendations import charts, services, serving
from recommendations.engine.evaluation import METRIC_NAMES
from recommendations.forms import RecommenderSettingsForm
from recommendations.models import ListKind, RecommendationRun

RUNS_SHOWN = 30


def _metric_rows(run: RecommendationRun) -> list[dict]:
    metrics = run.metrics or {}
    model, popularity = metrics.get("model") or {}, metrics.get("popularity") or {}
    rows = []
    for name in METRIC_NAMES:
        if name not in model:
            continue
        model_value, baseline = model[name], popularity.get(name)
        ratio = round(model_value / baseline, 2) if baseline else None
        rows.append({"name": name, "model": model_value, "popularity": baseline, "ratio": ratio})
    return rows


def _recent_runs(shop) -> list[RecommendationRun]:
    runs = list(
        RecommendationRun.objects.for_shop(shop)
        .defer("popular")
        .select_related("job")
        .order_by("-created_at")[:RUNS_SHOWN]
    )
    for run in runs:
        model = (run.metrics or {}).get("model")
        popularity = (run.metrics or {}).get("popularity") or {}
        run.summary = (
            {
                "ndcg_model": model.get("ndcg@10"),
                "ndcg_popularity": popularity.get("ndcg@10"),
                "recall_model": model.get("recall@10"),
                "recall_popularity": popularity.get("recall@10"),
            }
            if model
            else None
        )
    return runs


@shop_member_required()
def run_list(request: HttpRequest) -> HttpResponse:
    runs = _recent_runs(request.shop)
    latest = serving.served_run(request.shop)
    context = {
        "runs": runs,
        "latest": latest,
        "chart": charts.metrics_over_runs(list(reversed(runs))),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "active": any(not run.job.is_finished for run in runs),
    }
    return render_page_or_fragment(
        request, "recommendations/run_list.html", "recommendations/_run_rows.html", context
    )


@shop_member_required(Role.EDITOR)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    fresh = request.POST.get("fresh_selection") == "1"
    run = services.start_run(
        request.shop, user=request.user, trigger="manual", fresh_selection=fresh
    )
    messages.success(request, f"Recommendation run #{run.pk} queued.")
    return redirect("recommendations:run_detail", pk=run.pk)


@shop_member_required()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_for_shop(RecommendationRun, request.shop, pk=pk)
    runs = _recent_runs(request.shop)
    context = {
        "run": run,
        "job": run.job,
        "metric_rows": _metric_rows(run),
        "split": (run.metrics or {}).get("split") or {},
        "metrics_error": (run.metrics or {}).get("error"),
        "selection": (run.metrics or {}).get("selection"),
        "chart": charts.metrics_over_runs(list(reversed(runs))),
        "bars": charts.popularity_bars((run.stats or {}).get("popularity_histogram") or {}),
        "ctr": serving.run_ctr(run),
        "timings": (run.stats or {}).get("timings") or {},
    }
    return render(request, "recommendations/run_detail.html", context)


@shop_member_required()
def settings_view(request: HttpRequest) -> HttpResponse:
    recommender_settings = services.get_settings(request.shop)
    can_edit = request.membership.has_role(Role.EDITOR)
    if request.method == "POST":
        if not can_edit:
            messages.error(request, "Changing the recommender settings needs the editor role.")
            return redirect("recommendations:settings")
        form = RecommenderSettingsForm(request.POST)
        if form.is_valid():
            services.update_settings(request.shop, form.settings_fields())
            messages.success(request, "Settings saved; the next run uses them.")
            return redirect("recommendations:run_list")
    else:
        form = RecommenderSettingsForm.for_settings(recommender_settings)
    return render(request, "recommendations/settings.html", {"form": form, "can_edit": can_edit})


@shop_member_required()
def customer_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """History beside recommendations with reasons (fragment for htmx, else a full page)."""
    customer = get_for_shop(Customer, request.shop, pk=pk)
    served = serving.for_customer(request.shop, customer, n=10, record=False)
    context = {
        "customer": customer,
        "served": served,
        "history": serving.history(customer),
        "loaded": True,
    }
    return render_page_or_fragment(
        request, "recommendations/customer.html", "recommendations/_customer_panel.html", context
    )


@shop_member_required()
def product_panel(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_for_shop(Product, request.shop, pk=pk)
    context = {
        "product": product,
        "similar": serving.for_product(request.shop, product, ListKind.SIMILAR, record=False),
        "together": serving.for_product(
            request.shop, product, ListKind.BOUGHT_TOGETHER, record=False
        ),
        "loaded": True,
    }
    return render_page_or_fragment(
        request, "recommendations/product.html", "recommendations/_product_panel.html", context
    )
