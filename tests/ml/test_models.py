"""The model package: one model per process, rebuilt when its settings change; threads per model."""

import numpy as np
import pytest

from shopllm_site.ml import encoder as encoder_module
from shopllm_site.ml import get_encoder, set_encoder
from shopllm_site.ml.cache import ModelSlot


def test_slot_builds_once_per_key_and_again_when_the_key_changes():
    slot = ModelSlot()
    built = []

    def build():
        built.append(object())
        return built[-1]

    first = slot.get(("small",), build)
    assert slot.get(("small",), build) is first
    second = slot.get(("big",), build)
    assert second is not first and len(built) == 2
    slot.set(("big",), None)
    assert slot.get(("big",), build) is built[2]


def test_get_encoder_follows_the_encoder_settings(settings, monkeypatch):
    monkeypatch.setattr(encoder_module, "build_encoder", object)
    set_encoder(None)
    settings.SHOPLLM_ENCODER_THREADS = 0
    first = get_encoder()
    assert get_encoder() is first
    settings.SHOPLLM_ENCODER_THREADS = 1
    assert get_encoder() is not first
    set_encoder(None)


@pytest.mark.model
def test_encoder_threads_setting_applies_to_its_runs(settings):
    import torch

    settings.SHOPLLM_ENCODER_DEVICE = "cpu"
    settings.SHOPLLM_ENCODER_THREADS = 1
    set_encoder(None)
    encoder = get_encoder()
    before = torch.get_num_threads()
    try:
        assert encoder.threads == 1
        torch.set_num_threads(2)
        vectors = encoder.embed(["steel bottle", ""])
        assert torch.get_num_threads() == 1
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    finally:
        torch.set_num_threads(before)
        set_encoder(None)
