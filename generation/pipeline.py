"""The work of a "generate_copy" job: batched generation, clean-up, checks, one version each.

Idempotent: a re-delivered task skips the (product, field) pairs that already got a version
from this job, so it resumes where the last attempt stopped.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from catalog.jobs import JobRun
from catalog.models import Job, Product
from generation.models import CopyField, DraftVersion
from generation.prompts import (
    SYSTEM_MESSAGE,
    PromptOptions,
    build_prompt,
    clean_output,
    decoding_params,
)
from generation.services import (
    Selection,
    add_version,
    published_text,
    templates_for,
    voice_settings,
)
from shopllm_site.ml import get_generator

log = logging.getLogger(__name__)


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
    batch_size = settings.SHOPLLM_GENERATOR_BATCH_SIZE
    done = len(already)
    skipped: dict[str, int] = {}
    drafted = flagged = 0
    started = time.perf_counter()
    run.progress(done)

    for field in fields:
        decoding = decoding_params(field, options, template=templates[field], voice=voice)
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
                prompts = [
                    build_prompt(product, field, options, template=templates[field], voice=voice)
                    for product in to_write
                ]
                outputs = generator.generate(prompts, decoding, system=SYSTEM_MESSAGE)
                for product, raw in zip(to_write, outputs, strict=True):
                    text = clean_output(raw, field, options.length) or raw.strip()
                    version = add_version(
                        product,
                        field,
                        text,
                        source=source,
                        user=job.created_by,
                        job=job,
                        banned_phrases=voice.banned_phrases,
                    )
                    drafted += 1
                    flagged += bool(version.checks.get("flags"))
            done += len(ids)
            run.progress(min(done, len(product_ids) * len(fields)))
    elapsed = time.perf_counter() - started
    skipped_total = sum(skipped.values())
    summary = f"{drafted} draft(s) written, {flagged} with flags to check"
    if skipped_total:
        summary += f"; {skipped_total} skipped because the product already has copy"
    log.info("Generation job %s: %s in %.1f s", job.pk, summary, elapsed)
    return {
        "drafted": drafted,
        "flagged": flagged,
        "skipped_published": skipped,
        "seconds": round(elapsed, 2),
        "generator": getattr(generator, "name", type(generator).__name__),
        "summary": summary + ".",
    }
