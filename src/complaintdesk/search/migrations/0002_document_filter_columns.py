"""The complaint's list-filter columns copied into its search document (issue 7: a filtered
search on PostgreSQL answered by one GIN index over the words and the filters).

PostgreSQL: the tsv-only GIN index is dropped before the backfill (1M row updates would each
rewrite its entries) and rebuilt as ``dbsql.PG_INDEX`` (needs the ``btree_gin`` extension).
SQLite: the FTS5 triggers are dropped around the backfill (the text does not change) and
recreated.
"""

from django.db import migrations, models

from complaintdesk.search import dbsql


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        dbsql.VendorSQL(
            "postgresql",
            ["CREATE EXTENSION IF NOT EXISTS btree_gin", dbsql.PG_DROP[0]],
            [dbsql.PG_DROP[0], dbsql.PG_CREATE[-1]],
        ),
        dbsql.VendorSQL(
            "sqlite", dbsql.SQLITE_DROP[:3], list(reversed(dbsql.SQLITE_TRIGGERS))
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="status",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="channel",
            field=models.CharField(blank=True, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="kind",
            field=models.CharField(blank=True, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="category_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="department_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="assignee_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="customer_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(dbsql.FILTER_BACKFILL, migrations.RunSQL.noop),
        dbsql.VendorSQL("sqlite", dbsql.SQLITE_TRIGGERS, dbsql.SQLITE_DROP[:3]),
        dbsql.VendorSQL(
            "postgresql",
            [
                "SET LOCAL maintenance_work_mem = '512MB'",
                dbsql.PG_INDEX,
                "ANALYZE search_searchdocument",
            ],
            [dbsql.PG_DROP[0]],
        ),
    ]
