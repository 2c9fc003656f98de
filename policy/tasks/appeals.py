"""Background jobs of appeals: telling the cooperative how its appeal was decided."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from policy.models import Appeal
from policy.services.decisions import listing_decide
from sellers.selectors import manager_emails


@shared_task(
    name="policy.tasks.send_appeal_decided_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_appeal_decided_email(appeal_id: int) -> int:
    """Tell the cooperative's managers how the regulator decided their appeal."""
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
            # The listing as it stands now: live, or still blocked by another rule.
            "still_blocked_by": [block.reason for block in listing_decide(product=product).blocks],
            "product_url": settings.SITE_URL.rstrip("/")
            + reverse("catalog:product_edit", args=[product.pk]),
        }
        subject = render_to_string("policy/email/appeal_decided_subject.txt", context).strip()
        body = render_to_string("policy/email/appeal_decided.txt", context)
    send_mail(subject, body, None, emails)
    return len(emails)
