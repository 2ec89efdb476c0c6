"""Speed paths: no encoder when no product changed, batched reasons, one BLAS thread."""

import numpy as np
import pytest

from catalog.models import Product
from recommendations import services
from recommendations.engine import core
from recommendations.models import ProductEmbedding
from shopllm_site.ml import set_encoder
from tests.recommendations.conftest import FakeEncoder, run_now
from tests.recommendations.trained import trained_ranker

# One candidate, no tuning: these tests are about what happens after training.
FAST = {"candidates": ["als"], "tuning_budget_s": 0}


class CountingEncoder(FakeEncoder):
    def __init__(self):
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += texts
        return super().embed(texts)


@pytest.fixture
def counted(settings, monkeypatch):
    """The settings encoder's space is the fake's name; every encoder lookup is counted."""
    import catalog.model_versions

    settings.SHOPLLM_ENCODER_MODEL = CountingEncoder.model_name
    encoder = CountingEncoder()
    set_encoder(encoder)  # installed under the changed settings key
    lookups = []
    real = catalog.model_versions.shop_encoder

    def counting_shop_encoder(*args, **kwargs):
        lookups.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog.model_versions, "shop_encoder", counting_shop_encoder)
    yield encoder, lookups
    set_encoder(None)


def test_unchanged_catalog_does_not_load_the_encoder(shop, planted, counted):
    encoder, lookups = counted
    assert services.refresh_embeddings(shop) == len(planted["products"])
    assert len(lookups) == 1 and len(encoder.texts) == len(planted["products"])
    lookups.clear()
    encoder.texts.clear()
    assert services.refresh_embeddings(shop) == 0
    assert lookups == [] and encoder.texts == []


def test_only_new_or_changed_products_are_embedded(shop, planted, counted):
    encoder, lookups = counted
    services.refresh_embeddings(shop)
    encoder.texts.clear()
    changed = planted["products"][0]
    Product.objects.filter(pk=changed.pk).update(title="Ultralight tent 2")
    Product.objects.create(shop=shop, sku="NEW-1", title="Camping stove")
    assert services.refresh_embeddings(shop) == 2
    assert sorted(text.split("\n")[0] for text in encoder.texts) == [
        "Camping stove",
        "Ultralight tent 2",
    ]
    assert ProductEmbedding.objects.filter(shop=shop).count() == len(planted["products"]) + 1


def test_product_texts_from_plain_rows_equal_the_model_instances_texts(shop, planted):
    from recommendations.embeddings import product_text, text_hash

    Product.objects.filter(pk=planted["products"][0].pk).update(
        brand="Alpine",
        tags=["outdoor", "tent"],
        bullet_points=["Light", "Waterproof"],
        description="A tent.",
        attributes={"size": ["S", "M"], "colour": "green"},
    )
    expected = []
    for product in Product.objects.for_shop(shop):
        text = product_text(product)
        expected.append((product.pk, text, text_hash(text)))
    texts = services._product_texts(shop)
    assert sorted(texts) == sorted(expected)
    assert any("Brand: Alpine" in text and "size: S, M" in text for _, text, _ in texts)


def test_second_run_with_no_product_changed_never_asks_for_the_encoder(shop, planted, counted):
    encoder, lookups = counted
    first = run_now(shop, **FAST)
    assert lookups and first.stats["timings"]["embeddings_s"] >= 0
    lookups.clear()
    encoder.texts.clear()
    second = run_now(shop, **FAST)
    assert lookups == [] and encoder.texts == []
    assert second.stats["customer_lists"] == first.stats["customer_lists"]


def _ranker_and_data(content: bool, **knobs):
    trained = trained_ranker(content, **knobs)
    return trained.ranker, trained.user_factors, trained.matrix


@pytest.mark.parametrize("content", [True, False])
def test_batched_reasons_match_the_per_customer_path(content):
    ranker, user_factors, matrix = _ranker_and_data(content)
    batched = core.recommend_all(ranker, user_factors, matrix, 10, block=128)
    total, cf_part, content_part = ranker._scores(user_factors, matrix)
    ranker._mask(total, matrix, "non_repurchasable")
    one_by_one = []
    for row in range(matrix.shape[0]):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        one_by_one.append(
            ranker.recommend(
                matrix.indices[lo:hi],
                matrix.data[lo:hi],
                10,
                user_factors[row],
                scores_block=(total[row], cf_part[row], content_part[row]),
            )
        )
    assert len(batched) == len(one_by_one) == 300
    for fast, slow in zip(batched, one_by_one, strict=True):
        # Same items, order, reasons and `via`; scores equal up to float rounding (block sizes).
        assert [(r.item, r.reason, r.via) for r in fast] == [
            (r.item, r.reason, r.via) for r in slow
        ]
        assert np.allclose([r.score for r in fast], [r.score for r in slow], atol=1e-5)
    reasons = {rec.reason for recs in batched for rec in recs}
    assert "because_you" in reasons and (("similar_to" in reasons) == content)


def test_lists_and_reasons_run_on_one_blas_thread(monkeypatch):
    from threadpoolctl import threadpool_info

    ranker, user_factors, matrix = _ranker_and_data(True)
    seen = []
    explain = ranker._explain_block

    def spying(*args, **kwargs):
        seen.extend(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
        return explain(*args, **kwargs)

    monkeypatch.setattr(ranker, "_explain_block", spying)
    core.recommend_all(ranker, user_factors, matrix, 5)
    assert seen and set(seen) == {1}


def test_fold_in_applies_the_re_ranking_knobs():
    ranker, user_factors, matrix = _ranker_and_data(True, category_cap=1)
    history = matrix[0].indices
    recs = ranker.recommend(history, np.ones(len(history), np.float32), 5)
    model_recs = [rec for rec in recs if rec.reason in ("because_you", "similar_to")]
    categories = [ranker.categories[rec.item] for rec in model_recs]
    assert len(model_recs) == 5 and len(set(categories)) == 5


def test_batched_reasons_of_a_served_als_candidate_match_its_own_explain():
    from recommendations.engine.candidates import FactorScorer

    ranker, user_factors, matrix = _ranker_and_data(False)
    tuned = FactorScorer(
        name="als",
        params={"alpha": 1.5, "regularization": 0.2},
        n_items=ranker.V.shape[0],
        popularity=ranker.popularity,
        user_factors=user_factors,
        item_factors=ranker.V * 1.3,
        alpha=1.5,
        regularization=0.2,
    )
    ranker.scorer = tuned
    batched = core.recommend_all(ranker, user_factors, matrix, 8)
    total, cf_part, content_part = ranker._scores(user_factors, matrix)
    ranker._mask(total, matrix, "non_repurchasable")
    for row in range(0, matrix.shape[0], 7):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        slow = ranker.recommend(
            matrix.indices[lo:hi],
            matrix.data[lo:hi],
            8,
            user_factors[row],
            scores_block=(total[row], cf_part[row], content_part[row]),
        )
        assert [(r.item, r.via) for r in batched[row]] == [(r.item, r.via) for r in slow]


@pytest.mark.parametrize("n_items", [60, 5_000, 20_000, 20_003])
def test_top_n_rows_equals_a_full_sort(n_items):
    # Wide rows take the block-bound path, narrow ones argpartition: both must give the n best
    # finite scores, best first, ties to the lower index, -1 where fewer qualify.
    rng = np.random.default_rng(n_items)
    scores = rng.normal(size=(40, n_items)).astype(np.float32)
    scores[:, rng.integers(0, n_items, 30)] = -np.inf
    scores[1, :] = -np.inf
    scores[2, 4:] = -np.inf
    scores[3, :50] = 5.0  # ties above everything else
    scores[4] = np.round(scores[4])  # many ties everywhere
    got = core.top_n_rows(scores, 20)
    for row, values in enumerate(scores):
        finite = np.flatnonzero(np.isfinite(values))
        expected = finite[np.lexsort((finite, -values[finite]))][:20].tolist()
        assert got[row].tolist() == expected + [-1] * (20 - len(expected))


def test_stored_item_text_is_the_json_of_the_item_dicts():
    import json

    from recommendations import run_output

    titles = ['Mug "Big"', "Back\\slash", "Tab\tand\nline", "Ünïcode “quoted”", "plain", "x\x01"]
    data = run_output.ShopData(
        product_ids=[11, 12, 13, 14, 15, 16],
        titles=titles,
        categories=["Kitchen > Mugs", 'Odd "cat"', "", "Tools", "", "C"],
        available=np.ones(6, bool),
        repurchasable=np.zeros(6, bool),
        customer_ids=[1],
        users=np.zeros(0, np.int64),
        items=np.zeros(0, np.int64),
        kinds=[],
        timestamps=np.zeros(0),
        until=None,
        last_id=None,
        brands=[""] * 6,
    )
    recs = [
        core.Rec(0, 0.123456, "because_you", 1),
        core.Rec(1, 1.0, "similar_to", 2),
        core.Rec(2, 0.5, "also_liked", 3),
        core.Rec(3, 7.0, "bought_together", 4),
        core.Rec(4, 0.00001, "popular_in_category", None),
        core.Rec(5, 0.2, "popular", None),
        core.Rec(1, 0.3, "popular_in_category", None),
    ]
    text = run_output.ItemText(data)
    for kinds in ({}, {1: 3, 2: 0}):
        expected = [run_output.item_json(rec, data, kinds.get(rec.via)) for rec in recs]
        assert json.loads(text.items(recs, [kinds.get(rec.via) for rec in recs])) == expected
    assert json.loads(text.items(recs)) == [run_output.item_json(r, data, None) for r in recs]
    assert text.items([]) == "[]"


def test_stored_scores_are_the_rounded_reprs():
    from recommendations import run_output

    rng = np.random.default_rng(3)
    scores = [0.0, -0.0, 1e-5, -1e-5, 5e-5, 1.5e-4, 2.5e-4, 0.00015, 1.00005, 2.5, 3, 7.0]
    scores += [-0.99995, 0.1, 123456789.12345, 1e15, -1e15, 3e17, float("nan"), float("inf")]
    scores += rng.uniform(-10, 10, 20000).tolist() + (rng.integers(0, 10**6, 20000) / 1e5).tolist()
    scores += (rng.integers(0, 10**6, 20000) / 1e5 + 5e-5).tolist()  # ties at the 5th decimal
    for score in scores:
        assert run_output._score_text(score) == repr(round(float(score), 4)), score


def test_customer_list_text_names_the_strongest_kind_on_the_via_product():
    import json

    from recommendations import run_output

    rng = np.random.default_rng(7)
    n_users, n_items, events = 60, 25, 900
    kinds = ["view", "cart", "purchase", "rating", "wishlist"]
    data = run_output.ShopData(
        product_ids=list(range(100, 100 + n_items)),
        titles=[f"Item {i}" for i in range(n_items)],
        categories=[f"Cat {i % 4}" for i in range(n_items)],
        available=np.ones(n_items, bool),
        repurchasable=np.zeros(n_items, bool),
        customer_ids=list(range(n_users)),
        users=rng.integers(0, n_users - 1, events),  # the last customer has no events
        items=rng.integers(0, n_items, events),
        kinds=[kinds[k] for k in rng.integers(0, len(kinds), events)],
        timestamps=np.zeros(events),
        until=None,
        last_id=None,
        brands=[""] * n_items,
    )
    reasons = ["because_you", "similar_to", "popular", "popular_in_category"]
    customer_recs = [
        [
            core.Rec(
                int(rng.integers(n_items)),
                float(rng.random()),
                reasons[r],
                int(rng.integers(n_items)) if r < 2 else None,
            )
            for r in rng.integers(0, len(reasons), int(rng.integers(0, 8)))
        ]
        for _ in range(n_users)
    ]
    strongest = run_output.strongest_kinds(data, n_users, n_items)
    texts = list(run_output.ItemText(data).customer_lists(customer_recs))
    assert len(texts) == n_users
    verbs = set()
    for user, (recs, text) in enumerate(zip(customer_recs, texts, strict=True)):
        expected = run_output.customer_items(recs, data, strongest, user)
        assert json.loads(text) == expected
        verbs.update(item["t"].split(" “")[0] for item in expected)
    # Every verb occurs, and vias the customer never touched: the lookups were exercised.
    assert {"Because you viewed", "Because you bought", "Because you liked"} <= verbs
