import django.db.models.deletion
from django.db import migrations, models


def appeals_name_their_listing_and_rule(apps, schema_editor):
    Appeal = apps.get_model("policy", "Appeal")
    for appeal in Appeal.objects.select_related("decision"):
        appeal.product_id = appeal.decision.product_id
        appeal.rule_id = appeal.decision.rule_id
        appeal.save(update_fields=["product", "rule"])


def policy_version_row(apps, schema_editor):
    apps.get_model("policy", "PolicyVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search_index"),
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PolicyVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "policy version",
                "verbose_name_plural": "policy versions",
            },
        ),
        migrations.RunPython(policy_version_row, migrations.RunPython.noop),
        migrations.AddField(
            model_name="appeal",
            name="product",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policy_appeals",
                to="catalog.product",
            ),
        ),
        migrations.AddField(
            model_name="appeal",
            name="rule",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appeals",
                to="policy.listingrule",
            ),
        ),
        migrations.RunPython(appeals_name_their_listing_and_rule, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appeal",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policy_appeals",
                to="catalog.product",
            ),
        ),
        migrations.AlterField(
            model_name="appeal",
            name="rule",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appeals",
                to="policy.listingrule",
            ),
        ),
        migrations.AlterField(
            model_name="appeal",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("upheld", "Block upheld"),
                    ("granted", "Exemption granted"),
                    ("closed", "No longer needed"),
                ],
                default="pending",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("product", "rule"),
                name="appeal_one_open_per_listing_rule",
            ),
        ),
    ]
