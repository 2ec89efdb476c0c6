"""Exposure fairness: long tail, categories and brands of the stored lists against the catalog."""

import numpy as np
import pytest
from django.urls import reverse

from catalog.models import Product
from recommendations.engine.fairness import exposure_report, gini, long_tail_mask
from tests.recommendations.conftest import run_now

# One candidate, no tuning: these tests are about what happens after training.
FAST = {"candidates": ["als"], "tuning_budget_s": 0}

BASE = "/api/v1/recommendations"


def test_long_tail_is_outside_the_top_fifth_by_popularity():
    popularity = np.array([50, 40, 30, 20, 10, 9, 8, 7, 6, 5], dtype=np.float32)
    tail = long_tail_mask(popularity, np.ones(10, bool))
    assert tail.tolist() == [False, False] + [True] * 8


def test_report_compares_exposure_with_catalog_share():
    popularity = np.array([50, 40, 30, 20, 10, 9, 8, 7, 6, 5], dtype=np.float32)
    categories = ["A"] * 5 + ["B"] * 5
    brands = ["Acme", "Acme", "", "Zed", "Zed", "Zed", "Zed", "Zed", "Zed", "Zed"]
    lists = [[0, 1, 2], [0, 1, 3], [0, 4, 9]]  # 9 slots, 5 of them head items
    report = exposure_report(lists, popularity, categories=categories, brands=brands)
    assert report["slots"] == 9 and report["catalog_items"] == 10
    tail = report["long_tail"]
    assert tail["catalog_share"] == 0.8
    assert tail["exposure_share"] == pytest.approx(4 / 9, abs=1e-4)
    assert tail["ratio"] == pytest.approx((4 / 9) / 0.8, abs=0.01)
    by_name = {row["name"]: row for row in report["categories"]}
    assert by_name["A"]["catalog_share"] == 0.5
    assert by_name["A"]["exposure_share"] == pytest.approx(8 / 9, abs=1e-4)
    assert by_name["B"]["ratio"] < 1 < by_name["A"]["ratio"]
    brand_rows = {row["name"]: row for row in report["brands"]}
    assert brand_rows["(none)"]["catalog_share"] == 0.1
    assert report["items_shown_share"] == 0.6
    assert report["max_share"] >= by_name["A"]["exposure_share"]


def test_small_groups_are_summed_into_other():
    popularity = np.ones(20, dtype=np.float32)
    categories = [f"C{i}" for i in range(20)]
    report = exposure_report([[0, 1]], popularity, categories=categories, top=3)
    assert len(report["categories"]) == 4
    other = report["categories"][-1]
    assert other["name"] == "Other (17)"
    assert sum(row["catalog_share"] for row in report["categories"]) == pytest.approx(1.0)
    assert report["brands"] == []  # no brand data: no brand rows


def test_out_of_stock_items_are_not_part_of_the_catalog_share():
    popularity = np.array([5, 4, 3, 2], dtype=np.float32)
    available = np.array([True, True, False, False])
    report = exposure_report(
        [[0, 1]], popularity, categories=["A", "A", "B", "B"], available=available
    )
    assert report["catalog_items"] == 2
    assert {row["name"] for row in report["categories"] if row["catalog_share"]} == {"A"}


def test_gini_is_zero_for_equal_and_high_for_concentrated_exposure():
    assert gini(np.array([3, 3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)


def test_run_stores_the_report_and_shows_it_on_the_page_and_in_the_api(
    shop, planted, owner_client, viewer_api
):
    Product.objects.filter(pk__in=[p.pk for p in planted["by_group"]["Tents"]]).update(
        brand="Alpine"
    )
    run = run_now(shop, **FAST)
    fairness = run.stats["fairness"]
    assert fairness["slots"] > 0
    assert 0 < fairness["long_tail"]["catalog_share"] < 1
    names = {row["name"] for row in fairness["categories"]}
    assert "Tents > Shelf" in names
    assert {row["name"] for row in fairness["brands"]} == {"Alpine", "(none)"}
    body = owner_client.get(reverse("recommendations:run_detail", args=[run.pk])).content.decode()
    assert "Exposure fairness" in body and "Tents &gt; Shelf" in body and "<progress" in body
    api = viewer_api.get(f"{BASE}/runs/{run.pk}/").json()
    assert api["stats"]["fairness"]["long_tail"] == fairness["long_tail"]


def test_popularity_penalty_raises_long_tail_exposure_of_a_run(shop, planted):
    plain = run_now(shop, **FAST)
    debiased = run_now(shop, popularity_penalty=0.5, **FAST)
    assert (
        debiased.stats["fairness"]["long_tail"]["exposure_share"]
        > plain.stats["fairness"]["long_tail"]["exposure_share"]
    )


def test_outsider_cannot_see_another_shops_fairness_report(
    shop, planted, outsider_client, outsider_api
):
    run = run_now(shop, **FAST)
    page = outsider_client.get(reverse("recommendations:run_detail", args=[run.pk]))
    assert page.status_code == 404
    assert outsider_api.get(f"{BASE}/runs/{run.pk}/").status_code == 404
    assert outsider_api.get(f"{BASE}/runs/").json()["results"] == []
