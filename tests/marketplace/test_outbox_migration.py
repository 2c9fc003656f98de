"""The outbox moved from orders to marketplace: the rows already written move with it,
sent ones as sent, waiting ones still due, given-up ones still given up."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("marketplace", "0003_outbox_and_preferred_language"),
    ("orders", "0002_returns_and_reviews"),
]


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_the_orders_outbox_move_to_marketplace_as_they_were():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("orders", "OutgoingEmail")
    written = timezone.now() - timezone.timedelta(hours=3)
    old.objects.create(to=["a@example.test"], subject="sent", body="1", sent_at=written, attempts=1)
    old.objects.create(to=["b@example.test"], subject="waiting", body="2", created_at=written)
    old.objects.create(
        to=["c@example.test"], subject="given up", body="3", attempts=8, last_error="SMTP down"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from marketplace.models import OutgoingEmail

    rows = {row.subject: row for row in OutgoingEmail.objects.all()}
    assert set(rows) == {"sent", "waiting", "given up"}
    assert rows["sent"].sent_at == written and rows["sent"].next_attempt_at is None
    assert rows["waiting"].sent_at is None and rows["waiting"].next_attempt_at == written
    assert rows["waiting"].to == ["b@example.test"] and rows["waiting"].body == "2"
    given_up = rows["given up"]
    assert given_up.next_attempt_at is None and given_up.sent_at is None
    assert given_up.attempts == 8 and given_up.last_error == "SMTP down"
