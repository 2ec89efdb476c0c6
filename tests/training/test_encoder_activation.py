"""An activated encoder version is what the next answers index and recommendation embedding
use (the vector-space name is stored beside every vector); a rolled-back one is not."""

from __future__ import annotations

import numpy as np
import pytest

from answers import retrieval
from answers.models import FactChunk
from catalog import jobs
from catalog.errors import Conflict, Forbidden
from catalog.model_versions import active_encoder_space, encoder_space_name
from catalog.models import Job, ModelKind, ModelVersion, ModelVersionStatus
from recommendations.models import ProductEmbedding
from recommendations.services import refresh_embeddings
from shopllm_site.ml.encoder import default_model_path, forget_adapted_encoders
from tests.training.encoder_helpers import build_tiny_shop
from training import encoder_services
from training import services as training_services
from training.encoder_job_kinds import ENCODER_REEMBED


@pytest.fixture(autouse=True)
def one_thread(settings):
    settings.SHOPLLM_ENCODER_DEVICE = "cpu"
    settings.SHOPLLM_ENCODER_THREADS = 1
    yield
    forget_adapted_encoders()
    retrieval.forget_cached_matrices()


def ready_version(shop, number: int = 1, *, better: bool = True) -> ModelVersion:
    """A finished version; its folder holds the packaged weights (what matters here is that
    it is another vector space, not what training made of it)."""
    return ModelVersion.objects.create(
        shop=shop,
        kind=ModelKind.ENCODER,
        number=number,
        status=ModelVersionStatus.READY,
        base_model="default",
        path=default_model_path(),
        evaluation={
            "better": better,
            "reason": "Better on retrieval_hit@5." if better else "Worse",
        },
    )


def run_reembed_jobs(shop) -> list[dict]:
    results = []
    for job in Job.objects.filter(shop=shop, kind=ENCODER_REEMBED.name, status="queued"):
        assert jobs.run_job(job.pk, encoder_services.run_reembed_job) == "succeeded"
        job.refresh_from_db()
        results.append(job.result)
    return results


def spaces(shop) -> tuple[set[str], set[str]]:
    facts = set(FactChunk.objects.filter(shop=shop).values_list("encoder", flat=True))
    products = set(ProductEmbedding.objects.filter(shop=shop).values_list("model_name", flat=True))
    return facts, products


def test_activated_version_is_used_by_the_next_jobs_and_a_rolled_back_one_is_not(
    shop, owner, django_capture_on_commit_callbacks
):
    build_tiny_shop(shop)
    retrieval.sync_shop(shop)
    refresh_embeddings(shop)
    assert spaces(shop) == ({"default"}, {"default"})
    version = ready_version(shop)
    name = encoder_space_name(shop.pk, 1)

    with django_capture_on_commit_callbacks(execute=True):
        encoder_services.activate_encoder_version(version, owner)
    assert active_encoder_space(shop).name == name
    # Until re-embedding has run, answers compare nothing across spaces.
    query = retrieval.embed_question("How bright is the torch?", shop)
    assert retrieval.search(shop, query, k=3) == []

    (result,) = run_reembed_jobs(shop)
    assert result["vector_space"] == name and result["products_embedded"] == 18
    assert spaces(shop) == ({name}, {name})
    hits = retrieval.search(shop, retrieval.embed_question("How bright is the torch?", shop), k=3)
    assert any("300 lumen" in hit.text for hit in hits)

    with django_capture_on_commit_callbacks(execute=True):
        assert encoder_services.rollback_encoder(shop, owner) is None
    version.refresh_from_db()
    assert not version.is_active and active_encoder_space(shop).name == "default"
    (result,) = run_reembed_jobs(shop)
    assert result["vector_space"] == "default"
    assert spaces(shop) == ({"default"}, {"default"})


def test_rollback_goes_back_one_version_at_a_time(shop, owner, django_capture_on_commit_callbacks):
    first, second = ready_version(shop, 1), ready_version(shop, 2)
    with django_capture_on_commit_callbacks(execute=True):
        encoder_services.activate_encoder_version(first, owner)
        encoder_services.activate_encoder_version(second, owner)
        assert encoder_services.rollback_encoder(shop, owner) == first
        assert encoder_services.rollback_encoder(shop, owner) is None
    assert not ModelVersion.objects.filter(shop=shop, is_active=True).exists()
    # One queued re-embedding job serves every change made before it ran.
    assert Job.objects.filter(shop=shop, kind=ENCODER_REEMBED.name).count() == 1


def test_a_version_that_did_not_do_better_cannot_be_activated(shop, owner):
    version = ready_version(shop, better=False)
    with pytest.raises(Conflict, match="did not do better"):
        encoder_services.activate_encoder_version(version, owner)
    assert active_encoder_space(shop).name == "default"


def test_only_an_owner_activates(shop, editor):
    with pytest.raises(Forbidden):
        training_services.activate_version(ready_version(shop), user=editor)


def test_legacy_default_vectors_are_renamed_not_embedded_again(shop):
    build_tiny_shop(shop)
    refresh_embeddings(shop)
    ProductEmbedding.objects.filter(shop=shop).update(model_name=default_model_path())
    assert encoder_services.adopt_legacy_default_vectors(shop) == 18
    assert refresh_embeddings(shop) == 0


def test_recommendation_run_reads_vectors_of_the_active_space(
    shop, owner, django_capture_on_commit_callbacks
):
    from recommendations.engine.core import EngineConfig
    from recommendations.services import _run_embeddings, load_shop_data, settings_snapshot

    build_tiny_shop(shop)
    refresh_embeddings(shop)
    data = load_shop_data(shop, settings_snapshot(shop))
    before = _run_embeddings(shop, data, EngineConfig())
    assert before is not None and np.abs(before).sum() > 0
    with django_capture_on_commit_callbacks(execute=True):
        encoder_services.activate_encoder_version(ready_version(shop), owner)
    # The stored vectors are in the old space: none is read until re-embedding ran.
    assert _run_embeddings(shop, data, EngineConfig()) is None
    run_reembed_jobs(shop)
    after = _run_embeddings(shop, data, EngineConfig())
    assert after is not None and np.allclose(after, before, atol=1e-5)


def test_a_new_reembed_cancels_the_running_one_and_reuses_a_queued_one(shop):
    first = encoder_services.start_reembed(shop)
    assert encoder_services.start_reembed(shop) == first  # still queued: it will use the new space
    Job.objects.filter(pk=first.pk).update(status="running")
    second = encoder_services.start_reembed(shop)
    first.refresh_from_db()
    assert second.pk != first.pk and second.status == "queued"
    assert first.status == "cancelled"  # it had chosen the space that is no longer active
