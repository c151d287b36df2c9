"""The deadline sweep: find clocks near or past their deadline, mark them, hand them on.

``sweep_deadlines`` runs every minute (``config/schedule.py``). It never scans open complaints:
each pass reads one partial index of ``sla.Clock`` (due and running; escalation due; warning
due) in batches, and for each batch, in ONE transaction:

1. locks the clocks' complaints (skipping busy ones: see "Locks and deadlocks" below) and marks
   the clocks (``state``/``breached_at``, ``escalated_level``/``escalate_at``, ``warned_at``) —
   these columns are what make a rerun a no-op. A breach whose first escalation level is due at
   once climbs it in the same row update;
2. journals each change on the complaint's chain (``clock.breached`` / ``clock.escalated`` /
   ``clock.warned``, as ``sla.services`` does);
3. calls the registered deadline handlers (the notifications app queues the internal emails and
   the customer notices through the outbox, and raises the complaint's escalation level).

A crash anywhere in a batch rolls the whole batch back — marks, journal entries and outbox rows
together — so the next run finds those clocks still due and does them once. A batch that raises
is redone clock by clock, so one bad clock (logged, left due for the next run) cannot hold up
the others. ``sla`` sits below the apps that act on a deadline: they register a handler
(``register_deadline_handler``) instead of being imported here.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

from django.apps import apps
from django.db import connection, transaction
from django_tasks import task

from complaintdesk.core.clock import utcnow
from complaintdesk.journal.services import journal_append, journal_batch
from complaintdesk.sla.calendars import calendar_clear_cache, calendar_get, default_calendar_slug
from complaintdesk.sla.domain.clocks import ClockSpec, escalation_time
from complaintdesk.sla.models import Clock, ClockState
from complaintdesk.sla.services import clocks_recompute

logger = logging.getLogger(__name__)

Kind = Literal["breached", "escalated", "warned"]
BATCH_SIZE = 1000


@dataclass(frozen=True)
class DeadlineEvent:
    """One thing the sweep did to one clock; ``level``/``to`` for escalations."""

    kind: Kind
    clock: Clock
    level: int = 0
    to: tuple[str, ...] = ()


DeadlineHandler = Callable[[Sequence[DeadlineEvent], datetime], None]
_HANDLERS: list[DeadlineHandler] = []


def register_deadline_handler(handler: DeadlineHandler) -> None:
    """Called with each batch's events inside the batch's transaction (idempotent)."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


@dataclass
class SweepResult:
    breached: int = 0
    escalated: int = 0
    warned: int = 0
    batches: int = 0
    failed: int = 0

    def add(self, kind: Kind, n: int) -> None:
        setattr(self, kind, getattr(self, kind) + n)


# --- selection + marking (what benchmarks/bench_sweep.py measures) ---------------------------
#
# Locks and deadlocks (PostgreSQL; on SQLite the IMMEDIATE transaction serialises writers).
#
# Every writer takes its locks in one order: the complaint row, then the complaint's journal
# chain head, then its clock rows (agent actions through the complaint services; force majeure,
# calendar recomputation and the ``clock_mark_*`` services through
# ``sla.services._lock_complaints_of``). The complaint's row lock thus stands for its chain and
# its clocks: a transaction that holds either of those and then waits for another lock holds the
# complaint too. One batch of the sweep, in one transaction:
#
# 1. ONE statement reads the due clocks through the partial index and locks their complaints
#    ``FOR NO KEY UPDATE SKIP LOCKED``: a complaint an agent, a force majeure or another sweep
#    holds is passed over (its clock is left to the next sweep; the LIMIT fills up with others),
#    never waited for. NO KEY UPDATE conflicts with the agents' FOR UPDATE and with other
#    sweeps, not with the FOR KEY SHARE that a foreign-key check takes at commit: a writer that
#    journals on the chain and inserts a row referencing the complaint without locking it
#    (head first, complaint last) cannot deadlock with the sweep, as it would with FOR UPDATE;
# 2. ONE UPDATE marks the clocks, fenced on the columns the marks were computed from (a clock
#    read in 1. may have been changed by someone who held its complaint until just before);
#    ``RETURNING`` says which were marked;
# 3. (``_batch``) journals on their chains and lets the handlers queue notices: every later lock
#    is on a row of a complaint the batch holds.
#
# So the sweep waits only for locks on rows of complaints it holds (clock rows, chain heads, the
# complaint rows for foreign-key checks), and whoever holds one of those without holding the
# complaint is not waiting for the sweep (it would have had to take the complaint first, or
# takes only a key share, which does not conflict). Hence no deadlock with agents, and two
# sweeps never wait for each other at all: they split the due clocks
# (``sla/tests/test_sweep_locks.py``). The clocks are not locked row by row besides: the
# complaint lock stands for them (a lock before the update would write every clock row twice).
# The complaint lock itself is not an extra cost of the real sweep: the outbox rows its handlers
# queue reference the complaint, and their foreign-key checks lock the complaint row at commit
# anyway; and a row lock of any strength is written in the row's header (the page is dirtied
# and WAL-logged either way), so no weaker mode would be cheaper.
#
# The statements are plain SQL with the values as parameters (an ORM ``pk__in`` filter costs
# ~20 µs per id); on PostgreSQL a batch's values travel as a few arrays (``unnest``), instants as
# integer microseconds (a list of datetimes costs ~4 µs each to send).

_T = Clock._meta.db_table

# Per kind: the condition of "due at %s" (the partial index's condition plus the range on its
# column; ``{c}.``: the clock table's name or alias) and the indexed instant it is read in
# order of. The same as ``sla.selectors``.
_DUE: dict[Kind, tuple[str, str]] = {
    "breached": (f"{{c}}.state = '{ClockState.RUNNING.value}' AND {{c}}.due_at <= %s", "due_at"),
    # A stopped clock has no escalate_at (``sla.services``); the UPDATE checks it anyway.
    "escalated": ("{c}.escalate_at IS NOT NULL AND {c}.escalate_at <= %s", "escalate_at"),
    "warned": (
        f"{{c}}.state = '{ClockState.RUNNING.value}' AND {{c}}.warned_at IS NULL "
        "AND {c}.warn_at IS NOT NULL AND {c}.warn_at <= %s",
        "warn_at",
    ),
}


class Due(NamedTuple):
    """A clock due for the sweep. Instants as the sweep reads and writes them (``_instant``):
    integer microseconds since the epoch on PostgreSQL, naive UTC datetimes on SQLite."""

    clock_id: int
    complaint_id: int
    level: int  # escalated_level
    escalate_at: Any
    due_at: Any
    calendar: str
    spec: str  # JSON text: parsed once per distinct spec (``_Steps``)


def _pg() -> bool:
    return connection.vendor == "postgresql"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
# PostgreSQL: instants travel as integer microseconds since the epoch — a timestamptz column
# costs ~5 µs per value to load in Python and a list of datetimes ~4 µs per value to send, an
# integer a fraction of that. Both conversions are exact (EXTRACT gives a numeric; the interval
# product is exact below 2**53 µs, i.e. until the year 2255).
_TO_US = "(EXTRACT(EPOCH FROM {}) * 1000000)::bigint"
_FROM_US = "(TIMESTAMPTZ 'epoch' + {} * INTERVAL '1 microsecond')"


def _instant(value: datetime | None, pg: bool | None = None) -> Any:
    """An aware datetime as ``Due`` holds instants (``pg``: the vendor, when the caller knows)."""
    if value is None:
        return None
    if _pg() if pg is None else pg:
        return (value - _EPOCH) // _US
    return value.astimezone(UTC).replace(tzinfo=None)


def _aware(value: Any) -> datetime | None:
    """An instant as ``Due`` holds it (or as text) back to an aware datetime."""
    if value is None:
        return None
    if isinstance(value, int):
        return _EPOCH + value * _US
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _db_time(value: datetime | None) -> Any:
    """A datetime as a query parameter (what ``adapt_datetimefield_value`` gives, faster)."""
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _array(values: Sequence[int | None]) -> str:
    """A PostgreSQL array literal of integers, sent as one text value (``%s::bigint[]``):
    psycopg adapts a Python list element by element, ~2 µs each."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _in(ids: Collection[int]) -> str:
    """Placeholders for ``IN (…)`` on SQLite (PostgreSQL takes one array)."""
    return ", ".join(["%s"] * len(ids))


def select_due(
    kind: Kind,
    now: datetime,
    limit: int,
    skip: set[int] | None = None,
    only: int | None = None,
) -> list[Due]:
    """Up to ``limit`` clocks due for ``kind`` at ``now``, earliest first, not in ``skip``
    (``only``: just that clock), with their complaints locked in the caller's transaction
    (PostgreSQL: clocks of complaints someone else holds are passed over, see above)."""
    condition, instant = _DUE[kind]
    c = "c"
    where, params = condition.format(c=c), [_db_time(now)]
    if skip:
        if _pg():
            where += f" AND NOT ({c}.id = ANY(%s::bigint[]))"
            params.append(_array(sorted(skip)))
        else:
            where += f" AND {c}.id NOT IN ({_in(skip)})"
            params += sorted(skip)
    if only is not None:
        where += f" AND {c}.id = %s"
        params.append(only)
    # Ordered by the indexed instant alone: a tie-break on id would make PostgreSQL read every
    # due entry (incremental sort) before the LIMIT.
    order = f"ORDER BY {c}.{instant} LIMIT %s"
    if _pg():
        complaints = apps.get_model("complaints", "Complaint")._meta.db_table
        escalate_at, due_at = _TO_US.format(f"{c}.escalate_at"), _TO_US.format(f"{c}.due_at")
        sql = (
            f"SELECT {c}.id, {c}.complaint_id, {c}.escalated_level, {escalate_at}, {due_at}, "  # noqa: S608
            f"{c}.calendar, CAST({c}.spec AS TEXT) "
            f"FROM {_T} {c} JOIN {complaints} p ON p.id = {c}.complaint_id "
            f"WHERE {where} {order} FOR NO KEY UPDATE OF p SKIP LOCKED"
        )
    else:  # the IMMEDIATE transaction holds the whole database
        sql = (
            f"SELECT {c}.id, {c}.complaint_id, {c}.escalated_level, {c}.escalate_at, "  # noqa: S608
            f"{c}.due_at, {c}.calendar, {c}.spec FROM {_T} {c} WHERE {where} {order}"
        )
    return [Due(*row) for row in _fetch(sql, [*params, limit])]


def _execute(sql: str, params: Sequence[Any]) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


@dataclass(frozen=True)
class Mark:
    """What marking did to one clock: breached and/or escalated one level (to ``level``)."""

    clock_id: int
    breached: bool = False
    level: int = 0  # the escalation level reached now, 0 when it did not escalate
    to: tuple[str, ...] = ()


def mark_warned(rows: Sequence[Due], now: datetime) -> list[int]:
    """Record that the warning of these running clocks went out; returns the ids marked."""
    if not rows:
        return []
    t = _db_time(now)
    ids = [d.clock_id for d in rows]
    due = _DUE["warned"][0].format(c=_T)
    if _pg():
        sql = (
            f"UPDATE {_T} SET warned_at = %s, updated_at = %s WHERE id = ANY(%s::bigint[]) "  # noqa: S608
            f"AND {due} RETURNING id"
        )
        return sorted(pk for (pk,) in _fetch(sql, [t, t, _array(ids), t]))
    # SQLite: nothing changed since the read, in this write transaction.
    _execute(
        f"UPDATE {_T} SET warned_at = %s, updated_at = %s "  # noqa: S608
        f"WHERE id IN ({_in(ids)}) AND {due}",
        [t, t, *ids, t],
    )
    return ids


def _calendar(slug: str) -> Any:
    try:
        return calendar_get(slug)
    except LookupError:
        return calendar_get(default_calendar_slug())


class _Steps:
    """Next escalation steps, with specs parsed and instants computed once per distinct value
    (thousands of clocks share a handful of specs and, for day targets, of due instants)."""

    def __init__(self) -> None:
        self.pg = _pg()
        self.specs: dict[str, ClockSpec] = {}
        self.calendars: dict[str, Any] = {}
        self.instants: dict[tuple[str, str, Any, int], Any] = {}

    def step(
        self, spec_text: str, calendar: str, due_at: Any, level: int
    ) -> tuple[tuple[str, ...], Any]:
        """Targets of ``level`` and the instant of ``level + 1`` (None: chain ends), both
        ``due_at`` and the instant as ``Due`` holds them."""
        if spec_text not in self.specs:
            self.specs[spec_text] = ClockSpec.from_dict(json.loads(spec_text))
        spec = self.specs[spec_text]
        to = tuple(spec.escalation[level - 1].to) if level <= len(spec.escalation) else ()
        key = (spec_text, calendar, due_at, level)
        if key not in self.instants:
            if calendar not in self.calendars:
                self.calendars[calendar] = _calendar(calendar)
            cal = self.calendars[calendar]
            at = escalation_time(spec, cal, _aware(due_at), level + 1)
            self.instants[key] = _instant(at, self.pg)
        return to, self.instants[key]


def _set_levels(
    rows: Sequence[tuple[Due, int, Any]], assignments: str, fence: str, params: list[Any]
) -> set[int]:
    """One UPDATE of ``(clock as read, new level, new escalate_at)``: ``assignments`` (with
    ``params``) plus ``escalated_level``/``escalate_at``, where ``fence`` holds and the clock's
    level, due and escalation instants are still those read. Returns the ids updated.

    PostgreSQL: one statement per batch, ``RETURNING`` the ids. SQLite (in-process): one
    prepared statement run per row — its ``UPDATE … FROM`` would scan the table. (In SQLite's
    write transaction nothing changes between the sweep's read and its update; the fences
    still hold for a caller that changes clocks in between.)"""
    if not rows:
        return set()
    if not _pg():
        sql = (
            f"UPDATE {_T} SET {assignments}, escalated_level = %s, escalate_at = %s "  # noqa: S608
            "WHERE id = %s AND escalated_level = %s AND due_at IS %s AND escalate_at IS %s "
            f"AND {fence}"
        ).replace("%s", "?")
        done = set()
        with connection.cursor() as cur:
            # Django's cursor rewrites %s to ? on every call (a regex, ~5 µs): run the prepared
            # statement on the sqlite3 cursor itself, once per row, to learn which rows it hit.
            raw, run = cur.cursor, sqlite3.Cursor.execute
            for d, level, at in rows:
                values = [*params, level, _text(at), d.clock_id, d.level]
                if run(raw, sql, [*values, _text(d.due_at), _text(d.escalate_at)]).rowcount:
                    done.add(d.clock_id)
        return done
    sql = (
        f"UPDATE {_T} SET {assignments}, escalated_level = v.level, "  # noqa: S608
        f"escalate_at = {_FROM_US.format('v.escalate_us')} "
        "FROM unnest(%s::bigint[], %s::integer[], %s::bigint[], %s::integer[], %s::bigint[], "
        "%s::bigint[]) AS v(id, level, escalate_us, level_read, due_us, escalate_us_read) "
        f"WHERE {_T}.id = v.id AND {_T}.escalated_level = v.level_read "
        f"AND {_T}.due_at IS NOT DISTINCT FROM {_FROM_US.format('v.due_us')} "
        f"AND {_T}.escalate_at IS NOT DISTINCT FROM {_FROM_US.format('v.escalate_us_read')} "
        f"AND {fence} RETURNING {_T}.id"
    )
    arrays = [
        _array([d.clock_id for d, _, _ in rows]),
        _array([level for _, level, _ in rows]),
        _array([at for _, _, at in rows]),
        _array([d.level for d, _, _ in rows]),
        _array([d.due_at for d, _, _ in rows]),
        _array([d.escalate_at for d, _, _ in rows]),
    ]
    return {pk for (pk,) in _fetch(sql, [*params, *arrays])}


def _text(value: datetime | None) -> str | None:
    """SQLite: a naive UTC datetime as Django stores it (``str``, what its adapter gives)."""
    return None if value is None else str(value)


def mark_breached(rows: Sequence[Due], now: datetime) -> list[Mark]:
    """Running clocks whose due instant passed become ``breached`` (the explanation gains the
    suffix ``sla.domain.clocks.describe`` gives an overdue clock). A clock whose first
    escalation level is due too (usually "at the due instant") climbs it in the same UPDATE:
    one new row version instead of two, which is most of the cost on PostgreSQL."""
    steps, marks, values = _Steps(), [], []
    moment = _instant(now)
    for d in rows:
        if d.escalate_at is not None and d.escalate_at <= moment:
            to, next_at = steps.step(d.spec, d.calendar, d.due_at, d.level + 1)
            marks.append(Mark(d.clock_id, True, d.level + 1, to))
            values.append((d, d.level + 1, next_at))
        else:
            marks.append(Mark(d.clock_id, True))
            values.append((d, d.level, d.escalate_at))
    t = _db_time(now)
    done = _set_levels(
        values,
        "state = %s, breached_at = %s, updated_at = %s, explanation = explanation || %s, "
        "explanation_en = explanation_en || %s",
        f"{_T}.state = '{ClockState.RUNNING.value}'",
        [ClockState.BREACHED.value, t, t, "; đã quá hạn", "; overdue"],
    )
    return [m for m in marks if m.clock_id in done]


def mark_escalated(rows: Sequence[Due], now: datetime) -> list[Mark]:
    """Move each clock one level up its chain and schedule the next level's instant (one
    UPDATE per batch, fenced on what was read)."""
    steps, marks, values = _Steps(), [], []
    for d in rows:
        to, next_at = steps.step(d.spec, d.calendar, d.due_at, d.level + 1)
        marks.append(Mark(d.clock_id, False, d.level + 1, to))
        values.append((d, d.level + 1, next_at))
    done = _set_levels(values, "updated_at = %s", f"{_T}.stopped_at IS NULL", [_db_time(now)])
    return [m for m in marks if m.clock_id in done]


# --- one batch -----------------------------------------------------------------------------


def _snapshot(clock: Clock) -> dict[str, Any]:
    return {
        "clock": clock.name,
        "run": clock.run,
        "state": clock.state,
        "due_at": clock.due_at,
        "explanation": clock.explanation,
        "explanation_en": clock.explanation_en,
    }


def _journal(clock: Clock, action: str, now: datetime, **extra: Any) -> None:
    journal_append(
        complaint_id=clock.complaint_id,
        actor=None,
        action=action,
        after={**_snapshot(clock), **extra},
        target=f"clock:{clock.pk}",
        at=now,
    )


def _batch(
    kind: Kind,
    now: datetime,
    limit: int,
    skip: set[int],
    result: SweepResult,
    only: int | None = None,
) -> int:
    """Select, mark, journal and hand on one batch in one transaction; returns how many clocks
    were selected (0: nothing left). Selected clocks that could not be marked go to ``skip``."""
    events: list[DeadlineEvent] = []
    with transaction.atomic():
        rows = select_due(kind, now, limit, skip, only)
        if not rows:
            return 0  # nothing left (clocks of complaints someone holds: the next sweep's)
        ids = [d.clock_id for d in rows]
        # The sweep's own entries in one INSERT (its chain heads are read and locked as before,
        # one by one; the handlers below append theirs as usual, after this block).
        with journal_batch():
            if kind == "warned":
                warned = mark_warned(rows, now)
                for clock in Clock.objects.filter(pk__in=warned).order_by("id"):
                    _journal(clock, "clock.warned", now)
                    events.append(DeadlineEvent("warned", clock))
            else:
                marks = (mark_breached if kind == "breached" else mark_escalated)(rows, now)
                by_id = Clock.objects.in_bulk([m.clock_id for m in marks])
                for mark in marks:
                    clock = by_id[mark.clock_id]
                    if mark.breached:
                        _journal(clock, "clock.breached", now)
                        events.append(DeadlineEvent("breached", clock))
                    if mark.level:
                        _journal(clock, "clock.escalated", now, level=mark.level, to=list(mark.to))
                        events.append(DeadlineEvent("escalated", clock, mark.level, mark.to))
        if events:
            for handler in _HANDLERS:
                handler(events, now)
        # Selected but not marked (nothing to do after all): do not select it again this pass.
        skip.update(set(ids) - {e.clock.pk for e in events})
    for event in events:  # committed
        result.add(event.kind, 1)
    return len(ids)


def _isolate(
    kind: Kind, now: datetime, limit: int, skip: set[int], result: SweepResult, broken: set[int]
) -> int:
    """A batch failed: do its clocks one by one, so one bad clock cannot hold up the rest. The
    bad one stays due (its transaction rolled back) and is tried again by the next sweep."""
    with transaction.atomic():
        ids = [d.clock_id for d in select_due(kind, now, limit, set(skip))]
    for pk in ids:
        try:
            _batch(kind, now, 1, skip, result, only=pk)
        except Exception:
            logger.exception("deadline sweep: clock %s (%s) failed; retried next run", pk, kind)
            skip.add(pk)
            broken.add(pk)
            result.failed += 1
    return len(ids)


def sweep_deadlines(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> SweepResult:
    """Handle every clock due now: breaches first, then escalations, then warnings."""
    now = now or utcnow()
    if not _HANDLERS:
        logger.warning("deadline sweep: no handler registered; clocks are marked, nobody is told")
    result = SweepResult()
    broken: set[int] = set()  # clocks that failed: left alone until the next sweep
    for kind in ("breached", "escalated", "warned"):
        skip: set[int] = set(broken)
        while max_batches is None or result.batches < max_batches:
            try:
                n = _batch(kind, now, batch_size, skip, result)
            except Exception:
                logger.exception("deadline sweep: a %s batch failed; isolating its clocks", kind)
                n = _isolate(kind, now, batch_size, skip, result, broken)
            if n == 0:
                break
            result.batches += 1
    return result


@task()
def sweep() -> dict[str, int]:
    """Periodic entry point (``config/schedule.py``)."""
    r = sweep_deadlines()
    return {
        "breached": r.breached,
        "escalated": r.escalated,
        "warned": r.warned,
        "failed": r.failed,
    }


@task()
def recompute_clocks(calendar: str | None = None) -> int:
    """Recompute the active clocks on ``calendar`` (``None``: every calendar) after a calendar
    change (enqueued by ``sla.services.calendar_changed``).

    The change was made in another process (the web), whose signals cleared only its own
    caches; here the calendar stamp may have been read a moment before that commit and be
    remembered for ``REFERENCE_CACHE_SECONDS``, which would rebuild nothing and move no clock."""
    calendar_clear_cache()
    return len(clocks_recompute(calendar=calendar, now=utcnow()))
