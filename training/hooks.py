"""What happens after a shop's active model version of one kind changed (activation, rollback).

Each kind registers its follow-up once (the encoder queues a re-embedding job: vectors made by
the old encoder are never compared with the new one's). Whoever changes `is_active` calls
`active_version_changed` inside the transaction; the hooks run after it commits.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from catalog.models import ModelVersion, Shop

# kind -> hooks(shop, now active version or None for the base model, user)
Hook = Callable[[Shop, ModelVersion | None, object], None]
_HOOKS: dict[str, list[Hook]] = {}


def register_post_activation(kind: str, hook: Hook) -> None:
    hooks = _HOOKS.setdefault(kind, [])
    if hook not in hooks:
        hooks.append(hook)


def active_version_changed(
    shop: Shop, kind: str, version: ModelVersion | None, user: object = None
) -> None:
    """Run the kind's hooks once the surrounding transaction commits."""
    for hook in list(_HOOKS.get(kind, ())):
        transaction.on_commit(lambda hook=hook: hook(shop, version, user))
