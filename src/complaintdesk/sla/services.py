"""Clocks on complaints: every write goes through a function here.

The clock model
---------------
A complaint carries several clocks at once (``Clock`` rows, ``complaint.clocks``). A row is one
*run* of one named clock: the procedure starts it on an event (``start_event``, ``started_at``)
and stops it on another (``stop_event``, ``stopped_at``); starting the same name again later
(a second negotiation request, a reopened complaint) makes a new run (``run`` + 1). At most one
run per name is active (``stopped_at`` is null; a database constraint says so).

``spec`` holds the timing rules the clock started under (``sla.domain.clocks.ClockSpec.to_dict``
plus the procedure's own keys): target, calendar, pause reasons, warning, escalation chain.
From the spec, ``started_at`` and the clock's ``ClockPause`` rows the services compute and store
``due_at``, ``warn_at``, ``escalate_at`` (the next escalation level's instant) and the
explanation in Vietnamese and English. ``state`` is derived the same way:

* ``running`` — counting; ``due_at`` set and in the future;
* ``paused``  — an open-ended pause (``end`` null) stops it; ``due_at`` is null;
* ``breached`` — ``due_at`` passed while active, or the clock stopped after it (stays breached);
* ``met`` — stopped on or before ``due_at`` (or while paused).

A pause with a known end leaves the clock ``running``: its ``due_at`` already includes it.
``warned_at``, ``breached_at`` and ``escalated_level`` record what the sweep has handled.
Every change is journaled on the complaint's chain (``clock.started``, ``clock.stopped``,
``clock.paused``, ``clock.resumed``, ``clock.warned``, ``clock.breached``, ``clock.escalated``,
``clock.recomputed``) with the state, due instant and explanation, in the caller's transaction.
``Complaint.next_due_at`` is kept equal to the nearest ``due_at`` of the complaint's active
(running or overdue) clocks, so complaint lists sort by deadline.

API for other apps (keyword-only; ``now`` always passed in; call inside a transaction or let
the function open one)
---------------------------------------------------------------------------------------------
* ``clock_start(complaint=, spec=, event=, start=, now=, actor=)`` → the active ``Clock``
* ``clock_stop(clock=, event=, now=, actor=)``; ``clocks_stop(complaint=, event=, now=, actor=,
  names=None)`` stops every active clock (or those named)
* ``clock_pause(clocks= | complaint=, reason=, start=, end=None, source="", now=, actor=)`` —
  only clocks whose spec lists ``reason`` in ``pause_on`` are paused (e.g. ``force_majeure``)
* ``clock_resume(source= | reason=, clocks= | complaint= (optional), end=, now=, actor=)`` —
  sets the end of matching pauses (also to extend or shorten a known end) and recomputes
* ``clock_pause_cancel(source=, now=, actor=)`` — removes a pause declared by mistake
* ``clock_mark_warned / clock_mark_breached / clock_mark_escalated(clock=, now=, …)`` — for the
  sweep; each re-reads the row under a lock, returns ``False`` when there is nothing to do
* ``clocks_recompute(calendar= | clocks=, now=, actor=)`` — after a calendar change
* ``register_pause_describer(fn)`` — ``fn(source)`` returns (vi, en) words naming a pause's
  cause in explanations
* Locks are taken in one order everywhere — complaint row, journal chain head, clock rows — so
  services called outside a complaint transaction lock the clocks' complaints first.
* ``register_pause_provider(fn)`` — ``fn(complaint, spec, start, now)`` returns
  ``[(reason, start, end, source), …]`` of pauses already in force when a clock starts (force
  majeure declared before the complaint arrived)

Reads (``sla.selectors``): ``clocks_for(complaint)``, ``clocks_due_for_warning(now)``,
``clocks_due_for_breach(now)``, ``clocks_due_for_escalation(now)``, ``clock_next_escalation``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Max, Min

from complaintdesk.core.inserts import Inserter
from complaintdesk.journal.services import journal_append
from complaintdesk.sla.calendars import calendar_get, default_calendar_slug
from complaintdesk.sla.domain.calendar import WorkingCalendar
from complaintdesk.sla.domain.clocks import ClockSpec, clock_times, describe, escalation_time
from complaintdesk.sla.models import Clock, ClockPause, ClockState

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 200

PauseSpec = tuple[str, datetime, datetime | None, str]
PauseProvider = Callable[[Any, ClockSpec, datetime, datetime], Iterable[PauseSpec]]
_PAUSE_PROVIDERS: list[PauseProvider] = []


def _pauses_in_force(
    complaint: Any, parsed: ClockSpec, start: datetime, now: datetime
) -> list[ClockPause]:
    """The pauses already in force when a clock of ``parsed`` starts (unsaved rows), from the
    registered providers, kept when the clock pauses for their reason."""
    return [
        ClockPause(reason=reason, start=p_start, end=p_end, source=source)
        for provider in _PAUSE_PROVIDERS
        for reason, p_start, p_end, source in provider(complaint, parsed, start, now)
        if reason in parsed.pause_on
    ]


def register_pause_provider(provider: PauseProvider) -> None:
    """Add a source of pauses already in force when a clock starts (idempotent)."""
    if provider not in _PAUSE_PROVIDERS:
        _PAUSE_PROVIDERS.append(provider)


# A pause's ``source`` → (vi, en) words for the clock's explanation, e.g. "bất khả kháng: bão".
PauseDescriber = Callable[[str], tuple[str, str] | None]
_PAUSE_DESCRIBERS: list[PauseDescriber] = []


def register_pause_describer(describer: PauseDescriber) -> None:
    """Add a way to name what caused a pause in explanations (idempotent; added by ops2 for
    force majeure, which sits above sla)."""
    if describer not in _PAUSE_DESCRIBERS:
        _PAUSE_DESCRIBERS.append(describer)


def _pause_notes(sources: Iterable[str]) -> tuple[str, str]:
    vi: list[str] = []
    en: list[str] = []
    for source in dict.fromkeys(s for s in sources if s):
        for describer in _PAUSE_DESCRIBERS:
            words = describer(source)
            if words:
                vi.append(words[0])
                en.append(words[1])
                break
    return (f" ({'; '.join(vi)})" if vi else "", f" ({'; '.join(en)})" if en else "")


# --- computing -------------------------------------------------------------------------------


def _calendar(slug: str) -> WorkingCalendar:
    try:
        return calendar_get(slug)
    except LookupError:
        fallback = default_calendar_slug()
        logger.warning("calendar %r missing or inactive; clocks use %r", slug, fallback)
        return calendar_get(fallback)


def _snapshot(clock: Clock) -> dict[str, Any]:
    return {
        "clock": clock.name,
        "run": clock.run,
        "state": clock.state,
        "due_at": clock.due_at,
        "explanation": clock.explanation,
        "explanation_en": clock.explanation_en,
    }


def _refresh(clock: Clock, now: datetime, pauses: list[ClockPause] | None = None) -> None:
    """Recompute due/warn/escalate instants, state and explanations from spec and pauses
    (``pauses``: the clock's pause rows when the caller has them, else they are read)."""
    spec = ClockSpec.from_dict(clock.spec)
    cal = _calendar(clock.calendar)
    if pauses is None:
        rows = list(ClockPause.objects.filter(clock=clock).order_by("start"))
    else:
        rows = sorted(pauses, key=lambda p: p.start)
    spans = [(p.start, p.end) for p in rows]
    times = clock_times(spec, cal, clock.started_at, spans)
    due = times.due_at
    clock.due_at = due
    clock.warn_at = times.warn_at
    if clock.stopped_at is not None:
        late = due is not None and clock.stopped_at > due
        clock.state = ClockState.BREACHED if late else ClockState.MET
        clock.escalate_at = None
    elif due is None:
        clock.state = ClockState.PAUSED
        clock.escalate_at = None
    else:
        clock.state = ClockState.BREACHED if due <= now else ClockState.RUNNING
        clock.escalate_at = escalation_time(spec, cal, due, clock.escalated_level + 1)
    if clock.state == ClockState.BREACHED:
        clock.breached_at = clock.breached_at or now
    else:
        clock.breached_at = None
    notes_vi, notes_en = _pause_notes(p.source for p in rows)
    for lang, notes, attr in (("vi", notes_vi, "explanation"), ("en", notes_en, "explanation_en")):
        text = describe(
            times.deadline, cal=cal, state=clock.state, stopped_at=clock.stopped_at, lang=lang
        )
        setattr(clock, attr, text + notes)


def _journal(
    clock: Clock,
    action: str,
    *,
    actor: Any,
    now: datetime,
    before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    journal_append(
        complaint_id=clock.complaint_id,
        actor=actor,
        action=action,
        before=before,
        after={**_snapshot(clock), **(extra or {})},
        target=f"clock:{clock.pk}",
        at=now,
    )


def _save(
    clock: Clock,
    action: str,
    *,
    actor: Any,
    now: datetime,
    before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    was_breached = before is not None and before.get("state") == ClockState.BREACHED
    clock.save()
    _journal(clock, action, actor=actor, now=now, before=before, extra=extra)
    if (
        clock.state == ClockState.BREACHED
        and not was_breached
        and action != "clock.breached"
        and clock.stopped_at is None
    ):
        _journal(clock, "clock.breached", actor=actor, now=now)


def _lock_complaints_of(clock_ids: Iterable[int]) -> None:
    """Lock the complaints of these clocks first (ordered by id), as the complaint services do.

    Every writer then takes its locks in one order — complaint, journal chain head, clocks — so
    the sweep or a force majeure never deadlocks with an agent acting on the same complaint.
    FOR NO KEY UPDATE (as the sweep, see ``sla.jobs``): it excludes the agents' FOR UPDATE and
    the other writers of clocks, but not a foreign-key check of a row being inserted for the
    complaint, which need not wait for the clocks' work.
    """
    ids = sorted(
        set(Clock.objects.filter(pk__in=list(clock_ids)).values_list("complaint_id", flat=True))
    )
    if ids:
        model = apps.get_model("complaints", "Complaint")
        locked = model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locked.values_list("pk"))


def complaint_sync_next_due(complaint: Any) -> datetime | None:
    """Set ``Complaint.next_due_at`` to the nearest due instant of its active clocks."""
    complaint_id = getattr(complaint, "pk", complaint)
    nearest: datetime | None = Clock.objects.filter(
        complaint_id=complaint_id,
        stopped_at__isnull=True,
        due_at__isnull=False,
        state__in=(ClockState.RUNNING, ClockState.BREACHED),
    ).aggregate(m=Min("due_at"))["m"]
    model = apps.get_model("complaints", "Complaint")
    model.objects.filter(pk=complaint_id).exclude(next_due_at=nearest).update(next_due_at=nearest)
    if not isinstance(complaint, int):
        complaint.next_due_at = nearest
    return nearest


# --- starting and stopping -------------------------------------------------------------------


def clock_start(
    *,
    complaint: Any,
    spec: dict[str, Any],
    event: str,
    start: datetime,
    now: datetime,
    actor: Any = None,
) -> Clock:
    """Start a run of the clock ``spec["name"]`` counted from ``start``.

    If a run of that name is already active it is returned unchanged. A clock whose due instant
    has already passed (a letter entered days after it arrived) starts ``breached``.
    """
    parsed = ClockSpec.from_dict(spec)
    with transaction.atomic():
        existing = (
            Clock.objects.select_for_update()
            .filter(complaint_id=complaint.pk, name=parsed.name, stopped_at__isnull=True)
            .first()
        )
        if existing is not None:
            return existing
        last_run = Clock.objects.filter(complaint_id=complaint.pk, name=parsed.name).aggregate(
            m=Max("run")
        )["m"]
        clock = Clock.objects.create(
            complaint_id=complaint.pk,
            name=parsed.name,
            run=(last_run or 0) + 1,
            label=parsed.label,
            label_en=parsed.label_en,
            spec=spec,
            calendar=parsed.calendar,
            start_event=event,
            started_at=start,
        )
        for pause in _pauses_in_force(complaint, parsed, start, now):
            pause.clock = clock
            pause.save(force_insert=True)
        _refresh(clock, now)
        _save(clock, "clock.started", actor=actor, now=now, extra={"event": event})
        complaint_sync_next_due(complaint)
    return clock


@dataclass
class PlannedClocks:
    """A new complaint's first clocks, computed before its transaction (see
    :func:`clocks_plan_new`): unsaved rows, their pauses, and the complaint's ``next_due_at``."""

    event: str
    clocks: list[Clock]
    pauses: list[list[ClockPause]]
    next_due_at: datetime | None
    rows: list[list[Any]] = field(default_factory=list)


_CLOCK_INSERT = Inserter(Clock)


def clocks_plan_new(
    *,
    complaint: Any,
    specs: Sequence[dict[str, Any]],
    event: str,
    start: datetime,
    now: datetime,
) -> PlannedClocks:
    """The first run of each clock in ``specs`` for a complaint not saved yet, computed in
    memory (calendar, pauses already in force, due/warn/escalation instants, state, explanation)
    so that its transaction only inserts them (:func:`clocks_insert_new`). May run before the
    transaction: it only reads (force majeure events in force)."""
    clocks: list[Clock] = []
    pauses: list[list[ClockPause]] = []
    for spec in specs:
        parsed = ClockSpec.from_dict(spec)
        clock = Clock(
            name=parsed.name,
            run=1,
            label=parsed.label,
            label_en=parsed.label_en,
            spec=spec,
            calendar=parsed.calendar,
            start_event=event,
            started_at=start,
        )
        own = _pauses_in_force(complaint, parsed, start, now)
        _refresh(clock, now, own)
        clocks.append(clock)
        pauses.append(own)
    nearest = min(
        (
            c.due_at
            for c in clocks
            if c.due_at is not None and c.state in (ClockState.RUNNING, ClockState.BREACHED)
        ),
        default=None,
    )
    planned = PlannedClocks(event=event, clocks=clocks, pauses=pauses, next_due_at=nearest)
    planned.rows = [_CLOCK_INSERT.prepare(c) for c in clocks]
    return planned


def clocks_insert_new(
    *, complaint: Any, planned: PlannedClocks, now: datetime, actor: Any = None
) -> list[Clock]:
    """Insert the planned clocks of a complaint created in this transaction, with their pauses
    and journal entries; ``next_due_at`` is the caller's (the complaint was inserted with
    ``planned.next_due_at``, else it is written here)."""
    if not planned.clocks:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "clocks_insert_new must run inside the transaction creating the complaint"
        )
    for clock, row in zip(planned.clocks, planned.rows, strict=True):
        _CLOCK_INSERT.set(row, clock, "complaint_id", complaint.pk)
    _CLOCK_INSERT.insert(planned.clocks, planned.rows)
    rows = []
    for clock, own in zip(planned.clocks, planned.pauses, strict=True):
        for pause in own:
            pause.clock = clock  # its id is known now
            rows.append(pause)
    if rows:
        ClockPause.objects.bulk_create(rows)
    for clock in planned.clocks:
        _journal(clock, "clock.started", actor=actor, now=now, extra={"event": planned.event})
        if clock.state == ClockState.BREACHED:
            _journal(clock, "clock.breached", actor=actor, now=now)
    nearest = planned.next_due_at
    if nearest is not None and nearest != getattr(complaint, "next_due_at", None):
        model = apps.get_model("complaints", "Complaint")
        model.objects.filter(pk=complaint.pk).update(next_due_at=nearest)
    complaint.next_due_at = nearest
    return planned.clocks


def _stop(clock: Clock, *, event: str, now: datetime, actor: Any) -> Clock | None:
    locked = Clock.objects.select_for_update().get(pk=clock.pk)
    if locked.stopped_at is not None:
        return None
    before = _snapshot(locked)
    locked.stopped_at = now
    locked.stop_event = event
    _refresh(locked, now)
    _save(locked, "clock.stopped", actor=actor, now=now, before=before, extra={"event": event})
    return locked


def clock_stop(*, clock: Clock, event: str, now: datetime, actor: Any = None) -> Clock:
    """Stop one clock: ``met`` when on or before its due instant, else ``breached``.

    Returns the stopped clock (the row as it was, if it had already stopped)."""
    with transaction.atomic():
        stopped = _stop(clock, event=event, now=now, actor=actor)
        if stopped is None:
            return Clock.objects.get(pk=clock.pk)
        complaint_sync_next_due(clock.complaint_id)
    return stopped


def clocks_stop(
    *,
    complaint: Any,
    event: str,
    now: datetime,
    actor: Any = None,
    names: Iterable[str] | None = None,
) -> list[Clock]:
    """Stop every active clock of ``complaint`` (or only those ``names``)."""
    with transaction.atomic():
        qs = Clock.objects.filter(complaint_id=complaint.pk, stopped_at__isnull=True)
        if names is not None:
            qs = qs.filter(name__in=list(names))
        stopped = [
            done
            for c in qs.order_by("id")
            if (done := _stop(c, event=event, now=now, actor=actor)) is not None
        ]
        complaint_sync_next_due(complaint)
    return stopped


# --- pauses ----------------------------------------------------------------------------------


def _target_clocks(clocks: Sequence[Clock] | None, complaint: Any | None) -> Any:
    qs = Clock.objects.filter(stopped_at__isnull=True)
    if clocks is not None:
        return qs.filter(pk__in=[getattr(c, "pk", c) for c in clocks])
    if complaint is not None:
        return qs.filter(complaint_id=getattr(complaint, "pk", complaint))
    raise ValueError("give clocks or complaint")


def _recompute_many(
    clock_ids: Iterable[int],
    action: str,
    *,
    now: datetime,
    actor: Any,
    extra: dict[str, Any] | None = None,
) -> list[Clock]:
    changed: list[Clock] = []
    complaints: set[int] = set()
    clock_ids = list(clock_ids)
    _lock_complaints_of(clock_ids)
    for clock in Clock.objects.select_for_update().filter(pk__in=clock_ids).order_by("id"):
        before = _snapshot(clock)
        _refresh(clock, now)
        _save(clock, action, actor=actor, now=now, before=before, extra=extra)
        changed.append(clock)
        complaints.add(clock.complaint_id)
    for complaint_id in sorted(complaints):
        complaint_sync_next_due(complaint_id)
    return changed


def clock_pause(
    *,
    reason: str,
    start: datetime,
    now: datetime,
    clocks: Sequence[Clock] | None = None,
    complaint: Any | None = None,
    end: datetime | None = None,
    source: str = "",
    actor: Any = None,
) -> list[Clock]:
    """Pause the active clocks (of ``complaint`` or ``clocks``) that ``reason`` may pause.

    ``end=None`` is a pause with no known end (the clock shows ``paused``); a known end keeps
    the clock running with its due instant moved. Returns the clocks paused.
    """
    if end is not None and end < start:
        raise ValueError("a pause cannot end before it starts")
    with transaction.atomic():
        ids = []
        for clock in _target_clocks(clocks, complaint).order_by("id"):
            if reason not in clock.spec.get("pause_on", ()):
                continue
            ClockPause.objects.create(
                clock=clock,
                reason=reason,
                start=start,
                end=end,
                source=source,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            ids.append(clock.pk)
        extra = {"reason": reason, "source": source, "start": start, "end": end}
        return _recompute_many(ids, "clock.paused", now=now, actor=actor, extra=extra)


def _pauses(
    source: str | None, reason: str | None, clocks: Sequence[Clock] | None, complaint: Any | None
) -> Any:
    qs = ClockPause.objects.filter(clock__stopped_at__isnull=True)
    if source is None and reason is None:
        raise ValueError("give source or reason")
    if source is not None:
        qs = qs.filter(source=source)
    if reason is not None:
        qs = qs.filter(reason=reason)
    if clocks is not None or complaint is not None:
        qs = qs.filter(clock__in=_target_clocks(clocks, complaint))
    return qs


def clock_resume(
    *,
    end: datetime,
    now: datetime,
    source: str | None = None,
    reason: str | None = None,
    clocks: Sequence[Clock] | None = None,
    complaint: Any | None = None,
    actor: Any = None,
) -> list[Clock]:
    """Set the end of the matching pauses (open or not) to ``end`` and recompute the clocks."""
    with transaction.atomic():
        pauses = _pauses(source, reason, clocks, complaint)
        ids = sorted(set(pauses.values_list("clock_id", flat=True)))
        pauses.filter(start__lte=end).update(end=end)
        pauses.filter(start__gt=end).delete()
        extra = {"source": source or "", "reason": reason or "", "end": end}
        return _recompute_many(ids, "clock.resumed", now=now, actor=actor, extra=extra)


def clock_pause_cancel(
    *, source: str, now: datetime, actor: Any = None, complaint: Any | None = None
) -> list[Clock]:
    """Remove the pauses of ``source`` (declared by mistake) and recompute their clocks."""
    with transaction.atomic():
        pauses = _pauses(source, None, None, complaint)
        ids = sorted(set(pauses.values_list("clock_id", flat=True)))
        pauses.delete()
        return _recompute_many(
            ids, "clock.recomputed", now=now, actor=actor, extra={"cancelled_source": source}
        )


# --- the sweep -------------------------------------------------------------------------------


def clock_mark_warned(*, clock: Clock, now: datetime, actor: Any = None) -> bool:
    """Record that the warning went out (only for a running clock past ``warn_at``)."""
    with transaction.atomic():
        _lock_complaints_of([clock.pk])
        locked = Clock.objects.select_for_update().get(pk=clock.pk)
        if (
            locked.state != ClockState.RUNNING
            or locked.warned_at is not None
            or locked.warn_at is None
            or locked.warn_at > now
        ):
            return False
        locked.warned_at = now
        locked.save(update_fields=["warned_at", "updated_at"])
        _journal(locked, "clock.warned", actor=actor, now=now)
        clock.warned_at = now
    return True


def clock_mark_breached(*, clock: Clock, now: datetime, actor: Any = None) -> bool:
    """Mark a running clock whose due instant passed as ``breached`` (idempotent)."""
    with transaction.atomic():
        _lock_complaints_of([clock.pk])
        locked = Clock.objects.select_for_update().get(pk=clock.pk)
        if locked.state != ClockState.RUNNING or locked.due_at is None or locked.due_at > now:
            return False
        before = _snapshot(locked)
        _refresh(locked, now)
        if locked.state != ClockState.BREACHED:
            return False  # a pause moved the due instant meanwhile
        locked.save()
        _journal(locked, "clock.breached", actor=actor, now=now, before=before)
        complaint_sync_next_due(locked.complaint_id)
        clock.state, clock.breached_at = locked.state, locked.breached_at
    return True


def clock_mark_escalated(*, clock: Clock, level: int, now: datetime, actor: Any = None) -> bool:
    """Record that escalation ``level`` was carried out; schedules the next level's instant."""
    with transaction.atomic():
        _lock_complaints_of([clock.pk])
        locked = Clock.objects.select_for_update().get(pk=clock.pk)
        if locked.stopped_at is not None or level <= locked.escalated_level:
            return False
        spec = ClockSpec.from_dict(locked.spec)
        locked.escalated_level = level
        locked.escalate_at = escalation_time(
            spec, _calendar(locked.calendar), locked.due_at, level + 1
        )
        locked.save(update_fields=["escalated_level", "escalate_at", "updated_at"])
        to = list(spec.escalation[level - 1].to) if level <= len(spec.escalation) else []
        _journal(locked, "clock.escalated", actor=actor, now=now, extra={"level": level, "to": to})
        clock.escalated_level, clock.escalate_at = locked.escalated_level, locked.escalate_at
    return True


def clocks_recompute(
    *,
    now: datetime,
    calendar: str | None = None,
    clocks: Sequence[Clock] | None = None,
    actor: Any = None,
) -> list[Clock]:
    """Recompute active clocks (all on ``calendar``, or ``clocks``) after a calendar change.

    Only clocks whose due, warning or escalation instant or state changed are saved and
    journaled.
    """
    qs = Clock.objects.filter(stopped_at__isnull=True)
    if calendar is not None:
        qs = qs.filter(calendar=calendar)
    if clocks is not None:
        qs = qs.filter(pk__in=[c.pk for c in clocks])
    changed: list[Clock] = []
    ids = list(qs.order_by("id").values_list("pk", flat=True))
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        batch = ids[start : start + RECOMPUTE_BATCH]
        with transaction.atomic():  # short transactions: agents are not held up for long
            _lock_complaints_of(batch)
            locked = Clock.objects.select_for_update().filter(pk__in=batch, stopped_at__isnull=True)
            for clock in locked.order_by("id"):
                before = _snapshot(clock)
                moments = (clock.due_at, clock.state, clock.warn_at, clock.escalate_at)
                _refresh(clock, now)
                # The next escalation or warning can move without the due instant (a breached
                # clock whose next level fell on a day now declared off).
                if (clock.due_at, clock.state, clock.warn_at, clock.escalate_at) == moments:
                    continue
                _save(clock, "clock.recomputed", actor=actor, now=now, before=before)
                complaint_sync_next_due(clock.complaint_id)
                changed.append(clock)
    return changed


__all__ = [
    "clock_mark_breached",
    "clock_mark_escalated",
    "clock_mark_warned",
    "clock_pause",
    "clock_pause_cancel",
    "clock_resume",
    "clock_start",
    "clock_stop",
    "clocks_insert_new",
    "clocks_plan_new",
    "clocks_recompute",
    "clocks_stop",
    "complaint_sync_next_due",
    "register_pause_describer",
    "register_pause_provider",
]


# --- calendar configuration ------------------------------------------------------------------


def calendar_changed(
    *,
    slugs: Iterable[str] | None,
    actor: Any,
    what: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Journal a change to calendars (``slugs``; ``None`` = every calendar following government
    decisions) and recompute their active clocks after commit (``sla.jobs.recompute_clocks``).

    Built calendars are rebuilt on their next use anyway (see ``sla.calendars``).
    """
    from complaintdesk.sla.jobs import recompute_clocks

    with transaction.atomic():
        journal_append(
            complaint_id=None,
            chain="sys:calendars",
            actor=actor,
            action=f"calendar.{what}",
            target="calendar:" + ",".join(sorted(slugs)) if slugs is not None else "calendar:*",
            after=details or {},
            at=now,
        )
        targets: list[str | None] = list(sorted(slugs)) if slugs is not None else [None]
        for slug in targets:
            transaction.on_commit(partial(recompute_clocks.enqueue, slug))
