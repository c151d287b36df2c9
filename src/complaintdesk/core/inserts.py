"""INSERTs whose SQL is built once and whose values are prepared before the transaction.

``Model.objects.create`` and ``bulk_create`` compile the statement anew for every call and
convert every value inside the caller's transaction. On the intake path that work is most of
the time the transaction holds SQLite's single write lock (and a good share of the CPU on
PostgreSQL). :class:`Inserter` splits it in two:

* :meth:`Inserter.prepare` (anywhere, e.g. before the transaction starts) converts one unsaved
  instance's values exactly as Django's insert does (``field.pre_save`` then
  ``get_db_prep_save``: ``auto_now_add``, JSON, time zones…) into a list of parameters;
* :meth:`Inserter.insert` (inside the transaction) runs one ``INSERT … VALUES (…), (…)
  RETURNING <pk>`` with those lists and sets the primary keys on the instances.

A value known only inside the transaction (a foreign key to a row created there, a code from a
counter) is filled in with :meth:`Inserter.set` after ``prepare``. Both PostgreSQL and SQLite
(≥ 3.35) return the new keys in the order of the rows, as Django's ``bulk_create`` relies on.
Instances get ``_state.adding = False`` like saved ones. Signals are not sent (no model on this
path has receivers for its creation: the services journal and index explicitly).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)

_TEXT = frozenset({CharField, TextField, SlugField, EmailField})
_INTEGER = frozenset(
    {
        IntegerField,
        BigIntegerField,
        SmallIntegerField,
        PositiveIntegerField,
        PositiveSmallIntegerField,
        PositiveBigIntegerField,
    }
)
_AUTO = frozenset({AutoField, BigAutoField, SmallAutoField})


def _as_text(value: Any) -> Any:  # CharField.to_python
    return value if value is None or isinstance(value, str) else str(value)


def _as_int(value: Any) -> Any:  # IntegerField.get_prep_value
    return value if value is None or type(value) is int else int(value)


def _as_typed_int(internal_type: str, value: Any) -> Any:  # + the backend's typing (psycopg)
    return connection.ops.adapt_integerfield_value(_as_int(value), internal_type)


def _as_bool(value: Any) -> Any:  # BooleanField.get_prep_value (True/False/None as given)
    return value if value is None or type(value) is bool else BooleanField().to_python(value)


def _columns(model: type[Model], names: Sequence[str]) -> list[Field[Any, Any]]:
    out = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, Field):
            raise TypeError(f"{model.__name__}.{name} is not a column")
        out.append(field)
    return out


class Inserter:
    """One model's INSERT: its columns, its SQL per row count, and value preparation."""

    def __init__(
        self,
        model: type[Model],
        *,
        fields: Sequence[str] = (),
        on_conflict: Sequence[str] = (),
        returning: Sequence[str] = (),
    ) -> None:
        """``fields``: the columns written (default: every concrete one but an automatic key).
        ``on_conflict``: a unique key whose duplicates are skipped (``ON CONFLICT (…) DO
        NOTHING``; such an INSERT is run by :meth:`returned`). ``returning``:
        the columns returned (default: an automatic key, set on the instances by :meth:`insert`).
        """
        meta = model._meta
        self.model = model
        self.pk = meta.pk
        # An automatic key comes back from RETURNING; any other key is a value like the rest.
        self.auto = meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
        self.fields: list[Field[Any, Any]]
        if fields:
            self.fields = _columns(model, fields)
        else:
            self.fields = [
                f
                for f in meta.local_concrete_fields
                if not (f.primary_key and self.auto) and not getattr(f, "generated", False)
            ]
        self.on_conflict = _columns(model, on_conflict)
        self.returning = _columns(model, returning) or ([meta.pk] if self.auto else [])
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self._sql: dict[tuple[str, int], str] = {}
        self._converters: dict[str, list[tuple[str, Callable[[Any], Any] | None, Any]]] = {}

    def _plan(self) -> list[tuple[str, Callable[[Any], Any] | None, Any]]:
        """Per field: the attribute, a cheap conversion (or None: the field's own
        ``pre_save`` + ``get_db_prep_save``) and the field. Text, integer and boolean fields of
        Django's own classes only need their Python type (what their ``get_prep_value`` does);
        everything else (times, JSON, a field with ``auto_now``, any custom field) goes the
        field's own way."""
        plan = self._converters.get(connection.vendor)
        if plan is None:
            plan = []
            for f in self.fields:
                target = f.target_field if isinstance(f, ForeignKey) else f
                kind = type(target)
                convert: Callable[[Any], Any] | None = None
                if type(f).pre_save is Field.pre_save:
                    if kind in _TEXT:
                        convert = _as_text
                    elif kind in _AUTO:
                        convert = _as_int
                    elif kind in _INTEGER:
                        convert = partial(_as_typed_int, target.get_internal_type())
                    elif kind is BooleanField:
                        convert = _as_bool
                plan.append((f.attname, convert, f))
            self._converters[connection.vendor] = plan
        return plan

    def prepare(self, obj: Model) -> list[Any]:
        """The parameters of ``obj``'s row, converted for the current database."""
        row = []
        for attname, convert, f in self._plan():
            if convert is None:
                row.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
            else:
                row.append(convert(getattr(obj, attname)))
        return row

    def set(self, row: list[Any], obj: Model, attname: str, value: Any) -> None:
        """Set a value on the instance and in its prepared row (after :meth:`prepare`)."""
        setattr(obj, attname, value)
        self.fill(row, attname, value)

    def fill(self, row: list[Any], attname: str, value: Any) -> None:
        """Set a value in a prepared row only (the instance has it already, e.g. a foreign key
        set through its object so that the related instance stays cached)."""
        field = self.fields[self.index[attname]]
        row[self.index[attname]] = field.get_db_prep_save(value, connection)

    def statement(self, rows: int) -> str:
        """The INSERT of ``rows`` rows (SQL cached for the usual sizes)."""
        key = (connection.vendor, rows)
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name

            def names(fields: Sequence[Any]) -> str:
                return ", ".join(quote(f.column) for f in fields)

            one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            sql = (
                f"INSERT INTO {quote(self.model._meta.db_table)} ({names(self.fields)}) "  # noqa: S608
                f"VALUES {', '.join([one] * rows)}"
            )
            if self.on_conflict:
                sql += f" ON CONFLICT ({names(self.on_conflict)}) DO NOTHING"
            if self.returning:
                sql += f" RETURNING {names(self.returning)}"
            if rows <= 16:  # the usual sizes; a bulk write builds its own
                self._sql[key] = sql
        return sql

    def insert(self, objs: Sequence[Model], rows: Sequence[list[Any]]) -> None:
        """INSERT the prepared rows and set each instance's primary key (one statement per
        batch of the database's size, as ``bulk_create`` splits them)."""
        if len(objs) != len(rows):
            raise ValueError("one prepared row per instance")
        if self.on_conflict or self.returning not in ([self.pk], []):
            raise ValueError("an INSERT that skips or returns other columns: run returned()")
        if len(objs) * len(self.fields) <= 999:  # fits any backend's parameter limit
            size = max(1, len(objs))
        else:
            size = max(1, connection.ops.bulk_batch_size(self.fields, objs) or len(objs))
        for start in range(0, len(objs), size):
            self._insert(objs[start : start + size], rows[start : start + size])

    def returned(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Run one INSERT of these prepared rows and give back the rows its ``RETURNING``
        returns (with ``on_conflict``, none for a row skipped as a duplicate)."""
        with connection.cursor() as cur:
            cur.execute(self.statement(len(rows)), [value for row in rows for value in row])
            return cur.fetchall() if self.returning else []

    def _insert(self, objs: Sequence[Model], rows: Sequence[list[Any]]) -> None:
        returned = self.returned(rows)
        keys = returned if self.auto else [(getattr(o, self.pk.attname),) for o in objs]
        if len(keys) != len(objs):  # pragma: no cover - a database that drops RETURNING rows
            raise RuntimeError(f"{self.model.__name__}: {len(keys)} keys for {len(objs)} rows")
        for obj, (key,) in zip(objs, keys, strict=True):
            setattr(obj, self.pk.attname, key)
            obj._state.adding = False
            obj._state.db = connection.alias
