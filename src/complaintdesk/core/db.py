"""Prepared statements on PostgreSQL, for the hot write paths only.

A statement prepared on the server is parsed once and, after five runs, planned once for all
parameter values (PostgreSQL's *generic plan*). For the intake's statements — INSERTs, a lookup
on a unique index — that plan is the only sensible one, and preparing them saved a third of the
database's time per creation. For the reads whose best plan depends on the values (search words,
filters on skewed columns) a generic plan is a trap: with every statement prepared, the search
benchmark's mean went from 22 to 39 ms at 1M complaints. So connections are opened with
preparation off (Django's default) and :func:`prepared_statements` turns it on for a block:
psycopg then prepares the statements run ``DATABASE_PREPARE_THRESHOLD`` times on the connection
inside such blocks (and only those), and reuses them in later blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def prepared_statements() -> Iterator[None]:
    """Within the block, repeated statements are prepared on the server (PostgreSQL with
    ``DATABASE_PREPARE_THRESHOLD`` set; elsewhere a no-op). Usable as a decorator."""
    threshold = getattr(settings, "DATABASE_PREPARE_THRESHOLD", None)
    if threshold is None or connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = threshold
    try:
        yield
    finally:
        raw.prepare_threshold = before  # (a connection closed meanwhile is never reused)
