"""Encoder adaptation end to end on a tiny shop: pairs, a short real training run, figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catalog import jobs
from catalog.models import ModelVersionStatus
from shopllm_site.ml.encoder import TransformerEncoder, get_encoder_for
from tests.training.encoder_helpers import build_tiny_shop
from training import encoder_services
from training.encoder_data import build_dataset
from training.encoder_eval import is_better

# Plain shuffled batches: with runs of one category filling a whole batch of 8, six steps on the
# tiny shop do not reliably lower the held-out loss (epoch_order has its own tests).
SHORT_RUN = {
    "max_steps": 6,
    "batch_size": 8,
    "learning_rate": 1e-4,
    "max_length": 48,
    "hard_negatives": 0,
}


@pytest.fixture
def model_store(settings, tmp_path):
    settings.SHOPLLM_MODEL_STORE = tmp_path / "models"
    settings.SHOPLLM_ENCODER_DEVICE = "cpu"
    settings.SHOPLLM_ENCODER_THREADS = 1
    return settings.SHOPLLM_MODEL_STORE


def test_dataset_has_every_source_and_keeps_the_temporal_holdout_out(shop):
    build_tiny_shop(shop)
    dataset = build_dataset(shop, heldout_share=0.5)
    sources = {pair.source for pair in dataset.train}
    assert {"title_description", "co_purchase", "co_view"} <= sources
    assert sources & {"question_fact", "faq"}
    assert dataset.retrieval_cases, "some questions are held out for retrieval"
    held_queries = {case.query for case in dataset.retrieval_cases}
    assert not held_queries & {pair.anchor for pair in dataset.train}
    assert all(case.target in dataset.corpus for case in dataset.retrieval_cases)
    data = dataset.recommendation
    assert data.cutoff is not None and (data.timestamps >= data.cutoff).any()


def test_personal_data_in_questions_is_removed_before_training(shop):
    from answers.models import FaqEntry

    build_tiny_shop(shop)
    FaqEntry.objects.create(
        shop=shop,
        question="I am Anna Schmidt, mail anna.schmidt@example.com: do you gift wrap?",
        answer="Yes, call us on +49 30 1234567 and we wrap it.",
    )
    dataset = build_dataset(shop, heldout_share=0.0)
    texts = " ".join(p.anchor + " " + p.positive for p in dataset.train)
    assert "gift wrap" in texts
    assert "anna.schmidt@example.com" not in texts and "1234567" not in texts


def test_short_training_lowers_heldout_loss_and_changes_the_vectors(shop, owner, model_store):
    build_tiny_shop(shop)
    version = encoder_services.start_encoder_training(shop, owner, SHORT_RUN)
    assert version.status == ModelVersionStatus.TRAINING and version.number == 1

    status = jobs.run_job(version.job_id, encoder_services.run_training_job)
    version.refresh_from_db()
    assert status == "succeeded", version.job.error
    assert version.status == ModelVersionStatus.READY
    assert [point["step"] for point in version.curve] == list(range(1, 7))
    assert all(point["examples_per_s"] > 0 and "eta_s" in point for point in version.curve)
    loss = version.evaluation["heldout_loss"]
    assert loss["after"] < loss["before"]
    assert {row["name"] for row in version.evaluation["rows"]} == {
        "retrieval_hit@1",
        "retrieval_hit@5",
        "content_ndcg@10",
    }
    assert (
        version.evaluation["better"]
        == is_better(version.evaluation["before"], version.evaluation["after"])[0]
    )
    assert version.evaluation["throughput"]["tokens_per_s"] > 0
    folder = Path(version.path)
    assert folder.is_relative_to(model_store) and any(folder.glob("*.safetensors"))

    adapted = TransformerEncoder.load(version.path, device="cpu", model_name="adapted")
    text = ["Dome Tent (Outdoor > Tents)"]
    base_vector = get_encoder_for().embed(text)[0]
    adapted_vector = adapted.embed(text)[0]
    assert abs(float(np.linalg.norm(adapted_vector)) - 1) < 1e-4
    assert float(base_vector @ adapted_vector) < 0.9999


def test_a_second_training_waits_for_the_first(shop, owner, model_store):
    from catalog.errors import Conflict

    build_tiny_shop(shop)
    encoder_services.start_encoder_training(shop, owner, SHORT_RUN)
    with pytest.raises(Conflict):
        encoder_services.start_encoder_training(shop, owner, SHORT_RUN)


def test_bad_settings_are_refused_by_name(shop, owner):
    from catalog.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        encoder_services.start_encoder_training(shop, owner, {"epochs": 99, "colour": "red"})
    assert set(error.value.fields) == {"epochs", "colour"}


def test_a_shop_without_enough_pairs_fails_with_a_reason(shop, owner, model_store):
    version = encoder_services.start_encoder_training(shop, owner, SHORT_RUN)
    status = jobs.run_job(version.job_id, encoder_services.run_training_job)
    version.refresh_from_db()
    assert status == "failed" and "training pairs" in version.job.error
    assert version.status == ModelVersionStatus.FAILED


def test_questions_are_split_by_the_product_they_are_about(shop):
    from training.encoder_data import is_heldout_product

    build_tiny_shop(shop)
    dataset = build_dataset(shop, heldout_share=0.5)
    held = {c.about_product_id for c in dataset.retrieval_cases if c.about_product_id}
    assert held and all(is_heldout_product(pk, 0.5) for pk in held)
    titles = [p.title for p in shop.products.filter(pk__in=held)]
    trained = [p for p in dataset.train if p.source in ("question_fact", "faq")]
    assert trained, "questions about the other products are trained on"
    assert not [p for p in trained if any(p.positive.startswith(f"{t} — ") for t in titles)]


def test_epoch_order_keeps_runs_of_one_category_together():
    import random

    from training.encoder_data import Pair
    from training.encoder_train import epoch_order

    pairs = [
        Pair(f"a{g}{i}", f"p{g}{i}", "title_description", f"g{g}")
        for g in range(4)
        for i in range(12)
    ]
    grouped = epoch_order(pairs, 4, random.Random(0))
    assert sorted(grouped, key=str) == sorted(pairs, key=str)
    runs = [grouped[start : start + 4] for start in range(0, len(grouped), 4)]
    assert all(len({pair.group for pair in run}) == 1 for run in runs)
    plain = epoch_order(pairs, 0, random.Random(0))
    assert sorted(plain, key=str) == sorted(pairs, key=str)
    assert any(len({pair.group for pair in plain[s : s + 4]}) > 1 for s in range(0, 48, 4))
