"""Background jobs of the listing policy; thin wrappers over its services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from policy.services import listing_rules


@shared_task(acks_late=True)
def reevaluate_listings(rule_id: int | None = None) -> dict:
    """Re-evaluate the whole catalog after a rule change (idempotent, safe to retry)."""
    result = listing_rules.listings_reevaluate()
    return {"suspended": result.suspended, "released": result.released}


@shared_task
def enforce_due_rules() -> dict | None:
    """Beat: rules that reached their effective date take effect on the catalog."""
    result = listing_rules.rules_enforce_due()
    if result is None:
        return None
    return {"suspended": result.suspended, "released": result.released}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reevaluation(runs: list[str]) -> int:
    """Email each affected cooperative once, with the list of its listings that
    were suspended or brought back by these runs. Returns the number of emails."""
    from policy.selectors import reevaluation_changes_by_cooperative

    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for cooperative, emails, suspended, released in reevaluation_changes_by_cooperative(
            runs=runs
        ):
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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_appeal_decided_email(appeal_id: int) -> int:
    """Tell the cooperative's managers how the regulator decided their appeal."""
    from policy.models import Appeal
    from sellers.selectors import manager_emails

    appeal = (
        Appeal.objects.select_related("decision__product__cooperative", "decision__rule")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        return 0
    product = appeal.decision.product
    emails = manager_emails(cooperative_ids=[product.cooperative_id]).get(
        product.cooperative_id, []
    )
    if not emails:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "appeal": appeal,
            "product": product,
            "product_url": settings.SITE_URL.rstrip("/")
            + reverse("catalog:product_edit", args=[product.pk]),
        }
        subject = render_to_string("policy/email/appeal_decided_subject.txt", context).strip()
        body = render_to_string("policy/email/appeal_decided.txt", context)
    send_mail(subject, body, None, emails)
    return len(emails)
