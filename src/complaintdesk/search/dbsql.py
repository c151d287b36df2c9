"""The database-specific parts of the search index, used by the migrations and the selectors.

SQLite: an FTS5 table over ``search_searchdocument`` (external content: the folded text is
stored once), kept in step by triggers, so an upsert of a document row updates the full-text
index in the same transaction. Note: a later migration that makes Django rebuild
``search_searchdocument`` on SQLite drops the triggers; recreate them (``SQLITE_TRIGGERS``).

PostgreSQL: ``cd_unaccent`` is ``unaccent`` wrapped as IMMUTABLE (unaccent itself is only
STABLE, because its dictionary could change, so it cannot be used in an index or a generated
column). The weighted ``tsvector`` column is generated from the four text columns through it:
the stored text is already folded by Python, and unaccent makes the index fold anything written
to the table by other means too. A GIN index serves ``tsv @@ query``; since migration 0002 it
is one multi-column GIN (``PG_INDEX``, with ``btree_gin``) over the words and the document's
copies of the complaint's filter columns, so ``tsv @@ query AND status = 'received'`` is one
index scan that intersects the posting lists (no per-complaint lookups).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = ("ids", "names", "subject", "body")
TABLE = "search_searchdocument"
FTS = "search_fts"

SQLITE_CREATE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    ids, names, subject, body,
    content='search_searchdocument', content_rowid='complaint_id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
)"""
SQLITE_TRIGGERS = [
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
    INSERT INTO search_fts(rowid, ids, names, subject, body)
    VALUES (new.complaint_id, new.ids, new.names, new.subject, new.body);
END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
    INSERT INTO search_fts(search_fts, rowid, ids, names, subject, body)
    VALUES ('delete', old.complaint_id, old.ids, old.names, old.subject, old.body);
END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
    INSERT INTO search_fts(search_fts, rowid, ids, names, subject, body)
    VALUES ('delete', old.complaint_id, old.ids, old.names, old.subject, old.body);
    INSERT INTO search_fts(rowid, ids, names, subject, body)
    VALUES (new.complaint_id, new.ids, new.names, new.subject, new.body);
END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION cd_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    f"""ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, cd_unaccent(ids)), 'A')
        || setweight(to_tsvector('simple'::regconfig, cd_unaccent(names)), 'B')
        || setweight(to_tsvector('simple'::regconfig, cd_unaccent(subject)), 'B')
        || setweight(to_tsvector('simple'::regconfig, cd_unaccent(body)), 'C')
    ) STORED""",
    f"CREATE INDEX search_doc_tsv_idx ON {TABLE} USING gin (tsv)",
]
# The complaint's list-filter columns copied into each document (``search.services.FILTER_COLUMNS``),
# all of them in the PostgreSQL GIN index.
PG_INDEX_COLUMNS = (
    "status",
    "channel",
    "kind",
    "category_id",
    "department_id",
    "assignee_id",
    "customer_id",
    "received_at",
)
PG_INDEX = (
    f"CREATE INDEX search_doc_tsv_idx ON {TABLE} USING gin (tsv, {', '.join(PG_INDEX_COLUMNS)})"
)
# Backfill of the filter columns from the complaints (migration 0002; UPDATE … FROM works on
# PostgreSQL and on SQLite >= 3.33).
FILTER_BACKFILL = (
    f"UPDATE {TABLE} SET {', '.join(f'{c} = c.{c}' for c in PG_INDEX_COLUMNS)} "  # noqa: S608
    f"FROM complaints_complaint c WHERE c.id = {TABLE}.complaint_id"
)
PG_DROP = [
    "DROP INDEX IF EXISTS search_doc_tsv_idx",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS tsv",
    "DROP FUNCTION IF EXISTS cd_unaccent(text)",
]


class VendorSQL(migrations.RunSQL):
    """RunSQL that runs only on one database vendor ("sqlite" or "postgresql")."""

    def __init__(self, vendor: str, sql: Any, reverse_sql: Any = None) -> None:
        super().__init__(sql, reverse_sql=reverse_sql)
        self.vendor = vendor

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            f"{__name__}.VendorSQL",
            [self.vendor, self.sql],
            {"reverse_sql": self.reverse_sql} if self.reverse_sql is not None else {},
        )

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)
