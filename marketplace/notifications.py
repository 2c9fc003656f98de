"""Every email the platform sends goes through this outbox.

An action queues its emails with :func:`emails_queue` inside its own transaction: they
are rows, rendered in each recipient's preferred language, that commit or roll back
with the change they announce. On commit the relay is nudged (never failing the
request when the broker is down); Celery beat also runs it every minute, so a broker
outage only delays emails. :func:`outbox_relay` claims due rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (two relays never send the same email), marks the
delivered ones sent in one ``UPDATE`` and gives a failed one a later attempt, with a
growing wait, until it gives up after :data:`MAX_ATTEMPTS` and keeps the last error.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from marketplace.models import OutgoingEmail, User
from marketplace.sql import in_list, rows_insert

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The wait before the next attempt doubles from FIRST_RETRY up to LONGEST_WAIT: eight
# attempts span about two hours, time enough for a mail server to come back.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


# Set while invented history is written (the demo seed): its emails are kept as sent.
_recording_history = contextvars.ContextVar("outbox_recording_history", default=False)


class Email(NamedTuple):
    """One email to write: its recipients, its subject and body templates, and what
    they are rendered with (``site_url`` is always there)."""

    to: Sequence[str]
    subject_template: str
    body_template: str
    context: Mapping[str, Any]


def recipient_languages(*, addresses: Iterable[str]) -> dict[str, str]:
    """Each known address's preferred language, in one query; unknown or unset
    addresses are absent (they get the site's default language)."""
    wanted = {address.lower() for address in addresses}
    if not wanted:
        return {}
    return dict(
        User.objects.filter(in_list("email", sorted(wanted), db_type="text"))
        .exclude(preferred_language="")
        .values_list("email", "preferred_language")
    )


def emails_queue(
    *,
    messages: Iterable[Email | tuple[Sequence[str], str, str, Mapping[str, Any]]],
    defer: bool = False,
) -> list[OutgoingEmail]:
    """Render and store emails in the caller's transaction, one row per message and
    language: recipients who read different languages get their own copy. Messages
    without recipients are skipped. The relay is asked to send them after commit.

    With ``defer`` the rows keep their templates and context (which must then be plain
    JSON: strings, numbers, lists) and the relay renders them as it sends them: a change
    that writes thousands of emails (a recall) stores them in one INSERT, without
    rendering inside its locks."""
    messages = [Email(*message) for message in messages if message[0]]
    languages = recipient_languages(
        addresses=[address for message in messages for address in message.to]
    )
    site_url = settings.SITE_URL.rstrip("/")
    rows = []
    for message in messages:
        by_language: dict[str, list[str]] = {}
        for address in sorted(set(message.to)):
            language = languages.get(address.lower()) or settings.LANGUAGE_CODE
            by_language.setdefault(language, []).append(address)
        for language, recipients in sorted(by_language.items()):
            if defer:
                template = {
                    "subject": message.subject_template,
                    "body": message.body_template,
                    "context": dict(message.context),
                }
                rows.append(
                    OutgoingEmail(
                        to=recipients, language=language, subject="", body="", template=template
                    )
                )
                continue
            subject, body = _render(
                message.subject_template,
                message.body_template,
                {"site_url": site_url, **message.context},
                language=language,
            )
            rows.append(OutgoingEmail(to=recipients, language=language, subject=subject, body=body))
    return _store(rows)


def _render(
    subject_template: str, body_template: str, context: Mapping[str, Any], *, language: str
) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(subject_template, context)
        body = render_to_string(body_template, context)
    return " ".join(subject.split())[:250], body


def email_render(email: OutgoingEmail) -> None:
    """Render a deferred email in place (its subject and body); a rendered one is left."""
    if not email.template or email.body:
        return
    email.subject, email.body = _render(
        email.template["subject"],
        email.template["body"],
        {"site_url": settings.SITE_URL.rstrip("/"), **email.template.get("context", {})},
        language=email.language,
    )


def email_queue_rendered(
    *, to: Sequence[str], subject: str, body: str, html_body: str = "", language: str = ""
) -> OutgoingEmail:
    """Store an email someone else rendered (the account emails of allauth)."""
    (row,) = _store(
        [
            OutgoingEmail(
                to=list(to),
                language=language,
                subject=" ".join(subject.split())[:250],
                body=body,
                html_body=html_body,
            )
        ]
    )
    return row


@contextlib.contextmanager
def emails_recorded_as_sent():
    """Inside this block, queued emails are stored as already sent and never relayed:
    for invented history (the demo seed's eighteen months of orders), whose readers
    must not receive a thousand emails about things that never happened."""
    token = _recording_history.set(True)
    try:
        yield
    finally:
        _recording_history.reset(token)


def _store(rows: list[OutgoingEmail]) -> list[OutgoingEmail]:
    if not rows:
        return []
    if _recording_history.get():
        now = timezone.now()
        for row in rows:
            email_render(row)
            row.sent_at, row.next_attempt_at = now, None
        return OutgoingEmail.objects.bulk_create(rows)
    rows = rows_insert(OutgoingEmail, rows)  # COPY for thousands (a recall)
    transaction.on_commit(relay_nudge)
    return rows


def relay_nudge() -> None:
    """Ask a worker to relay now. Never raises: with the broker down the emails simply
    wait for the periodic relay, and the action that wrote them has already committed."""
    from marketplace.celery import task_nudge
    from marketplace.tasks import relay_outbox

    if not task_nudge(relay_outbox):
        log.warning("broker unavailable; emails wait in the outbox for the periodic relay")


def outbox_retry(*, emails) -> int:
    """Give unsent emails (given up ones, say, once the mail server is fixed) a fresh
    set of attempts, due now; return how many."""
    updated = emails.filter(sent_at__isnull=True).update(attempts=0, next_attempt_at=timezone.now())
    if updated:
        transaction.on_commit(relay_nudge)
    return updated


def retry_wait(*, attempts: int) -> timedelta:
    """How long a failed email waits before its next attempt, after ``attempts``."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def outbox_relay(*, limit: int = 200) -> int:
    """Send the emails that are due, each at most once; return how many were sent.

    The claimed rows stay locked until the batch is recorded, so a second relay skips
    them rather than waiting or sending them again.
    """
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        if not batch:
            return 0
        delivered: list[int] = []
        failures: dict[int, str] = {}
        connection = get_connection()
        try:
            connection.open()
        except Exception as exc:  # the mail server is away: every email waits
            failures = {email.pk: _describe(exc) for email in batch}
        else:
            try:
                for email in batch:
                    try:
                        email_render(email)
                        _message(email, connection).send()
                    except Exception as exc:  # retried by a later relay
                        failures[email.pk] = _describe(exc)
                    else:
                        delivered.append(email.pk)
            finally:
                # The server may have hung up first; what was sent is recorded below.
                with contextlib.suppress(Exception):
                    connection.close()
        if delivered:
            OutgoingEmail.objects.filter(pk__in=delivered).update(
                sent_at=timezone.now(), next_attempt_at=None, attempts=F("attempts") + 1
            )
            # Deferred emails keep the text they were sent with.
            sent = set(delivered)
            rendered = [email for email in batch if email.template and email.pk in sent]
            if rendered:
                OutgoingEmail.objects.bulk_update(rendered, ["subject", "body"])
        for email in batch:
            if email.pk in failures:
                _record_failure(email, error=failures[email.pk], now=now)
    return len(delivered)


def _message(email: OutgoingEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.body, None, list(email.to), connection=connection
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _describe(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:1000]


def _record_failure(email: OutgoingEmail, *, error: str, now: datetime) -> None:
    attempts = email.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        log.error("email %s given up after %s attempts: %s", email.pk, attempts, error)
        next_attempt_at = None
    else:
        next_attempt_at = now + retry_wait(attempts=attempts)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=attempts, last_error=error, next_attempt_at=next_attempt_at
    )
