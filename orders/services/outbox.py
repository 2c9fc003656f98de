"""The email outbox: emails are rows written in the transaction of the change they
announce, then sent by a relay task. If the broker is down the order still succeeds;
the periodic relay (Celery beat) sends what is waiting once things are back."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from orders.models import OutgoingEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def emails_queue(*, messages: list[tuple[list[str], str, str, dict]]) -> list[OutgoingEmail]:
    """Render and store emails (recipients, subject template, body template, context);
    ask the relay to send them once the transaction commits."""
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for recipients, subject_template, body_template, context in messages:
            context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
            rows.append(
                OutgoingEmail(
                    to=sorted(set(recipients)),
                    subject=render_to_string(subject_template, context).strip()[:250],
                    body=render_to_string(body_template, context),
                )
            )
    rows = OutgoingEmail.objects.bulk_create(rows)
    transaction.on_commit(_kick_relay)
    return rows


def _kick_relay() -> None:
    from orders.tasks import relay_outbox

    try:
        relay_outbox.delay()
    except Exception:  # broker down: the periodic relay will send them
        log.warning("broker unavailable; emails wait in the outbox for the periodic relay")


def outbox_relay(*, limit: int = 200) -> int:
    """Send waiting emails, each at most once: rows are claimed under SKIP LOCKED, so
    two relays never send the same email. Returns how many were sent."""
    sent = 0
    with transaction.atomic():
        batch = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .order_by("created_at", "id")[:limit]
        )
        delivered = []
        for email in batch:
            try:
                send_mail(email.subject, email.body, None, email.to)
            except Exception as exc:  # any delivery failure is retried by a later relay
                email.attempts += 1
                email.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
                email.save(update_fields=["attempts", "last_error"])
                continue
            delivered.append(email.pk)
        if delivered:
            OutgoingEmail.objects.filter(pk__in=delivered).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
        sent = len(delivered)
    return sent
