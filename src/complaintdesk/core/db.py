"""Server-side binding and prepared statements on PostgreSQL, for the hot write path only.

Django's PostgreSQL connections quote every parameter into the SQL text in Python (psycopg's
``ClientCursor``) and let the server parse and plan each statement anew. For the intake — a
dozen small INSERTs and unique-index lookups on every creation — that is a large share of the
work: sending the parameters apart (server-side binding) and preparing the statements that
repeat (parsed and planned once per connection) took a creation from 4.69 to 3.87 ms of CPU and
from 7.3 to 5.6 ms of wall time (benchmarks/README.md, Intake; decision 0004).

Why only inside :func:`prepared_statements` blocks:

* after five runs PostgreSQL gives a prepared statement one *generic plan* for all parameter
  values. For the intake's statements that is the only sensible plan; for reads whose best plan
  depends on the values (search words, filters on skewed columns) it is a trap — with every
  statement prepared, the search benchmark's mean went from 22 to 39 ms at 1M complaints;
* server-side binding caps a statement at 65,535 parameters (the protocol's limit), and some
  paths filter on long id lists (a force-majeure event over many clocks).

Outside the blocks connections behave exactly as Django's default. ``DATABASE_PREPARE_THRESHOLD``
(default 5; ``off`` for a pooler in transaction mode that cannot keep prepared statements,
PgBouncer before 1.21 or with ``max_prepared_statements = 0``) is the number of runs inside
blocks before psycopg prepares a statement. A ROLLBACK makes psycopg forget the prepared
statements of its connection (they are prepared again on later runs); after a migration that
changes the type of a column such a statement returns, restart the workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def prepared_statements() -> Iterator[None]:
    """Within the block, this thread's PostgreSQL connection binds parameters on the server and
    prepares the statements it has run ``DATABASE_PREPARE_THRESHOLD`` times inside such
    blocks; elsewhere (SQLite, threshold off) a no-op. Usable as a decorator."""
    threshold = settings.DATABASE_PREPARE_THRESHOLD
    if threshold is None or connection.vendor != "postgresql":
        yield
        return
    # Django's own server-binding cursor class (defined for psycopg 3 only; unknown to the stubs)
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    connection.ensure_connection()
    raw = connection.connection
    before = (raw.cursor_factory, raw.prepare_threshold)
    raw.cursor_factory = ServerBindingCursor
    raw.prepare_threshold = threshold
    try:
        yield
    finally:
        # (a connection closed and replaced meanwhile never saw these settings)
        raw.cursor_factory, raw.prepare_threshold = before
