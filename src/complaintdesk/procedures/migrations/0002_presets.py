"""The three shipped procedures (vieon, qcatv, consumer-law) as version 1."""

from datetime import UTC, datetime

from django.db import migrations


def seed(apps, schema_editor):
    from complaintdesk.procedures.presets import seed_presets

    seed_presets(
        apps.get_model("procedures", "Procedure"),
        apps.get_model("procedures", "ProcedureVersion"),
        datetime.now(UTC),
    )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
