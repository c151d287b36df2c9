"""Drop the clock indexes no query needs (each costs an index write per row the sweep updates).

* ``complaint``, ``name`` and ``calendar`` lose the indexes Django adds by default (a foreign
  key's, a SlugField's and, on PostgreSQL, the ``_like`` twins of the slugs'): ``uniq_clock_run``
  (complaint, name, run) serves lookups by complaint and by complaint + name,
  ``clock_active_cal_idx`` the recomputation by calendar; nothing searches clocks by name prefix.
* ``clock_complaint_idx`` (complaint, name) repeats the first two columns of ``uniq_clock_run``.

Only indexes are dropped (``DROP INDEX IF EXISTS``, names as Django made them in 0001): no table
is rebuilt (Django's own AlterField would rebuild the table on SQLite and drop and re-validate
the foreign key on PostgreSQL), no row is touched. Reversible.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "sla_clock"
# (index name Django gave it in 0001_initial, column, PostgreSQL also has a "_like" twin)
DEFAULT_INDEXES = [
    ("sla_clock_complaint_id_eeac7bfd", "complaint_id", False),
    ("sla_clock_name_28808dc5", "name", True),
    ("sla_clock_calendar_58150ee9", "calendar", True),
]


def drop_default_indexes(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for name, _column, like in DEFAULT_INDEXES:
        names = [name, f"{name}_like"] if like and pg else [name]
        for index in names:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def create_default_indexes(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    q = schema_editor.quote_name
    for name, column, like in DEFAULT_INDEXES:
        schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(TABLE)} ({q(column)})")
        if like and pg:
            schema_editor.execute(
                f"CREATE INDEX {q(name + '_like')} ON {q(TABLE)} ({q(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_builtin_calendars")]

    operations = [
        migrations.RemoveIndex(model_name="clock", name="clock_complaint_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="calendar",
                    field=models.SlugField(db_index=False, max_length=60),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="complaint",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="complaints.complaint",
                    ),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="name",
                    field=models.SlugField(db_index=False, max_length=60),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_default_indexes, create_default_indexes),
            ],
        ),
    ]
