"""Background jobs of progressive closure; thin wrappers over its services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from policy.selectors import closure as closure_selectors
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


@shared_task(
    name="policy.tasks.notify_reevaluation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_reevaluation(runs: list[str]) -> int:
    """Email each affected cooperative once, with the list of its listings that
    were suspended or brought back by these runs. Returns the number of emails."""
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        changes = closure_selectors.reevaluation_changes_by_cooperative(runs=runs)
        for cooperative, emails, suspended, released in changes:
            if not emails:
                continue
            context = {
                "cooperative": cooperative,
                "suspended": suspended,
                "released": released,
                "workspace_url": settings.SITE_URL.rstrip("/")
                + reverse("catalog:workspace_products"),
            }
            subject = render_to_string("policy/email/reevaluation_subject.txt", context).strip()
            body = render_to_string("policy/email/reevaluation.txt", context)
            send_mail(subject, body, None, emails)
            sent += 1
    return sent
