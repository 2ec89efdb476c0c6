"""Copy-model training: the data set, the min-count gate, and a short real run through the job
that is killed midway, resumes from its checkpoint, and lowers the held-out loss."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from catalog.errors import InvalidInput
from catalog.jobs import reap_lost_jobs, run_job
from catalog.models import Job, JobStatus, ModelVersion, ModelVersionStatus
from catalog.services import save_product
from generation.models import Draft, DraftStatus, VersionSource
from generation.prompts import PromptOptions, build_prompt
from generation.services import (
    add_version,
    approve_draft,
    save_prompt_template,
    templates_for,
    voice_settings,
)
from training import generator_run, services
from training.generator_data import HELDOUT, TRAIN, build_examples, data_summary, heldout_bucket
from training.generator_run import run_copy_model_training
from training.generator_train import CHECKPOINT, STATE_FILE, TrainSettings

os.environ.setdefault("SHOPLLM_GENERATOR_THREADS", "1")

COLOURS = ["red", "blue", "green", "black", "white", "grey", "olive", "navy"]


def approved_copy(shop, owner, count: int, field: str = "seo_title") -> list:
    """`count` products, each with approved copy in one house style (edited before approval)."""
    products = []
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        product = save_product(
            shop,
            {
                "sku": f"MUG-{index}",
                "title": f"Mug {index}",
                "brand": "Acme",
                "category": "Kitchen > Mugs",
                "attributes": {"colour": colour},
            },
        )
        add_version(product, field, "draft text", source=VersionSource.MODEL)
        draft = Draft.objects.get(product=product, field=field, status=DraftStatus.DRAFT)
        add_version(product, field, f"Acme Mug {index} in {colour}", source=VersionSource.EDIT)
        approve_draft(draft, user=owner)
        products.append(product)
    return products


# --- The data set ------------------------------------------------------------------------------


def test_examples_pair_the_approved_edit_with_generations_prompt(shop, owner, settings):
    settings.SHOPLLM_TRAINING_MIN_EXAMPLES = 3
    products = approved_copy(shop, owner, 6)
    examples = build_examples(shop)
    assert len(examples) == 6
    first = next(e for e in examples if e.product_id == products[0].pk)
    # The text as approved after the person's edit, not the model's draft.
    assert first.completion == "Acme Mug 0 in red"
    expected = build_prompt(
        products[0],
        "seo_title",
        PromptOptions(),
        template=templates_for(shop)["seo_title"],
        voice=voice_settings(shop),
    )
    assert first.prompt == expected
    # The split is fixed per product and never puts one product in both parts.
    assert {e.split for e in examples} == {TRAIN, HELDOUT}
    again = {e.product_id: e.split for e in build_examples(shop)}
    assert again == {e.product_id: e.split for e in examples}
    summary = data_summary(shop)
    assert summary.approved == 6 and summary.enough
    assert heldout_bucket(products[0].pk) == heldout_bucket(products[0].pk)


def test_personal_data_is_scrubbed_from_the_training_set(shop, owner):
    product = save_product(shop, {"sku": "P-1", "title": "Desk Lamp", "brand": "Acme"})
    add_version(
        product,
        "description",
        "A bright lamp. Questions? Mail anna.schmidt@example.com or call +49 30 1234567.",
        source=VersionSource.EDIT,
    )
    draft = Draft.objects.get(product=product, field="description")
    approve_draft(draft, user=owner)
    (example,) = build_examples(shop)
    assert "anna.schmidt@example.com" not in example.completion
    assert "1234567" not in example.completion
    assert "[email]" in example.completion and "A bright lamp." in example.completion


def test_published_copy_is_used_only_when_asked(shop, owner):
    save_product(shop, {"sku": "P-2", "title": "Tent", "description": "A roomy two-person tent."})
    assert build_examples(shop) == []
    (example,) = build_examples(shop, include_published=True)
    assert example.source == "published" and example.completion == "A roomy two-person tent."


def test_training_is_refused_below_the_minimum(shop, owner, settings):
    settings.SHOPLLM_TRAINING_MIN_EXAMPLES = 10
    approved_copy(shop, owner, 4)
    with pytest.raises(InvalidInput, match="at least 10 approved"):
        services.start_copy_model_training(shop, user=owner)
    assert not ModelVersion.objects.filter(shop=shop).exists()


def test_training_settings_are_checked():
    with pytest.raises(InvalidInput, match="Unknown"):
        TrainSettings.from_dict({"epochz": 2})
    with pytest.raises(InvalidInput):
        TrainSettings.from_dict({"epochs": 0})
    with pytest.raises(InvalidInput):
        TrainSettings.from_dict({"learning_rate": "fast"})
    assert TrainSettings.from_dict({"epochs": "3"}).epochs == 3


# --- A short real run, killed and resumed ------------------------------------------------------


class WorkerDied(BaseException):
    """Stands for the worker process dying: not an Exception, so nothing records a failure."""


def test_killed_training_job_resumes_from_its_checkpoint_and_lowers_heldout_loss(
    shop, owner, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SHOPLLM_MODEL_STORE = tmp_path / "models"
    settings.SHOPLLM_TRAINING_MIN_EXAMPLES = 8
    # A short prompt keeps the real training steps small on a shared CPU.
    save_prompt_template(shop, "seo_title", "SEO title for:\n{product}")
    approved_copy(shop, owner, 12)
    tiny = {
        "max_steps": 4,
        "checkpoint_every": 2,
        "batch_size": 3,
        "max_length": 128,
        "lora_layers": 2,
        "learning_rate": 0.004,
        "epochs": 10,
        "eval_products": 0,
    }
    with django_capture_on_commit_callbacks(execute=False):
        version = services.start_copy_model_training(shop, user=owner, train_settings=tiny)
    assert version.status == ModelVersionStatus.TRAINING and version.data["heldout"] >= 1
    job = version.job

    # First attempt: the worker dies right after step 3 (a checkpoint was written at step 2).
    real_call = generator_run.Reporter.__call__

    def dying(self, progress, curve):
        real_call(self, progress, curve)
        if progress.step == 3:
            raise WorkerDied()

    monkeypatch.setattr(generator_run.Reporter, "__call__", dying)
    with pytest.raises(WorkerDied):
        run_job(job.pk, run_copy_model_training)
    folder = Path(version.path)
    state = folder / CHECKPOINT / STATE_FILE
    assert state.exists()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.progress_done == 3

    # The reaper finds the silent job and queues it again; the next worker resumes.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert reap_lost_jobs() == 1
    monkeypatch.setattr(generator_run.Reporter, "__call__", real_call)
    assert run_job(job.pk, run_copy_model_training) == JobStatus.SUCCEEDED

    version.refresh_from_db()
    assert version.status == ModelVersionStatus.READY
    evaluation = version.evaluation
    assert evaluation["resumed_from_step"] == 2
    assert [point["step"] for point in version.curve] == [1, 2, 3, 4]
    assert evaluation["heldout_after"]["loss"] < evaluation["heldout_before"]["loss"]
    assert evaluation["loss_drop_pct"] > 0
    # The adapter is where the generator loads it; the checkpoint is gone.
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["r"] == 16
    assert not (folder / CHECKPOINT).exists()
    assert (folder / "data.jsonl").exists()
