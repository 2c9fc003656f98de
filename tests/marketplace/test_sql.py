"""The set-based writes of marketplace/sql.py: INSERT … SELECT, COPY for many rows, and
long id lists sent as one array, on whichever database the suite runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import OutgoingEmail, User
from marketplace.notifications import Email, emails_queue, outbox_relay
from marketplace.sql import COPY_FROM, in_list, insert_select, rows_insert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_long_id_list_selects_exactly_its_rows_in_one_parameter():
    users = [UserFactory() for _ in range(130)]
    wanted = [user.pk for user in users[5:125]]
    with CaptureQueriesContext(connection) as queries:
        found = sorted(User.objects.filter(in_list("pk", wanted)).values_list("pk", flat=True))
    assert found == sorted(wanted)
    if connection.vendor == "postgresql":
        assert "unnest" in queries.captured_queries[0]["sql"]


def test_copy_stores_many_emails_that_the_relay_then_sends(mailoutbox):
    rows = [
        OutgoingEmail(to=[f"buyer{n}@example.test"], language="en", subject=f"S{n}", body="B")
        for n in range(COPY_FROM + 5)
    ]
    rows_insert(OutgoingEmail, rows)
    assert OutgoingEmail.objects.count() == COPY_FROM + 5
    stored = OutgoingEmail.objects.get(subject="S7")
    assert stored.to == ["buyer7@example.test"] and stored.next_attempt_at is not None
    while outbox_relay():
        pass
    assert len(mailoutbox) == COPY_FROM + 5


def test_deferred_emails_for_many_buyers_render_in_each_language(mailoutbox):
    french = UserFactory(email="lecteur@example.test", preferred_language="fr")
    messages = [
        Email(
            [f"buyer{n}@example.test"],
            "orders/email/held_for_recall_subject.txt",
            "orders/email/held_for_recall.txt",
            {"orders": [{"number": "LP-000001", "cooperative": "Koop", "id": 1}], "reason": ""},
        )
        for n in range(COPY_FROM)
    ]
    messages.append(Email([french.email], *messages[0][1:]))
    emails_queue(messages=messages, defer=True)
    assert OutgoingEmail.objects.filter(body="").count() == COPY_FROM + 1
    while outbox_relay():
        pass
    (sent,) = [m for m in mailoutbox if m.to == [french.email]]
    assert "/orders/1/" in sent.body and "LP-000001" in sent.body
    assert sent.body != next(m for m in mailoutbox if m.to == ["buyer0@example.test"]).body


def test_insert_select_copies_rows_with_constants():
    users = [UserFactory() for _ in range(3)]
    inserted = insert_select(
        OutgoingEmail,
        source=User.objects.filter(pk__in=[u.pk for u in users]),
        columns={"subject": "email"},
        # Every column the table requires: the helper leaves the others to the database.
        constants={
            "to": ["ops@example.test"],
            "language": "en",
            "body": "hello",
            "html_body": "",
            "created_at": timezone.now(),
            "next_attempt_at": timezone.now(),
            "attempts": 0,
            "last_error": "",
        },
    )
    assert inserted == 3
    assert set(OutgoingEmail.objects.values_list("subject", flat=True)) == {u.email for u in users}
    assert set(OutgoingEmail.objects.values_list("body", flat=True)) == {"hello"}
