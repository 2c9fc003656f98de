"""The audit trail: one call records a regulated action in the caller's transaction.

Every service that changes who may act for a cooperative, what a regulator decided
or what an administrator edited calls :func:`audit_record` inside its own
transaction, so the row exists exactly when the change does. The regulator's audit
page reads these rows (``policy.selectors.audit``).
"""

from __future__ import annotations

from typing import Any

from marketplace.models import AuditEvent, User

Action = AuditEvent.Action


def audit_record(
    *,
    action: AuditEvent.Action,
    actor: User | None,
    subject: str = "",
    cooperative_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row (callers are atomic: the row commits with the action)."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        cooperative_id=cooperative_id,
        subject=subject[:200],
        detail=detail or {},
    )


def person_label(user: User) -> str:
    """How the trail names a person: their name, else their number (never an email)."""
    return user.full_name or f"#{user.pk}"
