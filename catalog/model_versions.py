"""Which trained model a shop uses now: the active `ModelVersion` of a kind, if any.

Read by every app that runs a model for a shop (answers and recommendations ask for the shop's
encoder here, since they may not import the `training` app that makes the versions). The
weights live in a folder; this module only names it, the model package (shopllm_site.ml) loads
it.

Vector spaces: vectors made by one encoder are only ever compared with vectors made by the same
encoder, so each encoder has a stable name stored beside its vectors. The settings encoder is
named by the setting as written ("default"); a shop's adapted encoder is
"shop-<shop id>-encoder-v<number>".
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import ModelKind, ModelVersion, ModelVersionStatus, Shop


def active_version(shop: Shop | int, kind: str) -> ModelVersion | None:
    """The shop's active ready version of `kind`, or None (the shared base model)."""
    shop_id = shop if isinstance(shop, int) else shop.pk
    return (
        ModelVersion.objects.filter(
            shop_id=shop_id, kind=kind, is_active=True, status=ModelVersionStatus.READY
        )
        .exclude(path="")
        .first()
    )


def active_model_path(shop: Shop | int, kind: str) -> str:
    """The folder of the shop's active version of `kind`; "" means the shared base model."""
    version = active_version(shop, kind)
    return version.path if version is not None else ""


def encoder_space_name(shop_id: int, number: int) -> str:
    return f"shop-{shop_id}-encoder-v{number}"


@dataclass(frozen=True)
class EncoderSpace:
    """A vector space: its stored name and the folder of the model that makes it ("" = the
    settings encoder)."""

    name: str
    path: str = ""
    version_id: int | None = None


def settings_encoder_space() -> EncoderSpace:
    from shopllm_site.ml.encoder import settings_space_name

    return EncoderSpace(name=settings_space_name())


def version_encoder_space(version: ModelVersion) -> EncoderSpace:
    return EncoderSpace(
        name=encoder_space_name(version.shop_id, version.number),
        path=version.path,
        version_id=version.pk,
    )


def active_encoder_space(shop: Shop | int) -> EncoderSpace:
    """The vector space the shop's vectors should be in now (one indexed query)."""
    version = active_version(shop, ModelKind.ENCODER)
    return version_encoder_space(version) if version is not None else settings_encoder_space()


def shop_encoder(shop: Shop | int, space: EncoderSpace | None = None):
    """The encoder of the shop's active space (loaded once per process and folder); its
    `model_name` is the space's name, for the settings encoder its own."""
    from shopllm_site.ml.encoder import get_encoder_for

    space = space or active_encoder_space(shop)
    return get_encoder_for(space.name, space.path)
