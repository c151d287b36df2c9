# Indexes for the complaint list at 1M complaints (category filter, escalated complaints) and
# the reports' "closed in the period" (moved here from a raw-SQL index of the reports app, which
# reports/0002 drops). See benchmarks/README.md.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_recorded_at_idempotency_claim"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["category", "-received_at", "-id"], name="cmp_category_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("escalation_level__gt", 0)),
                fields=["-received_at", "-id"],
                name="cmp_escalated_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", False)),
                fields=["closed_at"],
                name="cmp_closed_at_idx",
            ),
        ),
    ]
