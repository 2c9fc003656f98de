from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

# Decisions made by a seller's own move (publication) were already mirrored by a row of
# the catalog's status history, written in the same transaction a moment later.
SELLER_TRIGGERS = {"publish", "import"}
SAME_TRANSACTION = timedelta(seconds=5)


def point_at_status_history(apps, schema_editor):
    """Each decision that moved a listing points at that move in the catalog's status
    history: the existing row when the catalog had written one, a new one otherwise.
    The decisions of one run (one per blocking rule) share their move."""
    Decision = apps.get_model("policy", "ListingDecision")
    Change = apps.get_model("catalog", "ProductStatusChange")
    moved = (
        Decision.objects.exclude(to_status="")
        .order_by("product_id", "run", "id")
        .values("id", "product_id", "run", "from_status", "to_status", "trigger", "actor_id", "created_at")
    )
    linked: dict[tuple, int] = {}
    taken: set[int] = set()
    for row in moved.iterator():
        key = (row["product_id"], row["run"])
        if key not in linked:
            seller_move = row["to_status"] == "active" and row["trigger"] in SELLER_TRIGGERS
            existing = None
            if seller_move:
                existing = (
                    Change.objects.filter(
                        product_id=row["product_id"],
                        from_status=row["from_status"],
                        to_status=row["to_status"],
                        created_at__gte=row["created_at"] - SAME_TRANSACTION,
                        created_at__lte=row["created_at"] + SAME_TRANSACTION,
                    )
                    .exclude(pk__in=taken)
                    .order_by("created_at")
                    .first()
                )
            if existing is None:
                existing = Change.objects.create(
                    product_id=row["product_id"],
                    from_status=row["from_status"],
                    to_status=row["to_status"],
                    trigger="seller" if seller_move else "policy",
                    actor_id=row["actor_id"],
                    created_at=row["created_at"],
                )
            taken.add(existing.pk)
            linked[key] = existing.pk
        Decision.objects.filter(pk=row["id"]).update(status_change_id=linked[key])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_status_trigger"),
        ("policy", "0004_rule_certificate_format"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingdecision",
            name="status_change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="decisions",
                to="catalog.productstatuschange",
            ),
        ),
        migrations.RunPython(point_at_status_history, migrations.RunPython.noop),
        migrations.RemoveField(model_name="listingdecision", name="from_status"),
        migrations.RemoveField(model_name="listingdecision", name="to_status"),
    ]
