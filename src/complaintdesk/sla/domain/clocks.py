"""What a clock measures and when it warns, falls due and escalates: pure Python, no clock read.

A procedure definition (``procedures.domain``) describes each clock with a :class:`ClockSpec`;
the spec is stored, as :meth:`ClockSpec.to_dict`, on every ``sla.models.Clock`` row so a clock
keeps the rules it started under. This module turns a spec, a :class:`WorkingCalendar`, the
start instant and the clock's pauses into instants:

* ``due_at`` — the target counted by the calendar (working days per Civil Code Art. 147–148, or
  hours from the moment of the event, elapsed or ``business``), skipping paused time;
* ``warn_at`` — ``warning.after`` counted like the target from the start, or
  ``warning.before_hours`` elapsed hours before the due instant;
* each escalation level's instant — ``after`` counted from the due instant (``0`` = at the due
  instant, i.e. at the breach).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from complaintdesk.sla.domain.calendar import Deadline, Pause, WorkingCalendar

__all__ = [
    "ClockSpec",
    "ClockTimes",
    "EscalationLevel",
    "Period",
    "Warning",
    "clock_times",
    "describe",
    "escalation_time",
    "period_end",
]

Unit = Literal["working_days", "hours"]
_TINY = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Period:
    """``{"working_days": 3}``, ``{"hours": 24}`` or ``{"hours": 48, "business": true}``."""

    unit: Unit
    amount: float
    business: bool = False

    def to_dict(self) -> dict[str, Any]:
        if self.unit == "working_days":
            return {"working_days": int(self.amount)}
        out: dict[str, Any] = {"hours": _number(self.amount)}
        if self.business:
            out["business"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Period:
        if "working_days" in data:
            return cls("working_days", int(data["working_days"]))
        return cls("hours", float(data["hours"]), bool(data.get("business", False)))

    def text(self, lang: str = "vi") -> str:
        n = _number(self.amount)
        if lang.startswith("en"):
            word = (
                "working day"
                if self.unit == "working_days"
                else ("working hour" if self.business else "hour")
            )
            return f"{n} {word}" + ("" if n == 1 else "s")
        if self.unit == "working_days":
            return f"{n} ngày làm việc"
        return f"{n} giờ làm việc" if self.business else f"{n} giờ"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, slots=True)
class Warning:
    """Exactly one of ``after`` (counted from the start) or ``before_hours`` (before due)."""

    after: Period | None = None
    before_hours: float | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.after is not None:
            return {"after": self.after.to_dict()}
        return {"before": {"hours": _number(self.before_hours or 0)}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Warning:
        if "after" in data:
            return cls(after=Period.from_dict(data["after"]))
        return cls(before_hours=float(data["before"]["hours"]))


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    """Level ``level`` goes to ``to`` (e.g. ``assignee``, ``department_head``, ``leadership``)
    ``after`` the due instant."""

    level: int
    to: tuple[str, ...]
    after: Period

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "to": list(self.to), "after": self.after.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationLevel:
        return cls(int(data["level"]), tuple(data["to"]), Period.from_dict(data["after"]))


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """The timing rules of one clock (what starts/stops it is the procedure's business)."""

    name: str
    label: str
    label_en: str
    target: Period
    calendar: str
    pause_on: tuple[str, ...] = ()
    warning: Warning | None = None
    escalation: tuple[EscalationLevel, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "label_en": self.label_en,
            "target": self.target.to_dict(),
            "calendar": self.calendar,
            "pause_on": list(self.pause_on),
            "escalation": [level.to_dict() for level in self.escalation],
        }
        if self.warning is not None:
            out["warning"] = self.warning.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClockSpec:
        warning = data.get("warning")
        return cls(
            name=str(data["name"]),
            label=str(data.get("label", data["name"])),
            label_en=str(data.get("label_en", data.get("label", data["name"]))),
            target=Period.from_dict(data["target"]),
            calendar=str(data["calendar"]),
            pause_on=tuple(data.get("pause_on", ())),
            warning=Warning.from_dict(warning) if warning else None,
            escalation=tuple(EscalationLevel.from_dict(x) for x in data.get("escalation", ())),
        )


@dataclass(frozen=True, slots=True)
class ClockTimes:
    deadline: Deadline
    warn_at: datetime | None

    @property
    def due_at(self) -> datetime | None:
        return self.deadline.due_at


def period_end(
    cal: WorkingCalendar, period: Period, start: datetime, pauses: Sequence[Pause] = ()
) -> Deadline:
    """The end of ``period`` counted from ``start`` on ``cal``, skipping ``pauses``."""
    if period.unit == "working_days":
        return cal.add_working_days(start, int(period.amount), pauses=pauses)
    return cal.add_hours(start, period.amount, business=period.business, pauses=pauses)


def clock_times(
    spec: ClockSpec, cal: WorkingCalendar, started_at: datetime, pauses: Sequence[Pause] = ()
) -> ClockTimes:
    """Due and warning instants of a clock started at ``started_at`` with these pauses."""
    deadline = period_end(cal, spec.target, started_at, pauses)
    due = deadline.due_at
    warn_at: datetime | None = None
    if due is not None and spec.warning is not None:
        if spec.warning.after is not None:
            warn_at = period_end(cal, spec.warning.after, started_at, pauses).due_at
        elif spec.warning.before_hours is not None:
            warn_at = due - timedelta(hours=spec.warning.before_hours)
        if warn_at is not None and warn_at >= due:
            warn_at = None
        if warn_at is not None and warn_at < started_at:
            warn_at = started_at
    return ClockTimes(deadline, warn_at)


def escalation_time(
    spec: ClockSpec, cal: WorkingCalendar, due_at: datetime | None, level: int
) -> datetime | None:
    """When escalation ``level`` (1-based) of ``spec`` falls, or ``None`` (no such level / no due).

    Working days after the due instant count from the due's own local day: a due of 24:00
    Wednesday plus one working day is 24:00 Thursday (when Thursday is a working day).
    """
    if due_at is None or not 1 <= level <= len(spec.escalation):
        return None
    after = spec.escalation[level - 1].after
    if after.amount == 0:
        return due_at
    if after.unit == "working_days":
        end = cal.add_working_days(due_at - _TINY, int(after.amount)).due_at
    else:
        end = cal.add_hours(due_at, after.amount, business=after.business).due_at
    return end if end is not None and end > due_at else due_at


def _moment(dt: datetime, cal: WorkingCalendar) -> str:
    local = dt.astimezone(cal.tz)
    return f"{local.hour:02d}:{local.minute:02d} {local.day:02d}/{local.month:02d}/{local.year}"


def describe(
    deadline: Deadline,
    *,
    cal: WorkingCalendar,
    state: str,
    stopped_at: datetime | None,
    lang: str = "vi",
) -> str:
    """The deadline's explanation followed by how the clock ended (or that it is overdue)."""
    en = lang.startswith("en")
    text = deadline.explain("en" if en else "vi")
    if stopped_at is not None:
        when = _moment(stopped_at, cal)
        if state == "met":
            text += f"; done at {when} (on time)" if en else f"; hoàn thành lúc {when} (đúng hạn)"
        else:
            text += f"; done at {when} (late)" if en else f"; hoàn thành lúc {when} (quá hạn)"
    elif state == "breached":
        text += "; overdue" if en else "; đã quá hạn"
    return text
