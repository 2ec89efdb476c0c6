"""A deleted model version's folder is removed from the model store, after the delete commits;
folders outside the store and other versions' folders are left alone."""

from __future__ import annotations

from pathlib import Path

from catalog.models import ModelKind, ModelVersion, ModelVersionStatus
from training.services import version_folder


def saved_version(shop, number: int, store: Path) -> ModelVersion:
    folder = version_folder(shop, ModelKind.ENCODER, number)
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    return ModelVersion.objects.create(
        shop=shop,
        kind=ModelKind.ENCODER,
        number=number,
        status=ModelVersionStatus.READY,
        base_model="default",
        path=str(folder),
    )


def test_deleting_a_version_removes_its_folder_and_only_its(
    shop, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SHOPLLM_MODEL_STORE = tmp_path / "store"
    kept = saved_version(shop, 1, settings.SHOPLLM_MODEL_STORE)
    deleted = saved_version(shop, 2, settings.SHOPLLM_MODEL_STORE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deleted.delete()
    assert Path(deleted.path).exists(), "nothing is removed before the delete commits"
    for callback in callbacks:
        callback()
    assert not Path(deleted.path).exists()
    assert Path(kept.path).exists()


def test_a_shops_deletion_removes_its_versions_folders(
    shop, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SHOPLLM_MODEL_STORE = tmp_path / "store"
    version = saved_version(shop, 1, settings.SHOPLLM_MODEL_STORE)
    with django_capture_on_commit_callbacks(execute=True):
        shop.delete()
    assert not Path(version.path).exists()


def test_a_path_outside_the_model_store_is_never_removed(
    shop, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SHOPLLM_MODEL_STORE = tmp_path / "store"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    version = ModelVersion.objects.create(
        shop=shop, kind=ModelKind.ENCODER, number=1, base_model="default", path=str(outside)
    )
    with django_capture_on_commit_callbacks(execute=True):
        version.delete()
    assert outside.exists()
