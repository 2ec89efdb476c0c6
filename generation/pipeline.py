"""The work of a "generate_copy" job: batched candidates, checks, selection, one version each.

For each field, products go in chunks: every product gets the nearest example copy
(generation/examples.py) and several candidates, all in one generate() call; generation/selection.py
keeps the best clean one (repaired, or the plain fallback) and the version stores why.

Idempotent: a re-delivered task skips the (product, field) pairs that already got a version
from this job, so it resumes where the last attempt stopped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from django.conf import settings

from catalog.jobs import JobRun
from catalog.model_versions import active_version
from catalog.models import Job, ModelKind, ModelVersion, Product
from generation.checks import product_facts
from generation.checks.details import copy_vocabulary
from generation.checks.leak import facts_text
from generation.examples import CopyExample, ExampleFinder
from generation.models import CopyField, DraftVersion
from generation.prompts import (
    SYSTEM_MESSAGE,
    PromptOptions,
    VoiceSettings,
    build_prompt,
    decoding_params,
    example_exchange,
)
from generation.selection import CANDIDATE_TEMPERATURES, SAMPLING_SEED, Choice, choose
from generation.services import (
    Selection,
    add_version,
    published_text,
    templates_for,
    voice_settings,
)
from shopllm_site.ml import GenerationParams, Generator, get_generator
from shopllm_site.ml.adapters import with_adapter
from shopllm_site.trust.claims import Facts

log = logging.getLogger(__name__)


def copy_prompt(
    product,
    field: str,
    options: PromptOptions,
    example: CopyExample | None,
    *,
    template: str | None = None,
    voice: VoiceSettings | None = None,
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(the user prompt, the example exchanges sent before it) for one product and field: the
    chat the copy model gets after the system message. `example` None: no example exchange,
    which is how a shop's tuned copy model is asked (its voice is in the adapter) and how its
    training chats are built (training/generator_data.py calls this too, so they are the same)."""
    prompt = build_prompt(product, field, options, template=template, voice=voice)
    if example is None:
        return prompt, ()
    exchange = example_exchange(
        example.product, example.text, field, options, template=template, voice=voice
    )
    return prompt, ((exchange,) if exchange else ())


@dataclass
class CandidateBatch:
    """One generate() call: each product's prompt once per candidate temperature, each with the
    product's own example exchange (none where the product's example is None) and, when the
    vocabulary penalty is on, its own words. `facts`: each product's closed world, built once
    for the vocabulary and the checks of its candidates."""

    prompts: list[str]
    params: GenerationParams
    facts: list[Facts]

    @classmethod
    def build(
        cls,
        products: list,
        field: str,
        options: PromptOptions,
        examples: list[CopyExample | None],
        *,
        template: str | None = None,
        voice: VoiceSettings | None = None,
        temperatures: tuple[float, ...] = CANDIDATE_TEMPERATURES,
    ) -> CandidateBatch:
        prompts, prompt_examples, prompt_temperatures, vocabularies = [], [], [], []
        penalty = settings.SHOPLLM_COPY_VOCABULARY_PENALTY
        facts = [product_facts(product, voice.voice if voice else "") for product in products]
        for product, example, known in zip(products, examples, facts, strict=True):
            prompt, exchanges = copy_prompt(
                product, field, options, example, template=template, voice=voice
            )
            words = copy_vocabulary(known) if penalty else ()
            for temperature in temperatures:
                prompts.append(prompt)
                prompt_examples.append(exchanges)
                prompt_temperatures.append(temperature)
                vocabularies.append(words)
        params = replace(
            decoding_params(field, options),
            prompt_examples=tuple(prompt_examples),
            prompt_temperatures=tuple(prompt_temperatures),
            prompt_vocabularies=tuple(vocabularies),
            vocabulary_penalty=penalty,
            seed=SAMPLING_SEED,
        )
        return cls(prompts, params, facts)


def draft_copy(
    generator: Generator,
    products: list,
    field: str,
    options: PromptOptions,
    examples: list[CopyExample | None],
    *,
    template: str | None = None,
    voice: VoiceSettings | None = None,
    temperatures: tuple[float, ...] = CANDIDATE_TEMPERATURES,
) -> list[Choice]:
    """The chosen copy for each product (in order): candidates in one batch, then selection."""
    voice = voice or VoiceSettings()
    batch = CandidateBatch.build(
        products,
        field,
        options,
        examples,
        template=template,
        voice=voice,
        temperatures=temperatures,
    )
    outputs = generator.generate(batch.prompts, batch.params, system=SYSTEM_MESSAGE)
    count = len(temperatures)
    choices = [
        choose(
            outputs[index * count : (index + 1) * count],
            temperatures,
            field,
            product,
            length=options.length,
            banned_phrases=voice.banned_phrases,
            examples=example_texts(example),
            example_labels=[example.label] if example else [],
            voice=voice.voice,
            facts=batch.facts[index],
        )
        for index, (product, example) in enumerate(zip(products, examples, strict=True))
    ]
    retry = [index for index, choice in enumerate(choices) if choice.fallback]
    if retry and options.length != SECOND_ROUND_LENGTH:
        # Nothing clean in any candidate: one more round, asking for shorter copy (fewer words,
        # fewer chances to invent), before settling for the plain draft from the facts.
        second = draft_copy(
            generator,
            [products[index] for index in retry],
            field,
            replace(options, length=SECOND_ROUND_LENGTH),
            [examples[index] for index in retry],
            template=template,
            voice=voice,
            temperatures=temperatures,
        )
        for index, choice in zip(retry, second, strict=True):
            choices[index] = second_round(choices[index], choice)
    return choices


SECOND_ROUND_LENGTH = "short"


def second_round(first: Choice, second: Choice) -> Choice:
    """The second round's choice when it found clean copy, else the first round's fallback;
    either way the selection counts the candidates of both rounds and says what happened."""
    tried = first.selection["candidates"] + second.selection["candidates"]
    if second.fallback:
        first.selection["candidates"] = tried
        first.selection["second_round"] = True
        first.selection["why"] += (
            f" A second round of {second.selection['candidates']} shorter candidates found "
            "nothing clean either."
        )
        return first
    second.selection.update(
        candidates=tried,
        second_round=True,
        first_round_scores=first.selection["scores"],
        why=(
            f"None of the first {first.selection['candidates']} candidates had a clean "
            f"sentence; from a second round asking for shorter copy: {second.selection['why']}"
        ),
    )
    return second


def example_texts(example: CopyExample | None) -> list[str]:
    """What the leak check compares with: the example's copy and its product's facts (both were
    in the chat the model saw; nothing when no example was sent)."""
    if example is None:
        return []
    return [example.text, facts_text(example.product)]


def active_copy_model(shop, generator: Generator) -> ModelVersion | None:
    """The shop's active tuned copy model (a LoRA adapter trained by the training app), or None
    for the base model. A backend that cannot load adapters (the OpenAI-compatible one) uses its
    own model, and the drafts say so by recording no version."""
    version = active_version(shop, ModelKind.GENERATOR)
    if version is not None and not hasattr(generator, "use_adapter"):
        log.warning("Shop %s: the generator backend cannot load tuned versions", shop.pk)
        return None
    return version


def run_generation(job: Job, run: JobRun) -> dict:
    params = job.params
    options = PromptOptions.from_params(params)
    fields = [field for field in params["fields"] if field in CopyField.values]
    overwrite = bool(params.get("overwrite"))
    source = params.get("source", "model")
    selection = Selection.from_params(params["selection"])
    product_ids = list(selection.products(job.shop).values_list("pk", flat=True))
    run.set_total(len(product_ids) * len(fields))

    already = set(
        DraftVersion.objects.filter(job=job).values_list("draft__product_id", "draft__field")
    )
    templates = templates_for(job.shop)
    voice = voice_settings(job.shop)
    generator = get_generator()
    model_version = active_copy_model(job.shop, generator)
    adapter_path = model_version.path if model_version else None
    batch_size = settings.SHOPLLM_GENERATOR_BATCH_SIZE
    done = len(already)
    skipped: dict[str, int] = {}
    drafted = flagged = 0
    started = time.perf_counter()
    run.progress(done)

    fallbacks = 0
    for field in fields:
        finder = ExampleFinder(job.shop, field)
        pending = [pk for pk in product_ids if (pk, field) not in already]
        for start in range(0, len(pending), batch_size):
            ids = pending[start : start + batch_size]
            chunk = Product.objects.in_bulk(ids)
            # A product deleted meanwhile is simply not written.
            products = [chunk[pk] for pk in ids if pk in chunk]
            to_write = []
            for product in products:
                if not overwrite and published_text(product, field).strip():
                    skipped[field] = skipped.get(field, 0) + 1
                else:
                    to_write.append(product)
            if to_write:
                # A tuned copy model is asked without an example exchange, as it was trained.
                examples = (
                    [None] * len(to_write) if model_version else finder.for_products(to_write)
                )
                with with_adapter(generator, adapter_path):
                    choices = draft_copy(
                        generator,
                        to_write,
                        field,
                        options,
                        examples,
                        template=templates[field],
                        voice=voice,
                    )
                for product, example, choice in zip(to_write, examples, choices, strict=True):
                    version = add_version(
                        product,
                        field,
                        choice.text,
                        source=source,
                        user=job.created_by,
                        job=job,
                        banned_phrases=voice.banned_phrases,
                        voice=voice.voice,
                        examples=example_texts(example),
                        selection=choice.selection,
                        model_version=model_version,
                    )
                    drafted += 1
                    flagged += bool(version.checks.get("flags"))
                    fallbacks += choice.fallback
            done += len(ids)
            run.progress(min(done, len(product_ids) * len(fields)))
    elapsed = time.perf_counter() - started
    skipped_total = sum(skipped.values())
    summary = f"{drafted} draft(s) written, {flagged} with flags to check"
    if fallbacks:
        summary += f", {fallbacks} plain draft(s) built from the facts"
    if skipped_total:
        summary += f"; {skipped_total} skipped because the product already has copy"
    log.info("Generation job %s: %s in %.1f s", job.pk, summary, elapsed)
    return {
        "drafted": drafted,
        "flagged": flagged,
        "fallbacks": fallbacks,
        "skipped_published": skipped,
        "seconds": round(elapsed, 2),
        "generator": getattr(generator, "name", type(generator).__name__),
        "model_version": model_version.number if model_version else None,
        "summary": summary + ".",
    }
