# The partial index on complaints.closed_at is now declared on the Complaint model
# (complaints/0003, "cmp_closed_at_idx"); drop the raw-SQL copy this app created in 0001.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("complaints", "0003_list_and_report_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS reports_cmp_closed_at_idx",
            "CREATE INDEX IF NOT EXISTS reports_cmp_closed_at_idx ON complaints_complaint "
            "(closed_at) WHERE closed_at IS NOT NULL",
        ),
    ]
