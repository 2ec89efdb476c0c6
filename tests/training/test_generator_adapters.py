"""Adapters on the one base model: a shop's LoRA adapter changes what the real model computes,
switching back gives the base model exactly, and swaps are timed."""

from __future__ import annotations

import os

import pytest

from shopllm_site.ml import GenerationParams
from shopllm_site.ml.adapters import with_adapter

os.environ.setdefault("SHOPLLM_GENERATOR_THREADS", "1")


@pytest.fixture(scope="module")
def generator(django_db_blocker):
    from shopllm_site.ml.local_generator import LocalGenerator

    with django_db_blocker.unblock():
        return LocalGenerator.from_settings()


@pytest.fixture(scope="module")
def adapter_folder(tmp_path_factory, generator):
    """A small LoRA adapter with non-zero weights (as after training) on the top block."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from training.generator_train import base_model_source

    model = AutoModelForCausalLM.from_pretrained(base_model_source())
    blocks = model.config.num_hidden_layers
    config = LoraConfig(
        r=4,
        lora_alpha=64,
        target_modules=["q_proj", "v_proj", "down_proj"],
        layers_to_transform=[blocks - 1],
        init_lora_weights=False,
        task_type="CAUSAL_LM",
    )
    folder = tmp_path_factory.mktemp("adapter")
    get_peft_model(model, config).save_pretrained(str(folder))
    return folder


def logits(generator, text: str):
    import torch

    ids = generator.tokenizer(text, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        return generator.model(input_ids=ids).logits[0, -1].float()


def test_adapter_changes_the_model_and_swapping_back_restores_the_base(generator, adapter_folder):
    import torch

    params = GenerationParams(max_new_tokens=3)
    generator.generate(["Name a colour."], params)
    base = logits(generator, "A blue bottle")
    with with_adapter(generator, adapter_folder):
        generator.generate(["Name a colour."], params)
        assert generator.adapters.active == str(adapter_folder)
        tuned = logits(generator, "A blue bottle")
    generator.generate(["Name a colour."], params)  # outside the block: the base model again
    assert generator.adapters.active is None
    again = logits(generator, "A blue bottle")
    assert not torch.allclose(base, tuned, atol=1e-3)
    assert torch.allclose(base, again, atol=1e-4)
    # Loaded once; later swaps only switch the active adapter, in milliseconds.
    assert len(generator.adapters.load_seconds) == 1
    with with_adapter(generator, adapter_folder):
        generator.generate(["Name a colour."], params)
    assert len(generator.adapters.load_seconds) == 1
    assert generator.adapters.swap_seconds[-1] < 1.0


def test_a_backend_without_adapters_refuses_a_tuned_version():
    class Remote:
        name = "openai"

    refused = pytest.raises(RuntimeError, match="cannot load a tuned model version")
    with refused, with_adapter(Remote(), "/some/adapter"):
        pass
    with with_adapter(Remote(), None) as remote:
        assert remote.name == "openai"
