"""Background jobs of progressive closure; thin wrappers over its services."""

from celery import shared_task

from policy.services import closure


@shared_task(name="policy.tasks.reevaluate_listings", acks_late=True)
def reevaluate_listings(rule_id: int | None = None) -> dict:
    """Re-evaluate the whole catalog after a rule change (idempotent, safe to retry).

    Through the enforcement of due rules, so that the changed rule is marked enforced
    and beat's next run does not judge the catalog a second time for it.
    """
    result = closure.rules_enforce_due()
    if result is None:  # beat is enforcing it right now, or already did
        return {"suspended": 0, "released": 0}
    return {"suspended": result.suspended, "released": result.released}


@shared_task(name="policy.tasks.enforce_due_rules")
def enforce_due_rules() -> dict | None:
    """Beat: rules that reached their effective date take effect on the catalog."""
    result = closure.rules_enforce_due()
    if result is None:
        return None
    return {"suspended": result.suspended, "released": result.released}
