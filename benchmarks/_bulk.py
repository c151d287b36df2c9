"""Fast inserts for seed_bulk.py: rows as dicts, explicit ids, one executemany per batch.

Faster than ``bulk_create`` at a million rows because no model instance is built: values given
are prepared by their field (``get_db_prep_save``), every other column gets its field's default,
prepared once. Works on SQLite and PostgreSQL (sequences are reset at the end).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connections, models
from django.db.models import Max

_MISSING = object()


class Inserter:
    def __init__(self, model: type[models.Model], now: datetime) -> None:
        self.model = model
        # The connection itself, not the thread-local proxy (looked up once, not per value).
        self.conn = connection = connections["default"]
        self.fields = [f for f in model._meta.concrete_fields]
        self.constants: dict[str, Any] = {}
        for f in self.fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value: Any = now
            else:
                value = f.get_default()  # the default, "" for text fields, else None
                if value is None and not f.null:
                    continue
            self.constants[f.attname] = f.get_db_prep_save(value, connection)
        self.prepare = {f.attname: self._preparer(f) for f in self.fields}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
        self.copy_sql = (
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        )
        self.next_id = 0

    def _preparer(self, f: models.Field[Any, Any]) -> Callable[[Any], Any]:
        """The fast way to turn a Python value into the column's value, where one is safe."""
        plain = (
            models.CharField,
            models.TextField,
            models.IntegerField,
            models.BooleanField,
            models.ForeignKey,
        )
        if isinstance(f, models.DateTimeField):
            if self.conn.vendor == "sqlite":  # Django stores naive UTC text: str(datetime)
                return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
            return lambda v: v
        if isinstance(f, plain) and not isinstance(f, models.JSONField):
            return lambda v: v
        return lambda v: f.get_db_prep_save(v, self.conn)

    def take_ids(self, n: int) -> range:
        """The next n ids (integer primary keys only)."""
        if not self.next_id:
            self.next_id = (self.model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        ids = range(self.next_id, self.next_id + n)
        self.next_id += n
        return ids

    def insert(self, rows: list[dict[str, Any]]) -> None:
        params = []
        for row in rows:
            values = []
            for f in self.fields:
                value = row.get(f.attname, _MISSING)
                if value is _MISSING:
                    try:
                        values.append(self.constants[f.attname])
                    except KeyError:
                        raise ValueError(
                            f"{self.model.__name__}.{f.attname} needs a value"
                        ) from None
                else:
                    values.append(self.prepare[f.attname](value))
            params.append(values)
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":
                # COPY: an order of magnitude faster than INSERTs on PostgreSQL.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in params:
                        copy.write_row(values)
                return
            for start in range(0, len(params), 5000):
                cursor.executemany(self.sql, params[start : start + 5000])


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After explicit ids, PostgreSQL's id sequences must move past them (SQLite needs nothing)."""
    connection = connections["default"]
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Rows:
    """Writes rows given as tuples of database-ready values (the fast path of seed_bulk.py).

    ``columns`` are the attnames given in each tuple, in order; every other concrete column gets
    its field's default (JSON as text, auto_now as ``now``). Datetimes must be given as naive
    UTC text (``str(datetime)``): SQLite stores exactly that, and PostgreSQL reads it as UTC
    (Django's connections run in UTC). PostgreSQL: COPY with psycopg's ``write_row`` (in C);
    SQLite: ``executemany``.
    """

    def __init__(self, model: type[models.Model], columns: list[str], now: datetime) -> None:
        import json

        self.model = model
        self.conn = connection = connections["default"]
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for f in model._meta.concrete_fields if f.attname not in columns]
        constants: list[Any] = []
        for f in rest:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value: Any = str(now.astimezone(UTC).replace(tzinfo=None))
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise ValueError(f"{model.__name__}.{f.attname} needs a value")
                if isinstance(f, models.JSONField):
                    value = json.dumps(value)
                elif isinstance(f, models.DateTimeField) and value is not None:
                    value = str(value.astimezone(UTC).replace(tzinfo=None))
            constants.append(value)
        self.constants = tuple(constants)
        names = [by_name[c].column for c in columns] + [f.column for f in rest]
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(n) for n in names)
        self.sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"
        self.copy_sql = f"COPY {table} ({cols}) FROM STDIN"

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        const = self.constants
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row + const)
                return
            raw = cursor.cursor  # the sqlite3 cursor: no per-statement Django wrapping
            sql = self.sql.replace("%s", "?")
            raw.executemany(sql, [row + const for row in rows])


def max_id(model: type[models.Model]) -> int:
    return int(model.objects.aggregate(m=Max("pk"))["m"] or 0)
