"""A run's lists computed by several threads, or with the faster paths, are the same lists."""

import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations import run_output
from recommendations.engine import blocks, core, item_lists
from tests.recommendations.trained import Trained, trained_ranker


def _ranker_and_data(content: bool, **knobs) -> Trained:
    return trained_ranker(
        content, size=(700, 150, 12000), seed=5, rng_seed=1, unavailable=0.05, **knobs
    )


@pytest.mark.parametrize(
    "content, knobs",
    [
        (True, {}),
        (False, {}),
        (True, {"diversity": 0.3, "category_cap": 2, "popularity_penalty": 0.2}),
    ],
)
def test_customer_lists_of_several_threads_equal_the_serial_ones(content, knobs):
    ranker, user_factors, _, _, matrix = _ranker_and_data(content, **knobs)
    serial = core.recommend_all(ranker, user_factors, matrix, 10, block=64, workers=1)
    done = []
    parallel = core.recommend_all(
        ranker, user_factors, matrix, 10, block=64, workers=3, progress=done.append
    )
    # Same items, order, reasons, `via` and scores (the same blocks, only side by side).
    assert parallel == serial
    assert len(serial) == 700 and sum(map(len, serial)) == 7000
    assert done == sorted(done) and done[-1] == 700


def test_similar_lists_of_several_threads_equal_the_serial_ones():
    _, _, item_factors, embeddings, _ = _ranker_and_data(True)
    available = np.ones(item_factors.shape[0], bool)
    available[::7] = False
    serial = item_lists.similar_items(item_factors, embeddings, available, 8, block=32)
    parallel = item_lists.similar_items(item_factors, embeddings, available, 8, block=32, workers=3)
    assert parallel == serial
    assert {rec.reason for recs in serial for rec in recs} == {"similar_to", "also_liked"}
    assert not any(rec.item % 7 == 0 for recs in serial for rec in recs)


def test_blocks_come_back_in_order_when_later_ones_finish_first():
    finished = []

    def work(start: int) -> str:
        time.sleep(0.02 * (5 - start))  # block 0 is the slowest
        finished.append(start)
        return f"block {start} on {threading.current_thread().name}"

    results = list(blocks.in_order(work, range(5), workers=3))
    assert [start for start, _ in results] == [0, 1, 2, 3, 4]
    assert [text.split(" on ")[0] for _, text in results] == [f"block {i}" for i in range(5)]
    assert finished != sorted(finished)  # they did run side by side
    assert all("lists" in text for _, text in results)


def test_a_failing_block_fails_the_lists():
    def work(start: int) -> int:
        if start == 2:
            raise ValueError("bad block")
        return start

    with pytest.raises(ValueError, match="bad block"):
        list(blocks.in_order(work, range(6), workers=2))


def test_worker_count_follows_the_setting_else_the_cores():
    assert blocks.worker_count(3) == 3
    assert blocks.worker_count(0) >= 1


def _bought_together_one_item_at_a_time(purchases, available, n, min_support=2):
    """The previous per-item loop, kept as the reference."""
    bought = (purchases > 0).astype(np.float32).tocsr()
    n_users = max(bought.shape[0], 1)
    counts = np.asarray(bought.sum(axis=0)).ravel()
    co = (bought.T @ bought).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    out = []
    for item in range(co.shape[0]):
        others = co.indices[co.indptr[item] : co.indptr[item + 1]]
        together = co.data[co.indptr[item] : co.indptr[item + 1]]
        keep = (together >= min_support) & available[others]
        others, together = others[keep], together[keep]
        lift = together * n_users / (counts[item] * counts[others])
        order = np.lexsort((-lift, -together))[:n]
        out.append(
            [core.Rec(int(others[j]), float(together[j]), "bought_together", item) for j in order]
        )
    return out


@pytest.mark.parametrize("shape", [(300, 60, 4000), (40, 12, 150), (5, 4, 0)])
def test_bought_together_equals_the_per_item_ranking(shape):
    n_users, n_items, events = shape
    rng = np.random.default_rng(n_items)
    purchases = sp.csr_matrix(
        (
            np.ones(events, np.float32),
            (rng.integers(0, n_users, events), rng.integers(0, n_items, events)),
        ),
        shape=(n_users, n_items),
    )
    available = rng.random(n_items) > 0.1
    expected = _bought_together_one_item_at_a_time(purchases, available, 5)
    assert item_lists.bought_together(purchases, available, 5) == expected
    if events > 1000:  # ties in the count are ordered by lift: the case worth checking
        assert sum(len(recs) == 5 for recs in expected) > n_items // 2


def test_event_weights_and_kind_masks_per_kind():
    kinds = ["view", "purchase", "odd", "cart", np.str_("purchase"), "rating"]
    weights = {"view": 1.0, "purchase": 5.0, "cart": 3.0, "rating": 2.5}
    assert core.event_weights(kinds, weights).tolist() == [1.0, 5.0, 0.0, 3.0, 5.0, 2.5]
    assert core.event_weights(kinds, weights).dtype == np.float32
    assert core.event_weights([], weights).shape == (0,)
    assert run_output.kind_mask(kinds, ("purchase",)).tolist() == [0, 1, 0, 0, 1, 0]
    assert run_output.kind_mask(kinds, ("purchase", "cart")).tolist() == [0, 1, 0, 1, 1, 0]


FAST = {"candidates": ["als"], "tuning_budget_s": 0}


def _stored_lists(run) -> tuple[dict, dict]:
    from recommendations.models import CustomerRecommendation, ProductRecommendation

    customers = {
        row.customer_id: (row.source, row.items)
        for row in CustomerRecommendation.objects.filter(run=run)
    }
    products = {
        (row.product_id, row.kind): row.items
        for row in ProductRecommendation.objects.filter(run=run)
    }
    return customers, products


def test_a_run_stores_the_same_lists_with_one_thread_or_several(
    shop, planted, settings, monkeypatch
):
    from functools import partial

    from recommendations import services
    from recommendations.tasks import run_recommendation_job
    from tests.recommendations.conftest import run_now

    # Blocks of 8 rows: the small test shop then makes several blocks for the threads to share.
    monkeypatch.setattr(core, "recommend_all", partial(core.recommend_all, block=8))
    monkeypatch.setattr(item_lists, "similar_items", partial(item_lists.similar_items, block=8))
    calls = []
    real_in_order = blocks.in_order

    def counting(work, starts, workers=1):
        calls.append((workers, len(starts)))
        return real_in_order(work, starts, workers)

    monkeypatch.setattr(blocks, "in_order", counting)
    settings.SHOPLLM_RECOMMENDATION_THREADS = 1
    serial = run_now(shop, **FAST)
    settings.SHOPLLM_RECOMMENDATION_THREADS = 3
    # A fresh selection: a reused one would start the ALS from the serial run's factors.
    parallel = services.start_run(shop, fresh_selection=True)
    run_recommendation_job(parallel.job_id)
    parallel.refresh_from_db()
    assert serial.job.status == parallel.job.status == "succeeded"
    serial_customers, serial_products = _stored_lists(serial)
    assert serial_customers and serial_products
    assert _stored_lists(parallel) == (serial_customers, serial_products)
    # Customer lists (48 customers) then product lists (5 blocks) in blocks of 8, per run.
    assert calls == [(1, 6), (1, 5), (3, 6), (3, 5)]


def test_a_run_builds_its_lists_without_cyclic_gc_and_turns_it_back_on(shop, planted, monkeypatch):
    import gc

    from recommendations import services
    from tests.recommendations.conftest import run_now

    seen = []
    store = services._store_lists

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return store(*args, **kwargs)

    monkeypatch.setattr(services, "_store_lists", spying)
    assert gc.isenabled()
    run = run_now(shop, **FAST)
    assert run.job.status == "succeeded"
    assert seen == [False] and gc.isenabled()
