"""Every write about model versions: starting copy-model training, activating, rolling back.

Activation and rollback are one pair of services for both kinds; each kind keeps its own rule
(the encoder engineer's `encoder_services` refuses an encoder that did not beat the one in use),
and after the active version changed the kind's follow-up runs (training.hooks; the encoder
queues re-embedding). Only a shop owner activates or rolls back; every change is audited.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from catalog import jobs
from catalog.audit import record_audit
from catalog.errors import Conflict, Forbidden, InvalidInput
from catalog.models import (
    JobStatus,
    Membership,
    ModelKind,
    ModelVersion,
    ModelVersionStatus,
    Role,
    Shop,
)
from training import hooks
from training.generator_data import data_summary
from training.generator_train import TrainSettings, base_model_source
from training.job_kinds import TRAIN_COPY_MODEL

GENERATOR = ModelKind.GENERATOR


def versions_for(shop: Shop, kind: str | None = None) -> QuerySet[ModelVersion]:
    versions = ModelVersion.objects.filter(shop=shop).select_related("job", "created_by")
    if kind:
        versions = versions.filter(kind=kind)
    return versions.order_by("kind", "-number")


def _require_owner(shop: Shop, user) -> None:
    if user is None or not user.is_authenticated:
        raise Forbidden("Only a shop owner can change which model the shop uses.")
    if not Membership.objects.filter(shop=shop, user=user, role=Role.OWNER).exists():
        raise Forbidden("Only a shop owner can change which model the shop uses.")


def version_folder(shop: Shop, kind: str, number: int) -> Path:
    return Path(settings.SHOPLLM_MODEL_STORE) / f"shop-{shop.pk}" / f"{kind}-v{number}"


# --- Copy model training -----------------------------------------------------------------------


def start_copy_model_training(
    shop: Shop,
    *,
    user=None,
    train_settings: dict | None = None,
    include_published: bool = False,
) -> ModelVersion:
    """A new copy-model version in training, and its job queued after commit (gpu queue).

    Refused while another copy-model version of the shop is training, and while the shop has
    fewer approved texts than SHOPLLM_TRAINING_MIN_EXAMPLES (or no held-out product)."""
    cleaned = TrainSettings.from_dict(train_settings)
    summary = data_summary(shop, include_published=include_published)
    if not summary.enough:
        raise InvalidInput(
            f"Training needs at least {summary.minimum} approved texts with one held-out "
            f"product; this shop has {summary.approved} approved "
            f"({summary.train} for training, {summary.heldout} held out)."
        )
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        busy = ModelVersion.objects.filter(
            shop=shop, kind=GENERATOR, status=ModelVersionStatus.TRAINING
        ).exclude(job__status__in=(JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.SUCCEEDED))
        if busy.exists():
            raise Conflict("A copy model is already training for this shop; wait or cancel it.")
        last = ModelVersion.objects.filter(shop=shop, kind=GENERATOR).aggregate(Max("number"))
        number = (last["number__max"] or 0) + 1
        params = {
            "include_published": include_published,
            "settings": cleaned.as_dict(),
        }
        job = jobs.create_job(shop, TRAIN_COPY_MODEL.name, user=user, params=params)
        version = ModelVersion.objects.create(
            shop=shop,
            kind=GENERATOR,
            number=number,
            job=job,
            base_model=base_model_name(),
            path=str(version_folder(shop, GENERATOR, number)),
            training_settings={**cleaned.as_dict(), "include_published": include_published},
            data=summary.as_dict(),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        job.params = {**params, "version_id": version.pk}
        job.save(update_fields=["params"])
        record_audit(
            shop,
            user,
            "model_version.train",
            target=version,
            details={"kind": GENERATOR, "number": number, "examples": summary.total},
        )
    return version


def base_model_name() -> str:
    """The base model's name as configured ("default" is SmolLM2-135M-Instruct)."""
    return settings.SHOPLLM_GENERATOR_MODEL


def base_model_folder() -> str:
    return base_model_source()


# --- Activation and rollback (both kinds) ------------------------------------------------------


def activate_version(version: ModelVersion, *, user) -> ModelVersion:
    """Make `version` the shop's model of its kind (owner only)."""
    _require_owner(version.shop, user)
    if version.kind == ModelKind.ENCODER:
        from training.encoder_services import activate_encoder_version

        version = activate_encoder_version(version, user)
    else:
        version = _activate_generator(version, user)
    record_audit(
        version.shop,
        user,
        "model_version.activate",
        target=version,
        details={"kind": version.kind, "number": version.number},
    )
    return version


def _activate_generator(version: ModelVersion, user) -> ModelVersion:
    if version.status != ModelVersionStatus.READY or not version.path:
        raise Conflict("Only a finished (ready) version can be activated.")
    if version.base_model != base_model_name():
        raise Conflict(
            f"This version was trained on base model {version.base_model!r}; the workers now "
            f"run {base_model_name()!r}. Train a new version."
        )
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=version.shop_id).first()
        version.refresh_from_db()
        if version.is_active:
            return version
        ModelVersion.objects.filter(shop=version.shop, kind=GENERATOR, is_active=True).update(
            is_active=False
        )
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
        hooks.active_version_changed(version.shop, GENERATOR, version, user)
    return version


def rollback(shop: Shop, kind: str, *, user) -> ModelVersion | None:
    """Leave the active version of `kind`: back to the version active before it, else the base
    model (owner only). Returns the version now active (None = base)."""
    _require_owner(shop, user)
    if kind not in ModelKind.values:
        raise InvalidInput("Unknown model kind.")
    if kind == ModelKind.ENCODER:
        from training.encoder_services import rollback_encoder

        current = ModelVersion.objects.filter(shop=shop, kind=kind, is_active=True).first()
        previous = rollback_encoder(shop, user)
    else:
        current, previous = _rollback_generator(shop, user)
    record_audit(
        shop,
        user,
        "model_version.rollback",
        target=current,
        details={
            "kind": kind,
            "from": current.number if current else None,
            "to": previous.number if previous else None,
        },
    )
    return previous


def _rollback_generator(shop: Shop, user) -> tuple[ModelVersion, ModelVersion | None]:
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        versions = ModelVersion.objects.filter(shop=shop, kind=GENERATOR)
        current = versions.filter(is_active=True).first()
        if current is None:
            raise Conflict("The shop already uses the base copy model.")
        current.is_active = False
        current.save(update_fields=["is_active"])
        previous = (
            versions.filter(
                status=ModelVersionStatus.READY,
                activated_at__isnull=False,
                activated_at__lt=current.activated_at,
                base_model=base_model_name(),
            )
            .exclude(pk=current.pk)
            .exclude(path="")
            .order_by("-activated_at")
            .first()
        )
        if previous is not None:
            # activated_at stays, so a second rollback goes one further back.
            previous.is_active = True
            previous.save(update_fields=["is_active"])
        hooks.active_version_changed(shop, GENERATOR, previous, user)
    return current, previous


def cancel_training(version: ModelVersion, *, user) -> ModelVersion:
    """Stop a training run at its next step (editor and up; the view checks the role)."""
    if version.job is None or version.status != ModelVersionStatus.TRAINING:
        raise Conflict("Only a version in training can be cancelled.")
    jobs.cancel_job(version.job)
    ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersionStatus.FAILED)
    version.refresh_from_db()
    record_audit(version.shop, user, "model_version.cancel", target=version)
    return version
