"""Emails about cooperatives, sent by Celery after the change has committed.

Each task takes an id and is safe to retry: it re-reads the row and sends what the
row says now.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from sellers.models import CooperativeStatusChange, Invitation
from sellers.selectors import manager_emails


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_status_change_email(change_id: int) -> int:
    """Tell every manager of the cooperative about a status change; return how many."""
    change = (
        CooperativeStatusChange.objects.select_related("cooperative").filter(pk=change_id).first()
    )
    if change is None:
        return 0
    managers = manager_emails(cooperative_ids=[change.cooperative_id]).get(
        change.cooperative_id, []
    )
    if not managers:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "change": change,
            "cooperative": change.cooperative,
            "workspace_url": _absolute(reverse("sellers:workspace")),
        }
        subject = render_to_string("sellers/email/status_change_subject.txt", context).strip()
        body = render_to_string("sellers/email/status_change.txt", context)
    send_mail(subject, body, None, managers)
    return len(managers)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int) -> bool:
    invitation = (
        Invitation.objects.select_related("cooperative", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "accept_url": _absolute(reverse("sellers:invitation", args=[invitation.token])),
        }
        subject = render_to_string("sellers/email/invitation_subject.txt", context).strip()
        body = render_to_string("sellers/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True
