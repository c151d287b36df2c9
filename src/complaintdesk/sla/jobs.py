"""The deadline sweep: find clocks near or past their deadline, mark them, hand them on.

``sweep_deadlines`` runs every minute (``config/schedule.py``). It never scans open complaints:
each pass reads one partial index of ``sla.Clock`` (due and running; escalation due; warning
due) in batches, and for each batch, in ONE transaction:

1. locks and marks the clocks (``state``/``breached_at``, ``escalated_level``/``escalate_at``,
   ``warned_at``) — these columns are what make a rerun a no-op. A breach whose first escalation
   level is due at once climbs it in the same row update;
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from django.db import connection, transaction
from django_tasks import task

from complaintdesk.core.clock import utcnow
from complaintdesk.journal.services import journal_append
from complaintdesk.sla.calendars import calendar_get, default_calendar_slug
from complaintdesk.sla.domain.clocks import ClockSpec, escalation_time
from complaintdesk.sla.models import Clock, ClockState
from complaintdesk.sla.selectors import (
    clocks_due_for_breach,
    clocks_due_for_escalation,
    clocks_due_for_warning,
)
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


def select_due(
    kind: Kind,
    now: datetime,
    limit: int,
    skip: set[int] | None = None,
    only: int | None = None,
) -> list[int]:
    """Ids of clocks due for ``kind`` at ``now``, locked in the caller's transaction.

    PostgreSQL: the complaints are locked first, then their clocks — the order agent actions
    take them (complaint, its journal chain, its clocks) — so a sweep and an agent never
    deadlock; ``SKIP LOCKED`` leaves a complaint someone is working on (and its clock, added to
    ``skip``) to the next sweep, and lets overlapping sweeps split the work. SQLite: the
    IMMEDIATE transaction already serialises writers.
    """
    selector, instant = {
        "breached": (clocks_due_for_breach, "due_at"),
        "escalated": (clocks_due_for_escalation, "escalate_at"),
        "warned": (clocks_due_for_warning, "warn_at"),
    }[kind]
    # Ordered by the indexed instant alone: a tie-break on id would make PostgreSQL read every
    # due entry (incremental sort) before the LIMIT.
    qs = selector(now).select_related(None).order_by(instant)
    if skip:
        qs = qs.exclude(pk__in=list(skip))
    if only is not None:
        qs = qs.filter(pk=only)
    if connection.vendor != "postgresql":
        return list(qs.values_list("pk", flat=True)[:limit])
    candidates = list(qs.values_list("pk", flat=True)[:limit])
    if not candidates:
        return []
    free = (
        Clock.objects.filter(pk__in=candidates)
        .select_related("complaint")
        .select_for_update(skip_locked=True, of=("complaint",))
        .only("pk", "complaint__id")
        .order_by("complaint_id")
    )
    locked = list(
        qs.filter(pk__in=[c.pk for c in free])
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )
    if skip is not None:
        skip.update(set(candidates) - set(locked))
    return locked


# The marks are the hot path: plain SQL with the ids as parameters (an ORM ``pk__in`` filter
# costs ~20 µs per id). Table and column names come from the model; values are parameters.
_T = Clock._meta.db_table


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _db_time(value: datetime | None) -> Any:
    """A datetime as the backend stores it (what ``adapt_datetimefield_value`` gives, faster)."""
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _py_time(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    # SQLite gives naive UTC (Django's converters); PostgreSQL an aware datetime.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _execute(sql: str, params: Sequence[Any]) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


def _values(rows: Sequence[tuple[Any, ...]], pg_types: tuple[str, ...]) -> tuple[str, list[Any]]:
    """PostgreSQL ``VALUES (…), (…)`` for ``UPDATE … FROM`` (columns column1, column2…)."""
    one = "(" + ", ".join(f"%s::{t}" for t in pg_types) + ")"
    return ", ".join([one] * len(rows)), [v for row in rows for v in row]


def _executemany(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


@dataclass(frozen=True)
class Mark:
    """What marking did to one clock: breached and/or escalated one level (to ``level``)."""

    clock_id: int
    breached: bool = False
    level: int = 0  # the escalation level reached now, 0 when it did not escalate
    to: tuple[str, ...] = ()


def mark_warned(ids: Sequence[int], now: datetime) -> int:
    if not ids:
        return 0
    t = _db_time(now)
    return _execute(
        f"UPDATE {_T} SET warned_at = %s, updated_at = %s WHERE id IN ({_in(ids)}) "  # noqa: S608
        "AND state = %s AND warned_at IS NULL AND warn_at <= %s",
        [t, t, *ids, ClockState.RUNNING.value, t],
    )


def _calendar(slug: str) -> Any:
    try:
        return calendar_get(slug)
    except LookupError:
        return calendar_get(default_calendar_slug())


class _Steps:
    """Next escalation steps, with specs parsed and instants computed once per distinct value
    (thousands of clocks share a handful of specs and, for day targets, of due instants)."""

    def __init__(self) -> None:
        self.specs: dict[str, ClockSpec] = {}
        self.calendars: dict[str, Any] = {}
        self.instants: dict[tuple[str, str, Any, int], Any] = {}

    def step(
        self, spec_text: str, calendar: str, due_at: Any, level: int
    ) -> tuple[tuple[str, ...], Any]:
        """Targets of ``level`` and the stored instant of ``level + 1`` (None: chain ends)."""
        if spec_text not in self.specs:
            self.specs[spec_text] = ClockSpec.from_dict(json.loads(spec_text))
        spec = self.specs[spec_text]
        to = tuple(spec.escalation[level - 1].to) if level <= len(spec.escalation) else ()
        key = (spec_text, calendar, due_at, level)
        if key not in self.instants:
            if calendar not in self.calendars:
                self.calendars[calendar] = _calendar(calendar)
            cal = self.calendars[calendar]
            self.instants[key] = _db_time(escalation_time(spec, cal, _py_time(due_at), level + 1))
        return to, self.instants[key]


def _rows(ids: Sequence[int], condition: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, escalated_level, escalate_at, due_at, calendar, CAST(spec AS TEXT) "  # noqa: S608
            f"FROM {_T} WHERE id IN ({_in(ids)}) AND {condition} ORDER BY id",
            [*ids, *params],
        )
        return list(cur.fetchall())


def mark_breached(ids: Sequence[int], now: datetime) -> list[Mark]:
    """Running clocks whose due instant passed become ``breached`` (the explanation gains the
    suffix ``sla.domain.clocks.describe`` gives an overdue clock). A clock whose first
    escalation level is due too (usually "at the due instant") climbs it in the same UPDATE:
    one new row version instead of two, which is most of the cost on PostgreSQL."""
    if not ids:
        return []
    t = _db_time(now)
    rows = _rows(ids, "state = %s AND due_at <= %s", [ClockState.RUNNING.value, t])
    steps, marks, values = _Steps(), [], []
    for pk, current, escalate_at, due_at, calendar, spec_text in rows:
        if escalate_at is not None and _py_time(escalate_at) <= now:  # type: ignore[operator]
            to, next_at = steps.step(spec_text, calendar, due_at, current + 1)
            marks.append(Mark(pk, True, current + 1, to))
            values.append((pk, current + 1, next_at))
        else:
            marks.append(Mark(pk, True))
            values.append((pk, current, _db_time(_py_time(escalate_at))))
    constants = [ClockState.BREACHED.value, t, t, "; đã quá hạn", "; overdue"]
    assignments = (
        "state = %s, breached_at = %s, updated_at = %s, explanation = explanation || %s, "
        "explanation_en = explanation_en || %s, "
    )
    running = ClockState.RUNNING.value
    # PostgreSQL: one statement per batch. SQLite (in-process): one prepared statement run per
    # row — its UPDATE … FROM would scan the table.
    if connection.vendor == "postgresql":
        sql_values, params = _values(values, ("bigint", "integer", "timestamptz"))
        _execute(
            f"UPDATE {_T} SET {assignments}escalated_level = v.column2, escalate_at = v.column3 "  # noqa: S608
            f"FROM (VALUES {sql_values}) AS v WHERE {_T}.id = v.column1 AND {_T}.state = %s",
            [*constants, *params, running],
        )
    else:
        _executemany(
            f"UPDATE {_T} SET {assignments}escalated_level = %s, escalate_at = %s "  # noqa: S608
            "WHERE id = %s AND state = %s",
            [(*constants, level, at, pk, running) for pk, level, at in values],
        )
    return marks


def mark_escalated(ids: Sequence[int], now: datetime) -> list[Mark]:
    """Move each clock one level up its chain and schedule the next level's instant (one
    UPDATE per batch, fenced on the level read)."""
    if not ids:
        return []
    t = _db_time(now)
    rows = _rows(ids, "stopped_at IS NULL AND escalate_at IS NOT NULL AND escalate_at <= %s", [t])
    steps, marks, values = _Steps(), [], []
    for pk, current, _at, due_at, calendar, spec_text in rows:
        to, next_at = steps.step(spec_text, calendar, due_at, current + 1)
        marks.append(Mark(pk, False, current + 1, to))
        values.append((pk, current + 1, next_at, current))
    if values and connection.vendor == "postgresql":
        sql_values, params = _values(values, ("bigint", "integer", "timestamptz", "integer"))
        _execute(
            f"UPDATE {_T} SET escalated_level = v.column2, escalate_at = v.column3, "  # noqa: S608
            f"updated_at = %s FROM (VALUES {sql_values}) AS v "
            f"WHERE {_T}.id = v.column1 AND {_T}.escalated_level = v.column4",
            [t, *params],
        )
    elif values:
        _executemany(
            f"UPDATE {_T} SET escalated_level = %s, escalate_at = %s, updated_at = %s "  # noqa: S608
            "WHERE id = %s AND escalated_level = %s",
            [(level, at, t, pk, current) for pk, level, at, current in values],
        )
    return marks


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
        busy = len(skip)
        ids = select_due(kind, now, limit, skip, only)
        if not ids:
            return len(skip) - busy  # 0: nothing left; else only busy ones: look further
        if kind == "warned":
            mark_warned(ids, now)
            for clock in Clock.objects.filter(pk__in=ids, warned_at=now).order_by("id"):
                _journal(clock, "clock.warned", now)
                events.append(DeadlineEvent("warned", clock))
        else:
            marks = (mark_breached if kind == "breached" else mark_escalated)(ids, now)
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
        ids = select_due(kind, now, limit, set(skip))
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
    change (enqueued by ``sla.services.calendar_changed``)."""
    return len(clocks_recompute(calendar=calendar, now=utcnow()))
