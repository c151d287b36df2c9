"""Backfill or rebuild the search index (e.g. after bulk-loading complaints).

Small backfills go through the normal path (one upsert per complaint, the index kept in step
row by row). Past ``--bulk-threshold`` missing complaints it switches to a bulk load: on SQLite
the documents are written without the FTS5 triggers and the full-text index is rebuilt in one
pass at the end (six times faster than row by row), then the triggers are recreated; on
PostgreSQL the GIN index is dropped and built again once. Both happen in a ``finally`` and are
checked again at the start of every run, so an interrupted load cannot leave the index broken
(while a bulk load runs, searches miss what is being loaded). Every run writes the documents'
filter columns too (``search.services.FILTER_COLUMNS``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from complaintdesk.complaints.models import Complaint
from complaintdesk.search import dbsql
from complaintdesk.search.models import SearchDocument
from complaintdesk.search.services import index_complaints, search_index_clear


def _sqlite_triggers_present() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_fts_%'"
        )
        return int(cur.fetchone()[0]) == len(dbsql.SQLITE_TRIGGERS)


def _pg_index_present() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('search_doc_tsv_idx')")
        return cur.fetchone()[0] is not None


def _pg_create_index() -> None:
    with connection.cursor() as cur:
        if connection.in_atomic_block:  # check deferred foreign keys first (else refused)
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(dbsql.PG_INDEX.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))


def _sqlite_finish_bulk() -> None:
    """Rebuild the full-text index from the documents, merge it into one segment, and restore
    the triggers (atomically).

    'rebuild' writes the index as many segments and leaves FTS5 half-way through merging them:
    every later transaction then carries on with that merge (FTS5's automerge does a share of
    it per write). After a rebuild of 1M documents one document's insert cost ≈ 0.7–1 ms of CPU
    instead of ≈ 0.13 ms, and intake fell to 225/s; 'optimize' (≈ 9 s at 1M) finishes the
    merge once (benchmarks/README.md, Intake). It rewrites the index: the WAL (or journal) grows
    to about twice the index's size meanwhile, and the file keeps that much free space."""
    with transaction.atomic(), connection.cursor() as cur:
        for sql in dbsql.SQLITE_DROP[:3]:
            cur.execute(sql)
        cur.execute("PRAGMA cache_size=-1000000")  # the merges of a large rebuild stay in memory
        cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        cur.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        cur.execute("PRAGMA cache_size=-64000")
        for sql in dbsql.SQLITE_TRIGGERS:
            cur.execute(sql)


class Command(BaseCommand):
    help = (
        "Index complaints for search. By default only those missing from the index; "
        "--all re-indexes every complaint, --rebuild empties the index first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="re-index every complaint")
        parser.add_argument(
            "--rebuild", action="store_true", help="empty the index, then index all"
        )
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument(
            "--bulk-threshold",
            type=int,
            default=20_000,
            help="SQLite: from this many complaints on, load in bulk and rebuild the index once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"]
        sqlite = connection.vendor == "sqlite"
        postgres = connection.vendor == "postgresql"
        if sqlite and not _sqlite_triggers_present():
            self.stdout.write("The full-text triggers were missing (interrupted load): rebuilding.")
            _sqlite_finish_bulk()
        if postgres and not _pg_index_present():
            self.stdout.write("The full-text index was missing (interrupted load): recreating.")
            _pg_create_index()
        if options["rebuild"]:
            search_index_clear()
        every = options["all"] or options["rebuild"]
        todo = Complaint.objects.count() if every else self._missing()
        bulk = (sqlite or postgres) and todo >= options["bulk_threshold"]
        started = time.monotonic()
        done = 0
        try:
            if bulk:
                with transaction.atomic(), connection.cursor() as cur:
                    for sql in dbsql.SQLITE_DROP[:3] if sqlite else dbsql.PG_DROP[:1]:
                        cur.execute(sql)
            done = self._index(every=every, batch=max(100, options["batch"]), verbose=verbose)
        finally:
            if bulk:
                t0 = time.monotonic()
                _sqlite_finish_bulk() if sqlite else _pg_create_index()
                if verbose:
                    self.stdout.write(f"  full-text index rebuilt in {time.monotonic() - t0:.1f}s")
        if verbose:
            took = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Search index: {done:,} complaints indexed in {took:.1f}s")
            )

    def _missing(self) -> int:
        return max(0, Complaint.objects.count() - SearchDocument.objects.count())

    def _index(self, *, every: bool, batch: int, verbose: int) -> int:
        started = time.monotonic()
        done, last = 0, 0
        while True:
            ids = Complaint.objects.filter(pk__gt=last).order_by("pk")
            chunk = list(ids.values_list("pk", flat=True)[:batch])
            if not chunk:
                return done
            if not every:
                # Skip the indexed ones of this stretch of ids (no anti-join over the table).
                have = set(
                    SearchDocument.objects.filter(
                        complaint_id__gte=chunk[0], complaint_id__lte=chunk[-1]
                    ).values_list("complaint_id", flat=True)
                )
                todo = [pk for pk in chunk if pk not in have]
            else:
                todo = chunk
            if todo:
                with transaction.atomic():
                    done += index_complaints(todo)
            last = chunk[-1]
            if verbose >= 2 or (verbose and todo and done % (batch * 25) < len(todo)):
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"  {done:,} indexed ({rate:,.0f}/s)")
