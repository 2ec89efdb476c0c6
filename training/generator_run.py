"""The work of a "train_copy_model" job: data, training (or resuming), evaluation, the version.

Idempotent and resumable: the examples are frozen in the version's folder at the first attempt
(`data.jsonl`), so a resumed run trains on exactly the data the lost one had; the trainer picks up
its last checkpoint; a version already ready is left as it is.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from catalog.jobs import JobCancelled, JobRun, LeaseLost
from catalog.models import Job, ModelVersion, ModelVersionStatus
from training.generator_data import CopyExample, build_examples, summarize
from training.generator_eval import evaluate_drafts
from training.generator_train import CopyModelTrainer, Progress, TrainSettings

log = logging.getLogger(__name__)

DATA_FILE = "data.jsonl"


def frozen_examples(version: ModelVersion, include_published: bool) -> list[CopyExample]:
    """The examples of this version: read from its folder, or built now and written there."""
    folder = Path(version.path)
    data_file = folder / DATA_FILE
    if data_file.exists():
        with data_file.open(encoding="utf-8") as lines:
            return [CopyExample(**json.loads(line)) for line in lines if line.strip()]
    examples = build_examples(version.shop, include_published=include_published)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = data_file.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps(example.__dict__, ensure_ascii=False) + "\n")
    tmp.replace(data_file)
    return examples


class Reporter:
    """After each step: the job's progress (which raises if the job was cancelled) and the
    version's curve, the latest point holding loss, examples/s and the time left."""

    def __init__(self, version: ModelVersion, run: JobRun):
        self.version = version
        self.run = run

    def __call__(self, progress: Progress, curve: list[dict]) -> None:
        self.run.progress(progress.step, progress.total_steps)
        ModelVersion.objects.filter(pk=self.version.pk).update(curve=curve)


def run_copy_model_training(job: Job, run: JobRun) -> dict:
    version = ModelVersion.objects.select_related("shop").filter(job=job).first()
    if version is None:
        return {"summary": "The version of this job was deleted; nothing to train."}
    if version.status == ModelVersionStatus.READY:
        return {"summary": f"Version {version.number} is already trained."}
    if version.status != ModelVersionStatus.TRAINING:
        # A person retried a failed or cancelled run: it resumes from its checkpoint.
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersionStatus.TRAINING)
    params = job.params or {}
    train_settings = TrainSettings.from_dict(params.get("settings"))
    try:
        return _train(version, run, train_settings, bool(params.get("include_published")))
    except LeaseLost:
        raise  # another worker has the job now; the version is theirs
    except JobCancelled:
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersionStatus.FAILED)
        raise
    except Exception as exc:
        evaluation = {**(version.evaluation or {}), "error": f"{type(exc).__name__}: {exc}"}
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelVersionStatus.FAILED, evaluation=evaluation
        )
        raise


def _train(
    version: ModelVersion, run: JobRun, train_settings: TrainSettings, include_published: bool
) -> dict:
    examples = frozen_examples(version, include_published)
    summary = summarize(examples)
    data = {**(version.data or {}), **summary.as_dict(), "frozen": True}
    ModelVersion.objects.filter(pk=version.pk).update(data=data)
    trainer = CopyModelTrainer(examples, Path(version.path), train_settings)
    result = trainer.run(Reporter(version, run))
    before, after = result["heldout_before"], result["heldout_after"]
    drop = None
    if before and after and before["loss"] > 0:
        drop = round(100 * (before["loss"] - after["loss"]) / before["loss"], 1)
    evaluation = {
        "heldout_before": before,
        "heldout_after": after,
        "loss_drop_pct": drop,
        "train_examples": result["train_examples"],
        "heldout_examples": result["heldout_examples"],
        "examples_per_s": result["examples_per_s"],
        "tokens_per_s": result["tokens_per_s"],
        "train_seconds": result["train_seconds"],
        "resumed_from_step": result["resumed_from_step"],
        "device": result["device"],
    }
    run.progress(result["steps"], result["steps"])
    evaluation["drafts"] = evaluate_drafts(
        version.shop, examples, version.path, train_settings.eval_products
    )
    ModelVersion.objects.filter(pk=version.pk).update(
        status=ModelVersionStatus.READY, curve=result["curve"], evaluation=evaluation
    )
    summary_text = f"Version {version.number} trained in {result['steps']} steps"
    if drop is not None:
        summary_text += f"; held-out loss {before['loss']} -> {after['loss']} ({drop}% lower)"
    log.info("Copy model of shop %s: %s", version.shop_id, summary_text)
    return {
        "version": version.number,
        "steps": result["steps"],
        "loss_drop_pct": drop,
        "summary": summary_text + ".",
    }
