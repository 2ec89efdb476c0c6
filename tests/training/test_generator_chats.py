"""Train/serve match: a tuned copy model is asked exactly the chat it was trained on.

Both sides build the chat with generation/pipeline.copy_prompt: generation sends a tuned model
no example exchange (the shop's voice is in its adapter), and the training chats have none.
The base model still gets each product's example exchange."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from catalog.models import JobStatus, ModelKind, ModelVersion, ModelVersionStatus
from catalog.services import save_product
from generation.models import Draft, DraftStatus, VersionSource
from generation.pipeline import CandidateBatch
from generation.prompts import SYSTEM_MESSAGE, PromptOptions
from generation.services import (
    Selection,
    add_version,
    approve_draft,
    create_generation_job,
    save_brand_voice,
    templates_for,
    voice_settings,
)
from generation.tasks import run_generation_job
from shopllm_site.ml import set_generator
from training import services
from training.generator_data import build_examples
from training.generator_train import IGNORE, chat_texts, encode

os.environ.setdefault("SHOPLLM_GENERATOR_THREADS", "1")


def lamp(shop, sku: str, colour: str):
    return save_product(
        shop,
        {
            "sku": sku,
            "title": f"Desk Lamp {sku}",
            "brand": "Lumen",
            "category": "Home > Lighting > Lamps",
            "attributes": {"power": "8 W", "finish": colour},
        },
    )


def approve(shop, owner, product, text: str):
    add_version(product, "description", text, source=VersionSource.EDIT)
    draft = Draft.objects.get(product=product, field="description", status=DraftStatus.DRAFT)
    approve_draft(draft, user=owner)


class RecordingGenerator:
    """Adapter-aware stand-in that records the example exchanges each prompt was sent with."""

    name = "recording"

    def __init__(self):
        from contextlib import contextmanager

        self.exchanges: list[tuple] = []
        self.adapters: list[str | None] = []
        self.current = None

        @contextmanager
        def use_adapter(path):
            previous, self.current = self.current, path
            try:
                yield
            finally:
                self.current = previous

        self.use_adapter = use_adapter

    def generate(self, prompts, params, *, system=None):
        self.adapters.append(self.current)
        self.exchanges.extend(params.examples_for(i) for i in range(len(prompts)))
        return ["A bright Lumen desk lamp with an 8 W light." for _ in prompts]


@pytest.mark.model
def test_training_chat_is_the_chat_a_tuned_model_is_sent(shop, owner):
    from transformers import AutoTokenizer

    from shopllm_site.ml.local_generator import LocalGenerator
    from training.generator_train import base_model_source

    save_brand_voice(
        shop, voice="Warm and short.", example_copy="Light that works.", banned_phrases=["cheap"]
    )
    product = lamp(shop, "L-1", "brass")
    approve(shop, owner, product, "Meet the Lumen Desk Lamp: 8 W of warm light, brass finish.")
    (example,) = build_examples(shop)

    # What generation sends the shop's tuned model for this product and field.
    batch = CandidateBatch.build(
        [product],
        "description",
        PromptOptions(),
        [None],
        template=templates_for(shop)["description"],
        voice=voice_settings(shop),
        temperatures=(0.0,),
    )
    assert batch.params.examples_for(0) == ()
    tokenizer = AutoTokenizer.from_pretrained(base_model_source())
    served = LocalGenerator.render_chat(
        SimpleNamespace(tokenizer=tokenizer),
        batch.prompts[0],
        SYSTEM_MESSAGE,
        batch.params.examples_for(0),
    )
    trained, full = chat_texts(tokenizer, example)
    assert trained == served
    assert "Warm and short." in served and "brass" in served
    # The encoded example is the served chat's tokens (not learnt) followed by the reply.
    encoded = encode(tokenizer, example, 512)
    served_ids = tokenizer(served, add_special_tokens=False)["input_ids"]
    assert encoded.input_ids[: len(served_ids)] == served_ids
    assert set(encoded.labels[: len(served_ids)]) == {IGNORE}
    reply = tokenizer.decode(encoded.input_ids[len(served_ids) :], skip_special_tokens=True)
    assert reply.strip() == example.completion
    assert full.startswith(served)


def test_a_tuned_model_gets_no_example_exchange_and_the_base_model_does(shop, owner, tmp_path):
    for index, colour in enumerate(["black", "white", "brass"]):
        approve(shop, owner, lamp(shop, f"L-{index}", colour), f"The Lumen lamp in {colour}.")
    target = lamp(shop, "L-9", "green")
    generator = RecordingGenerator()
    set_generator(generator)
    try:
        job = create_generation_job(
            shop, Selection(product_ids=[target.pk]), fields=["description"]
        )
        assert run_generation_job(job.pk) == JobStatus.SUCCEEDED
        # (a second, shorter round may follow when nothing clean came back: same model)
        assert generator.adapters and set(generator.adapters) == {None}
        assert generator.exchanges and all(len(e) == 1 for e in generator.exchanges)
        assert "The Lumen lamp in" in generator.exchanges[0][0][1]

        folder = tmp_path / "v1"
        folder.mkdir()
        (folder / "adapter_config.json").write_text("{}")
        version = ModelVersion.objects.create(
            shop=shop,
            kind=ModelKind.GENERATOR,
            number=1,
            status=ModelVersionStatus.READY,
            base_model=services.base_model_name(),
            path=str(folder),
        )
        services.activate_version(version, user=owner)
        generator.exchanges.clear()
        job = create_generation_job(
            shop, Selection(product_ids=[target.pk]), fields=["description"], overwrite=True
        )
        assert run_generation_job(job.pk) == JobStatus.SUCCEEDED
        assert generator.adapters[-1] == str(folder)
        assert generator.exchanges and all(e == () for e in generator.exchanges)
        written = Draft.objects.get(product=target, field="description").current_version
        assert written.model_version == version
        assert written.checks["selection"]["examples"] == []
    finally:
        set_generator(None)
