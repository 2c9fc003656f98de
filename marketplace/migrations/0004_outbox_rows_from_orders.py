"""The outbox moved from orders to marketplace (every app's emails go through it):
copy the rows, keeping what was sent, what waits and what was given up."""

from django.db import migrations

# The relay gave up on an email after this many attempts when the outbox was in orders.
_GIVEN_UP_AFTER = 8


def _copy(apps, source, target, *, to_marketplace: bool) -> None:
    Source = apps.get_model(*source)
    Target = apps.get_model(*target)
    batch = []
    for row in Source.objects.order_by("pk").iterator(chunk_size=2000):
        fields = {
            "to": row.to,
            "subject": row.subject,
            "body": row.body,
            "created_at": row.created_at,
            "sent_at": row.sent_at,
            "attempts": row.attempts,
            "last_error": row.last_error,
        }
        if to_marketplace:
            waiting = row.sent_at is None and row.attempts < _GIVEN_UP_AFTER
            fields["next_attempt_at"] = row.created_at if waiting else None
        batch.append(Target(**fields))
        if len(batch) == 2000:
            Target.objects.bulk_create(batch)
            batch = []
    Target.objects.bulk_create(batch)


def forwards(apps, schema_editor):
    _copy(apps, ("orders", "OutgoingEmail"), ("marketplace", "OutgoingEmail"), to_marketplace=True)


def backwards(apps, schema_editor):
    _copy(apps, ("marketplace", "OutgoingEmail"), ("orders", "OutgoingEmail"), to_marketplace=False)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0003_outbox_and_preferred_language"),
        ("orders", "0002_returns_and_reviews"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
