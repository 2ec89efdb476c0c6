"""A model version's folder goes when its row goes.

Weights live on disk under SHOPLLM_MODEL_STORE (training.services.version_folder); the row in
`catalog.ModelVersion` only names them. Whatever deletes rows (the admin, a shop's deletion
cascading, a queryset delete in a shell) fires `post_delete` per row, so the folder is removed
there, once the deleting transaction commits (a rolled-back delete keeps its weights). Only
folders inside the model store are ever removed.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from catalog.models import ModelVersion

log = logging.getLogger(__name__)


def version_folders(version: ModelVersion) -> list[Path]:
    """The version's folders inside the model store: its `path` and its numbered folder
    (which holds checkpoints before `path` is set)."""
    store = Path(settings.SHOPLLM_MODEL_STORE).resolve()
    numbered = store / f"shop-{version.shop_id}" / f"{version.kind}-v{version.number}"
    found = []
    for folder in (Path(version.path) if version.path else None, numbered):
        if folder is None:
            continue
        folder = folder.resolve()
        if folder != store and folder.is_relative_to(store) and folder not in found:
            found.append(folder)
    return found


def remove_version_folders(folders: list[Path]) -> None:
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            log.info("Removed the folder of a deleted model version: %s", folder)


@receiver(post_delete, sender=ModelVersion, dispatch_uid="training.remove_version_folder")
def _remove_folder_of_deleted_version(sender, instance: ModelVersion, **kwargs) -> None:
    folders = version_folders(instance)
    transaction.on_commit(lambda: remove_version_folders(folders))
