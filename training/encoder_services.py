"""Every write of encoder adaptation: start a training, run it, activate, roll back, re-embed.

A training makes a `ModelVersion` (kind "encoder") and a job on the `gpu` queue. The job builds
the shop's pairs (training.encoder_data), measures the shop's current encoder on the held-out
part, fine-tunes the base encoder (training.encoder_train), saves it under SHOPLLM_MODEL_STORE,
measures it again, and activates it only when it is better (training.encoder_eval.is_better).
A version that is not better stays "ready" with its figures and cannot be activated.

Activation and rollback change which vector space the shop's answers and recommendations use
(catalog.model_versions); a re-embedding job is queued after commit (training.hooks), and until
it has run, answers compare only the facts already in the new space.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog import jobs
from catalog.errors import Conflict, InvalidInput, NotFound
from catalog.model_versions import (
    EncoderSpace,
    active_encoder_space,
    settings_encoder_space,
    shop_encoder,
    version_encoder_space,
)
from catalog.models import Job, JobStatus, ModelKind, ModelVersion, ModelVersionStatus, Shop
from training import hooks
from training.encoder_job_kinds import ENCODER_REEMBED, ENCODER_TRAINING
from training.encoder_train import EncoderTrainSettings

log = logging.getLogger(__name__)

KIND = ModelKind.ENCODER
MIN_TRAIN_PAIRS = 16
CURVE_SAVE_EVERY_S = 5.0
# Limits on what a merchant (or API client) may ask for.
LIMITS = {
    "epochs": (1, 10),
    "batch_size": (2, 256),
    "learning_rate": (1e-6, 1e-3),
    "max_length": (16, 512),
    "max_steps": (0, 100_000),
    "hard_negatives": (0, 256),
}


def clean_training_settings(values: dict | None) -> dict:
    """Known, bounded settings over the defaults; InvalidInput names each bad field."""
    values = dict(values or {})
    cleaned = EncoderTrainSettings().as_dict()
    errors: dict[str, list[str]] = {}
    for name, raw in values.items():
        if name == "auto_activate":
            continue
        if name not in LIMITS:
            errors[name] = ["Unknown setting."]
            continue
        low, high = LIMITS[name]
        try:
            value = float(raw) if name == "learning_rate" else int(raw)
        except (TypeError, ValueError):
            errors[name] = ["Must be a number."]
            continue
        if not low <= value <= high:
            errors[name] = [f"Must be between {low:g} and {high:g}."]
            continue
        cleaned[name] = value
    if errors:
        raise InvalidInput("Some training settings are not valid.", fields=errors)
    cleaned["auto_activate"] = bool(values.get("auto_activate", True))
    return cleaned


def encoder_versions(shop: Shop):
    return ModelVersion.objects.filter(shop=shop, kind=KIND).select_related("job")


def get_encoder_version(shop: Shop, pk: int) -> ModelVersion:
    """The shop's encoder version `pk`; another shop's is NotFound, never Forbidden."""
    version = encoder_versions(shop).filter(pk=pk).first()
    if version is None:
        raise NotFound("No such encoder version.")
    return version


def start_encoder_training(
    shop: Shop, user=None, training_settings: dict | None = None
) -> ModelVersion:
    """A new encoder version in training and its job (queued on `gpu` after commit)."""
    cleaned = clean_training_settings(training_settings)
    with transaction.atomic():
        # Serialises concurrent starts of one shop, so two cannot both see "none training".
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        if encoder_versions(shop).filter(status=ModelVersionStatus.TRAINING).exists():
            raise Conflict("An encoder training is already running for this shop.")
        number = (encoder_versions(shop).aggregate(top=Max("number"))["top"] or 0) + 1
        job = jobs.create_job(shop, ENCODER_TRAINING.name, user=user, total=100)
        return ModelVersion.objects.create(
            shop=shop,
            kind=KIND,
            number=number,
            job=job,
            base_model=settings_encoder_space().name,
            training_settings=cleaned,
            created_by=user if user is not None and user.is_authenticated else None,
        )


def version_folder(version: ModelVersion) -> Path:
    from training.services import version_folder as folder_of

    return folder_of(version.shop, KIND, version.number)


def _base_path() -> str:
    from shopllm_site.ml.encoder import default_model_path

    name = settings_encoder_space().name
    return default_model_path() if name == "default" else name


class _Progress:
    """Maps training steps onto the job's 15-85% band and saves the curve now and then."""

    def __init__(self, version: ModelVersion, run: jobs.JobRun):
        self.version = version
        self.run = run
        self.saved_at = 0.0

    def __call__(self, report) -> None:
        self.version.curve.append(report.as_point())
        self.run.progress(15 + int(70 * report.step / max(report.total, 1)))
        now = time.monotonic()
        if now - self.saved_at >= CURVE_SAVE_EVERY_S or report.step == report.total:
            self.saved_at = now
            ModelVersion.objects.filter(pk=self.version.pk).update(curve=self.version.curve)


def run_training_job(job: Job, run: jobs.JobRun) -> dict:
    """The work of an encoder training job (see the module doc). A re-delivered job starts the
    version over from the base model."""
    version = ModelVersion.objects.select_related("shop").get(job=job)
    try:
        return _train_version(version, run)
    except BaseException as exc:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelVersionStatus.FAILED,
            evaluation={**(version.evaluation or {}), "error": str(exc)[:500]},
        )
        raise


def _train_version(version: ModelVersion, run: jobs.JobRun) -> dict:
    from shopllm_site.ml.devices import resolve_device
    from shopllm_site.ml.encoder import TransformerEncoder
    from training import encoder_eval, encoder_train
    from training.encoder_data import build_dataset

    shop = version.shop
    train_settings = EncoderTrainSettings.from_dict(version.training_settings)
    version.curve = []
    run.progress(1)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now

    dataset = build_dataset(shop, seed=train_settings.seed)
    lap("data_s")
    version.data = dataset.summary()
    version.save(update_fields=["data", "curve"])
    if len(dataset.train) < MIN_TRAIN_PAIRS:
        raise jobs.JobFailed(
            f"Only {len(dataset.train)} training pairs (at least {MIN_TRAIN_PAIRS} needed): add "
            "product descriptions, FAQ entries or answered questions first."
        )
    run.progress(5)
    current = active_encoder_space(shop)
    before = encoder_eval.evaluate_encoder(shop_encoder(shop, current).embed, dataset)
    lap("before_s")
    run.progress(15)
    device = resolve_device(settings.SHOPLLM_ENCODER_DEVICE)
    result = encoder_train.train(
        _base_path(),
        dataset.train,
        train_settings,
        device=device,
        threads=settings.SHOPLLM_ENCODER_THREADS,
        heldout=dataset.heldout,
        on_step=_Progress(version, run),
    )
    lap("train_s")
    version.path = encoder_train.save_model(result, version_folder(version))
    lap("save_s")
    run.progress(88)
    space = version_encoder_space(version)
    adapted = TransformerEncoder(
        result.model,
        result.tokenizer,
        model_name=space.name,
        device=device,
        threads=settings.SHOPLLM_ENCODER_THREADS,
    )
    after = encoder_eval.evaluate_encoder(adapted.embed, dataset)
    lap("after_s")
    better, reason = encoder_eval.is_better(before, after)
    version.evaluation = {
        "before": before,
        "after": after,
        "compared_with": current.name,
        "rows": encoder_eval.side_by_side(before, after),
        "heldout_loss": {"before": result.heldout_before, "after": result.heldout_after},
        "throughput": result.throughput(),
        "timings": timings,
        "better": better,
        "reason": reason,
    }
    version.status = ModelVersionStatus.READY
    version.save(update_fields=["path", "evaluation", "status", "curve"])
    activated = False
    if better and version.training_settings.get("auto_activate", True):
        activate_encoder_version(version, None)
        activated = True
    run.progress(100)
    return {
        "version": version.number,
        "better": better,
        "activated": activated,
        "rows": version.evaluation["rows"],
        "throughput": version.evaluation["throughput"],
    }


def activate_encoder_version(version: ModelVersion, user=None) -> ModelVersion:
    """Make `version` the shop's encoder; only a ready version that beat the encoder in use
    when it was measured. Re-embedding is queued after commit."""
    if version.kind != KIND:
        raise InvalidInput("Not an encoder version.")
    if version.status != ModelVersionStatus.READY or not version.path:
        raise Conflict("Only a finished (ready) version can be activated.")
    if not (version.evaluation or {}).get("better"):
        reason = (version.evaluation or {}).get("reason", "")
        raise Conflict(f"This version did not do better than the encoder in use. {reason}".strip())
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=version.shop_id).first()
        version.refresh_from_db()
        if version.is_active:
            return version
        encoder_versions(version.shop).filter(is_active=True).update(is_active=False)
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
        hooks.active_version_changed(version.shop, KIND, version, user)
    return version


def rollback_encoder(shop: Shop, user=None) -> ModelVersion | None:
    """Leave the active version: back to the version active before it (the ready one most
    recently activated before it), else the base encoder. Returns the version now active."""
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        current = encoder_versions(shop).filter(is_active=True).first()
        if current is None:
            raise Conflict("The shop already uses the base encoder.")
        current.is_active = False
        current.save(update_fields=["is_active"])
        previous = (
            encoder_versions(shop)
            .filter(
                status=ModelVersionStatus.READY,
                activated_at__lt=current.activated_at,
            )
            .exclude(pk=current.pk)
            .exclude(path="")
            .order_by("-activated_at")
            .first()
        )
        if previous is not None:
            # activated_at stays as it was, so a second rollback goes further back.
            previous.is_active = True
            previous.save(update_fields=["is_active"])
        hooks.active_version_changed(shop, KIND, previous, user)
    return previous


def start_reembed(shop: Shop, user=None) -> Job:
    """Queue re-embedding of the shop's products and facts (unless one is already queued: it
    embeds in whatever space is active when it starts). A running one chose its space when it
    started, which the change that called this has just replaced: it is cancelled (it stops at
    its next progress report), so two re-embeddings of one shop never overlap."""
    reembeds = Job.objects.filter(shop=shop, kind=ENCODER_REEMBED.name)
    existing = reembeds.filter(status=JobStatus.QUEUED).first()
    if existing is not None:
        return existing
    for running in reembeds.filter(status=JobStatus.RUNNING):
        with contextlib.suppress(Conflict):  # it finished meanwhile
            jobs.cancel_job(running)
    return jobs.create_job(shop, ENCODER_REEMBED.name, user=user, total=100)


def _queue_reembed(shop: Shop, version: ModelVersion | None, user) -> None:
    start_reembed(shop, user)


hooks.register_post_activation(KIND, _queue_reembed)


def adopt_legacy_default_vectors(shop: Shop | None = None) -> int:
    """Rename product vectors stored under the packaged encoder's folder path (the name before
    vector spaces had stable names) to "default", so they are not embedded again."""
    from recommendations.models import ProductEmbedding
    from shopllm_site.ml.encoder import default_model_path

    if settings_encoder_space().name != "default":
        return 0
    rows = ProductEmbedding.objects.filter(model_name=default_model_path())
    if shop is not None:
        rows = rows.filter(shop=shop)
    return rows.update(model_name="default")


def reembed_shop(shop: Shop, on_progress=None) -> dict:
    """Products (recommendations) and facts (answers) of `shop` in its active vector space;
    what is already there is skipped by name and text hash."""
    from answers.services import rebuild_index
    from recommendations.services import refresh_embeddings

    space: EncoderSpace = active_encoder_space(shop)
    adopt_legacy_default_vectors(shop)

    def products_progress(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(int(50 * done / max(total, 1)))

    products = refresh_embeddings(shop, progress=products_progress)
    facts = rebuild_index(shop)
    if on_progress is not None:
        on_progress(100)
    return {
        "vector_space": space.name,
        "products_embedded": products,
        "facts_embedded": facts.embedded,
        "facts_unchanged": facts.unchanged,
    }


def run_reembed_job(job: Job, run: jobs.JobRun) -> dict:
    return reembed_shop(job.shop, on_progress=run.progress)
