"""Background jobs of progressive closure; thin wrappers over its services."""

from celery import shared_task

from policy.services import closure


@shared_task(name="policy.tasks.reevaluate_listings", acks_late=True)
def reevaluate_listings(rule_id: int | None = None) -> dict:
    """Re-evaluate the whole catalog after a rule change (idempotent, safe to retry)."""
    result = closure.listings_reevaluate()
    return {"suspended": result.suspended, "released": result.released}


@shared_task(name="policy.tasks.enforce_due_rules")
def enforce_due_rules() -> dict | None:
    """Beat: rules that reached their effective date take effect on the catalog."""
    result = closure.rules_enforce_due()
    if result is None:
        return None
    return {"suspended": result.suspended, "released": result.released}
