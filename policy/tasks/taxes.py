"""Background jobs of tax collection; thin wrappers over its services."""

from celery import shared_task

from policy.services import collection


@shared_task(name="policy.tasks.collect_taxes", acks_late=True)
def collect_taxes(period: str | None = None, actor_id: int | None = None) -> dict:
    """Beat, monthly (after each month ends), or the regulator's page: collect a period
    (idempotent, safe to retry or to run again after a worker died)."""
    month = collection.period_parse(period) if period else collection.previous_period()
    from marketplace.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    result = collection.taxes_collect(period=month, actor=actor)
    return {
        "period": f"{result.period:%Y-%m}",
        "cooperatives": result.cooperatives,
        "parts": result.parts,
        "returns": result.returns,
        "assessments_written": result.changed,
    }
