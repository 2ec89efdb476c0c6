"""The real encoder, and a run through a real Celery worker on the gpu queue."""

import numpy as np
import pytest

from recommendations import services, serving
from recommendations.models import ProductEmbedding, RecommendationRun
from tests.conftest import wait_for
from tests.recommendations.conftest import build_shop


@pytest.fixture(scope="module")
def encoder():
    from shopllm_site.ml import get_encoder

    return get_encoder()


@pytest.mark.model
def test_encoder_returns_unit_vectors_and_puts_similar_products_close(encoder):
    from shopllm_site.ml import get_encoder

    vectors = encoder.embed(
        ["Stainless steel water bottle 750 ml", "Insulated drinking bottle", "Hiking boots"]
    )
    assert vectors.shape == (3, encoder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert get_encoder() is encoder  # loaded once per process
    assert encoder.embed([]).shape == (0, encoder.dim)


@pytest.mark.worker
@pytest.mark.model
def test_run_through_the_real_worker_stores_lists_and_serves(celery_worker, shop):
    planted = build_shop(shop, customers_per_group=6, products_per_group=6)
    run = services.start_run(shop)
    finished = wait_for(
        lambda: RecommendationRun.objects.filter(
            pk=run.pk, job__status__in=("succeeded", "failed")
        ).first(),
        120,
    )
    assert finished.job.status == "succeeded", finished.job.error
    assert finished.job.task_id
    assert ProductEmbedding.objects.filter(shop=shop).count() == len(planted["products"])
    assert ProductEmbedding.objects.first().dim == 384  # the real MiniLM encoder ran
    served = serving.for_customer(shop, planted["customers"][0], 5)
    assert served.source == "model" and len(served.items) == 5
