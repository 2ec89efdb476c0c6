"""The audit log: one row per privacy request, approval, publication, token or member change.

Services call `record_audit` inside the same transaction as the change it records, so the log
holds exactly the changes that happened. Actions are plain strings named here, with the label the
audit page shows; `details` carries counts and names of fields, never the personal data itself.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from catalog.models import AuditEvent, Shop

ACTION_LABELS = {
    "customer.export": "Exported a customer's data",
    "customer.erase": "Erased a customer",
    "draft.approve": "Approved and published copy",
    "answer.approve": "Approved and published an answer",
    "token.create": "Created an API token",
    "token.revoke": "Revoked an API token",
    "member.add": "Added a member",
    "member.role": "Changed a member's role",
    "member.remove": "Removed a member",
    "model_version.train": "Started training a model version",
    "model_version.activate": "Activated a model version",
    "model_version.rollback": "Rolled back a model version",
    "model_version.cancel": "Cancelled a model training",
    "experiment.start": "Started an experiment",
    "experiment.stop": "Stopped an experiment",
    "experiment.promote": "Promoted an experiment's winner",
}


def record_audit(
    shop: Shop,
    actor,
    action: str,
    *,
    target: Model | None = None,
    target_type: str = "",
    target_id: object = "",
    details: dict | None = None,
) -> AuditEvent:
    """Record that `actor` (a user, or None for the system) did `action` to `target`."""
    if action not in ACTION_LABELS:
        raise ValueError(f"Unknown audit action {action!r}")
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target.pk
    known_actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        shop=shop,
        actor=known_actor,
        actor_name=known_actor.get_username() if known_actor else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details or {},
    )


def audit_events(shop: Shop, action: str = "") -> QuerySet[AuditEvent]:
    """The shop's log, newest first, optionally one action only."""
    events = AuditEvent.objects.filter(shop=shop)
    if action:
        events = events.filter(action=action)
    return events.order_by("-at", "-pk")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
