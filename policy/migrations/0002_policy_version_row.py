"""The one policy version row that listing writes and re-evaluations lock together."""

from django.db import migrations


def policy_version_row(apps, schema_editor):
    apps.get_model("policy", "PolicyVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(policy_version_row, migrations.RunPython.noop)]
