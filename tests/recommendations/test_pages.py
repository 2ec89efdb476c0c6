"""Pages: run list and start, run detail with charts, settings, customer and product previews."""

from django.urls import reverse

from catalog.models import Customer, Product
from recommendations.models import RecommendationRun, RecommenderSettings
from tests.recommendations.conftest import run_now


def test_run_list_shows_runs_and_start_button_for_editors(shop, planted, editor_client):
    run = run_now(shop)
    response = editor_client.get(reverse("recommendations:run_list"))
    assert response.status_code == 200
    assert f"#{run.pk}" in response.content.decode()
    assert "Start a run now" in response.content.decode()
    assert "<svg" in response.content.decode()


def test_viewer_sees_runs_but_cannot_start_one(shop, planted, viewer_client):
    response = viewer_client.get(reverse("recommendations:run_list"))
    assert "Start a run now" not in response.content.decode()
    response = viewer_client.post(reverse("recommendations:run_start"))
    assert response.status_code == 403
    assert not RecommendationRun.objects.exists()


def test_start_button_queues_a_run_job(
    shop, planted, editor_client, django_capture_on_commit_callbacks, monkeypatch
):
    from catalog import jobs

    sent = []
    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("recommendations:run_start"))
    run = RecommendationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "recommendations:run_detail", args=[run.pk]
    )
    assert sent == [run.job_id] and run.job.kind == "recommendation_run"
    response = editor_client.post(reverse("recommendations:run_start"), follow=True)
    assert "already queued or running" in response.content.decode()


def test_run_list_queries_are_bounded(shop, planted, owner_client, django_assert_max_num_queries):
    for _ in range(3):
        run_now(shop)
    with django_assert_max_num_queries(10):
        owner_client.get(reverse("recommendations:run_list"))


def test_run_detail_shows_metrics_against_popularity_and_charts(shop, planted, owner_client):
    run_now(shop)
    run = run_now(shop)
    body = owner_client.get(reverse("recommendations:run_detail", args=[run.pk])).content.decode()
    assert "ndcg@10" in body and "Popularity baseline" in body
    assert body.count("<svg") == 2
    assert "polyline" in body and "<rect" in body


def test_settings_page_saves_repurchasable_categories(shop, editor_client):
    data = {
        "view_weight": 1,
        "cart_weight": 2,
        "purchase_weight": 6,
        "rating_weight": 1,
        "content_weight": 0.4,
        "top_n": 15,
        "factors": 32,
        "iterations": 10,
        "regularization": 0.1,
        "alpha": 3,
        "repurchasable_categories": "Coffee, Pantry > Tea",
        "repurchasable_tags": "consumable",
        "candidates": ["als", "item_knn", "popularity"],
        "tuning_budget_s": 60,
    }
    response = editor_client.post(reverse("recommendations:settings"), data)
    assert response.status_code == 302
    saved = RecommenderSettings.objects.get(shop=shop)
    assert saved.repurchasable_categories == ["Coffee", "Pantry > Tea"]
    assert saved.weights["purchase"] == 6 and saved.top_n == 15


def test_bad_settings_are_rejected_with_a_message(shop, editor_client):
    response = editor_client.post(reverse("recommendations:settings"), {"content_weight": 3})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_customer_preview_shows_history_beside_reasons(shop, planted, viewer_client):
    run_now(shop)
    customer = planted["customers"][0]
    url = reverse("recommendations:customer_panel", args=[customer.pk])
    full = viewer_client.get(url).content.decode()
    assert "History" in full and ("Because you" in full or "Similar to" in full)
    fragment = viewer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Would be shown" in fragment


def test_customer_panel_placeholder_lazy_loads(shop, planted):
    from django.template.loader import render_to_string

    customer = planted["customers"][0]
    html = render_to_string("recommendations/_customer_panel.html", {"customer": customer})
    assert reverse("recommendations:customer_panel", args=[customer.pk]) in html
    assert 'hx-trigger="load"' in html


def test_product_panel_shows_similar_and_bought_together(shop, planted, viewer_client):
    run_now(shop)
    product = planted["products"][0]
    url = reverse("recommendations:product_panel", args=[product.pk])
    body = viewer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Similar products" in body and "Bought together" in body
    assert "Tents item" in body


def test_product_titles_are_escaped(shop, planted, viewer_client):
    Product.objects.filter(pk=planted["products"][1].pk).update(title="<script>x</script>")
    run_now(shop)
    body = viewer_client.get(
        reverse("recommendations:product_panel", args=[planted["products"][0].pk])
    ).content.decode()
    assert "<script>x</script>" not in body


def test_outsider_gets_404_on_every_page_of_another_shop(shop, planted, outsider_client):
    run = run_now(shop)
    customer = Customer.objects.filter(shop=shop).first()
    product = Product.objects.filter(shop=shop).first()
    for url in (
        reverse("recommendations:run_detail", args=[run.pk]),
        reverse("recommendations:customer_panel", args=[customer.pk]),
        reverse("recommendations:product_panel", args=[product.pk]),
    ):
        assert outsider_client.get(url).status_code == 404, url
    # Their own list page shows only their shop's runs.
    body = outsider_client.get(reverse("recommendations:run_list")).content.decode()
    assert f"runs/{run.pk}/" not in body


def test_catalog_detail_pages_lazy_load_the_panels(shop, planted, viewer_client):
    customer = planted["customers"][0]
    body = viewer_client.get(reverse("catalog:customer_detail", args=[customer.pk])).content
    assert reverse("recommendations:customer_panel", args=[customer.pk]) in body.decode()
    product = planted["products"][0]
    body = viewer_client.get(reverse("catalog:product_detail", args=[product.pk])).content
    assert reverse("recommendations:product_panel", args=[product.pk]) in body.decode()


def test_nav_has_a_recommendations_link(shop, viewer_client):
    body = viewer_client.get(reverse("recommendations:run_list")).content.decode()
    assert f'href="{reverse("recommendations:run_list")}"' in body
