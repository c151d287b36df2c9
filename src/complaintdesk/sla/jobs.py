"""The deadline sweep: find clocks near or past their deadline, mark them, hand them on.

``sweep_deadlines`` runs every minute (``config/schedule.py``). It never scans open complaints:
each pass reads one partial index of ``sla.Clock`` (``clock_due_running_idx``,
``clock_escalate_idx``, ``clock_warn_idx``) in batches, and for each batch, in ONE transaction:

1. locks and marks the clocks set-based (``state``/``breached_at``, ``escalated_level``/
   ``escalate_at``, ``warned_at``) — these columns are what make a rerun a no-op;
2. journals each change on the complaint's chain (``clock.breached`` / ``clock.escalated`` /
   ``clock.warned``, as ``sla.services`` does);
3. calls the registered deadline handlers (the notifications app queues the internal emails and
   the customer notices through the outbox, and raises the complaint's escalation level).

A crash anywhere in a batch rolls the whole batch back — marks, journal entries and outbox rows
together — so the next run finds those clocks still due and does them once. Rows already
committed are not selected again. A batch that raises is redone clock by clock, so one bad clock
(logged, left due for the next run) cannot hold up the others. ``sla`` sits below the apps that act on a deadline, so they
register a handler (``register_deadline_handler``) instead of being imported here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Sequence
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


# --- selection + marking (set-based; what benchmarks/bench_sweep.py measures) -----------------


def _lock(qs: Any) -> Any:
    # PostgreSQL: two overlapping sweeps split the work instead of waiting on each other.
    # SQLite: the IMMEDIATE transaction already serialises writers.
    if connection.vendor == "postgresql":
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def select_due(
    kind: Kind, now: datetime, limit: int, skip: Collection[int] = (), only: int | None = None
) -> list[int]:
    """Ids of clocks due for ``kind`` at ``now`` (locked in the caller's transaction)."""
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
    return list(_lock(qs).values_list("pk", flat=True)[:limit])


# The three marks below are the hot path (benchmarks/bench_sweep.py): plain SQL with the ids as
# parameters, because building ``pk__in`` filters costs ~20 µs per id in the ORM. Table and
# column names come from the model; values are always parameters.
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


def mark_breached(ids: Sequence[int], now: datetime) -> int:
    """Running clocks whose due instant passed become ``breached``. The explanation gains the
    suffix ``sla.domain.clocks.describe`` gives an overdue clock."""
    if not ids:
        return 0
    t = _db_time(now)
    return _execute(
        f"UPDATE {_T} SET state = %s, breached_at = %s, updated_at = %s, "  # noqa: S608
        "explanation = explanation || %s, explanation_en = explanation_en || %s "
        f"WHERE id IN ({_in(ids)}) AND state = %s AND due_at <= %s",
        [
            ClockState.BREACHED.value,
            t,
            t,
            "; đã quá hạn",
            "; overdue",
            *ids,
            ClockState.RUNNING.value,
            t,
        ],
    )


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


def _spec(raw: str, cache: dict[str, ClockSpec]) -> ClockSpec:
    # Thousands of clocks share a handful of specs: parse each distinct text once per batch.
    if raw not in cache:
        cache[raw] = ClockSpec.from_dict(json.loads(raw))
    return cache[raw]


def mark_escalated(ids: Sequence[int], now: datetime) -> list[tuple[int, int, tuple[str, ...]]]:
    """Move each clock one level up its chain and schedule the next level's instant.

    Returns (clock id, level reached, targets) per clock moved. Reads only the columns it needs
    (the spec as text, parsed once per distinct spec; each next instant computed once per
    distinct due instant) and writes with one prepared UPDATE per clock, fenced on the level.
    """
    if not ids:
        return []
    t = _db_time(now)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, escalated_level, due_at, calendar, CAST(spec AS TEXT) FROM {_T} "  # noqa: S608
            f"WHERE id IN ({_in(ids)}) AND stopped_at IS NULL AND escalate_at IS NOT NULL "
            "AND escalate_at <= %s ORDER BY escalate_at, id",
            [*ids, t],
        )
        rows = cur.fetchall()
    calendars: dict[str, Any] = {}
    specs: dict[str, ClockSpec] = {}
    instants: dict[tuple[str, str, Any, int], Any] = {}
    moved: list[tuple[int, int, tuple[str, ...]]] = []
    params: list[tuple[Any, ...]] = []
    for pk, current, due_at, calendar, spec_text in rows:
        spec = _spec(spec_text, specs)
        level = current + 1
        to = tuple(spec.escalation[level - 1].to) if level <= len(spec.escalation) else ()
        key = (spec_text, calendar, due_at, level)
        if key not in instants:
            if calendar not in calendars:
                calendars[calendar] = _calendar(calendar)
            next_at = escalation_time(spec, calendars[calendar], _py_time(due_at), level + 1)
            instants[key] = _db_time(next_at)
        params.append((level, instants[key], t, pk, current))
        moved.append((pk, level, to))
    if params:
        with connection.cursor() as cur:
            # The rows are locked by select_due (or the SQLite write lock): the fence on the
            # level read is belt and braces.
            cur.executemany(
                f"UPDATE {_T} SET escalated_level = %s, escalate_at = %s, updated_at = %s "  # noqa: S608
                "WHERE id = %s AND escalated_level = %s",
                params,
            )
    return moved


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


def _batch(kind: Kind, now: datetime, limit: int, skip: set[int], only: int | None = None) -> int:
    """Select, mark, journal and hand on one batch in one transaction; returns how many clocks
    were selected (0: nothing left). Selected clocks that could not be marked go to ``skip``."""
    with transaction.atomic():
        ids = select_due(kind, now, limit, skip, only)
        if not ids:
            return 0
        events: list[DeadlineEvent] = []
        if kind == "escalated":
            moved = mark_escalated(ids, now)
            by_id = Clock.objects.in_bulk([pk for pk, _, _ in moved])
            for pk, level, to in moved:
                _journal(by_id[pk], "clock.escalated", now, level=level, to=list(to))
                events.append(DeadlineEvent("escalated", by_id[pk], level, to))
        else:
            (mark_breached if kind == "breached" else mark_warned)(ids, now)
            stamp = {"breached": "breached_at", "warned": "warned_at"}[kind]
            clocks = list(Clock.objects.filter(pk__in=ids, **{stamp: now}).order_by("id"))
            for clock in clocks:
                _journal(clock, f"clock.{kind}", now)
                events.append(DeadlineEvent(kind, clock))
        if events:
            for handler in _HANDLERS:
                handler(events, now)
        # Selected but not marked (nothing to do after all): do not select it again this pass.
        skip.update(set(ids) - {e.clock.pk for e in events})
        return len(ids)


def _isolate(
    kind: Kind, now: datetime, limit: int, skip: set[int], result: SweepResult, broken: set[int]
) -> int:
    """A batch failed: do its clocks one by one, so one bad clock cannot hold up the rest. The
    bad one stays due (its transaction rolled back) and is tried again by the next sweep."""
    with transaction.atomic():
        ids = select_due(kind, now, limit, skip)
    for pk in ids:
        try:
            _batch(kind, now, 1, skip, only=pk)
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
        done = 0
        skip: set[int] = set(broken)
        while max_batches is None or result.batches < max_batches:
            try:
                n = _batch(kind, now, batch_size, skip)
            except Exception:
                logger.exception("deadline sweep: a %s batch failed; isolating its clocks", kind)
                n = _isolate(kind, now, batch_size, skip, result, broken)
            if n == 0:
                break
            result.batches += 1
            done += n
        result.add(kind, done)
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
