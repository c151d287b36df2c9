"""Working-day calendar maths: pure Python, no Django, no clock.

What this module answers
------------------------
* Is a given local day a working day, and if not, why (:meth:`WorkingCalendar.is_working_day`,
  :meth:`WorkingCalendar.day_reason`)?
* When does a period of *n working days* end (:meth:`WorkingCalendar.add_working_days`)?
* When does a period of *n hours* end, in elapsed time or in business hours
  (:meth:`WorkingCalendar.add_hours`)?
* How much working time lies between two instants (:meth:`WorkingCalendar.business_time_between`)?

Rules (Civil Code 2015, Art. 147–148)
-------------------------------------
* **Day periods.** The local day of the event is never counted. Counting starts with the next
  local day; days that are not working days are skipped, and so is every local day touched by a
  pause (force majeure, waiting for the customer). The period ends at 24:00 of its last day,
  stored as the aware instant 00:00 of the following local day and returned in UTC.
* **Hour periods.** Counted from the very moment of the event. Elapsed hours run 24/7; with
  ``business=True`` only time inside the working intervals of working days counts. Paused time
  never counts.

Conventions
-----------
* Every datetime passed in must be timezone-aware (``ValueError`` otherwise); results are in UTC.
  "Local" always means the calendar's ``tz`` (Asia/Ho_Chi_Minh by default).
* ``weekly`` maps a weekday (0 = Monday … 6 = Sunday) to that day's working intervals, each a
  ``(start, end)`` pair of :class:`datetime.time`, sorted and non-overlapping. **An interval ending
  at** ``time(0, 0)`` **ends at 24:00** (midnight at the end of that day); ``time.max`` is refused so
  that no microsecond silently goes missing. A weekday absent from ``weekly`` (or mapped to ``()``)
  is a weekly rest day.
* Precedence for a day: an override (:class:`DayOverride`) wins over a holiday, which wins over the
  weekly schedule. A ``working=True`` override on a weekly rest day (a make-up Saturday) uses the
  intervals of the first weekday, Monday first, that has any.
* ``always_open`` calendars (24/7) count every day as a working day and every instant as working
  time; they take no holidays or overrides (``ValueError``).
* **Open-ended pauses** (end ``None``): the clock is stopped with no known end, so no due instant
  exists. The result is a :class:`Deadline` whose ``due_at`` is ``None`` (:attr:`Deadline.paused`
  is true) rather than an exception, so callers can store and show "clock paused". A pause that
  begins only after the deadline has no effect.
* A pause touches a local day when the half-open interval ``[start, end)`` overlaps it: a pause
  ending exactly at 00:00 local does not touch the day it ends on.

Performance
-----------
Calendars build, lazily and per block of years, a table of working days (a cumulative count per
day and the sorted list of working-day ordinals), so the n-th working day after a date is one
list look-up; results without pauses are memoised per (start day, n). Years outside the block are
added on demand (from ``year_source`` when given), so any year 1–9998 works. The calendar object is
a frozen dataclass compared by identity (``eq=False``), which keeps it hashable and lets it carry
its private caches.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from types import MappingProxyType
from typing import Final, Literal, TypeAlias
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ",
    "OFFICE_HOURS",
    "WEEKEND",
    "DayOverride",
    "Deadline",
    "Interval",
    "MakeupDay",
    "Pause",
    "PausedSpan",
    "PeriodUnit",
    "SkippedDays",
    "Step",
    "WorkingCalendar",
    "YearRules",
    "YearSource",
]

DEFAULT_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")

#: The reason :meth:`WorkingCalendar.day_reason` gives for a weekly rest day (machine token).
WEEKEND: Final = "weekend"

Interval: TypeAlias = tuple[time, time]
Pause: TypeAlias = tuple[datetime, datetime | None]
PeriodUnit: TypeAlias = Literal["working_days", "hours", "business_hours"]

_DAY_US: Final = 86_400_000_000
_MIDNIGHT: Final = time(0, 0)
_CACHE_LIMIT: Final = 200_000
#: How far (in years) a computation may walk without finding a working day before giving up.
_MAX_BARREN_YEARS: Final = 16

#: Default office hours: Monday–Friday 08:00–12:00 and 13:30–17:30.
OFFICE_HOURS: Final[Mapping[int, tuple[Interval, ...]]] = MappingProxyType(
    {wd: ((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))) for wd in range(5)}
)

_WEEKDAYS_VI: Final = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_WEEKDAYS_EN: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One day whose status is decided explicitly; wins over the weekday and any holiday.

    ``working=True`` turns a rest day into a working day (a make-up Saturday, *ngày làm bù*);
    ``working=False`` adds a day off. ``reference`` is the government document number (for
    example "Thông báo 6150/TB-LĐTBXH") or ``""`` for an organisation's own day. ``name`` is
    Vietnamese; ``name_en`` is its optional English form.
    """

    day: date
    working: bool
    name: str
    reference: str = ""
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class YearRules:
    """Holidays and overrides of one year, supplied on demand by a calendar's ``year_source``."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    overrides: Mapping[date, DayOverride] = field(default_factory=dict)
    #: English names of the Vietnamese holiday names above.
    names_en: Mapping[str, str] = field(default_factory=dict)


YearSource: TypeAlias = Callable[[int], YearRules]


@dataclass(frozen=True, slots=True)
class SkippedDays:
    """Consecutive non-working days (weekly rest days between them allowed) with one reason."""

    first: date
    last: date
    reason: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class MakeupDay:
    """A weekly rest day that counted as a working day (*ngày làm bù*)."""

    day: date
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class PausedSpan:
    """A pause that moved the deadline.

    For day periods ``first_day``/``last_day`` are the local days it removed from the count
    (``last_day`` is ``None`` when the pause is open-ended); for hour periods both are ``None``.
    """

    start: datetime
    end: datetime | None
    first_day: date | None = None
    last_day: date | None = None


Step: TypeAlias = SkippedDays | MakeupDay | PausedSpan


def _fmt_day(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _fmt_range(first: date, last: date, ref_year: int) -> str:
    """``16–20/02``, ``30/04–01/05``; years appear only when they differ from ``ref_year``."""
    if first.year != last.year:
        return f"{_fmt_day(first)}–{_fmt_day(last)}"
    tail = "" if first.year == ref_year else f"/{first.year}"
    if first == last:
        return f"{first.day:02d}/{first.month:02d}{tail}"
    if first.month == last.month:
        return f"{first.day:02d}–{last.day:02d}/{first.month:02d}{tail}"
    return f"{first.day:02d}/{first.month:02d}–{last.day:02d}/{last.month:02d}{tail}"


def _fmt_moment(dt: datetime) -> str:
    return f"{dt.hour:02d}:{dt.minute:02d} {_fmt_day(dt.date())}"


def _fmt_amount(amount: float, lang: str, unit: PeriodUnit) -> str:
    if float(amount).is_integer():
        number = str(int(amount))
    else:
        number = f"{amount:g}"
        if lang == "vi":
            number = number.replace(".", ",")
    if lang == "vi":
        return f"{number} giờ làm việc" if unit == "business_hours" else f"{number} giờ"
    word = "working hour" if unit == "business_hours" else "hour"
    return f"{number} {word}" if amount == 1 else f"{number} {word}s"


@dataclass(frozen=True, slots=True)
class Deadline:
    """The end of a period, with the steps that explain it.

    ``due_at`` is in UTC, or ``None`` while an open-ended pause stops the clock. For day periods
    it is 00:00 local of the day after the last counted day (that is, 24:00 of the last day).
    """

    due_at: datetime | None
    start: datetime
    steps: tuple[Step, ...] = ()
    unit: PeriodUnit = "working_days"
    amount: int | float = 0
    tz: ZoneInfo = DEFAULT_TZ

    @property
    def paused(self) -> bool:
        """True when an open-ended pause stops the clock (no due instant yet)."""
        return self.due_at is None

    @property
    def due_local(self) -> datetime | None:
        return None if self.due_at is None else self.due_at.astimezone(self.tz)

    @property
    def last_day(self) -> date | None:
        """For day periods, the last counted (local) day; ``None`` for hours or when paused."""
        if self.due_at is None or self.unit != "working_days":
            return None
        return self.due_at.astimezone(self.tz).date() - timedelta(days=1)

    def due_display(self, lang: str = "vi") -> str:
        """``24:00 ngày 03/03/2026`` (days) or ``14:05 ngày 14/02/2026`` (hours); English with ``lang="en"``."""
        vi = lang != "en"
        local = self.due_local
        if local is None:
            return "đang tạm dừng" if vi else "clock paused"
        if self.unit == "working_days":
            last = local.date() - timedelta(days=1)
            hhmm, day = "24:00", _fmt_day(last)
        else:
            hhmm, day = f"{local.hour:02d}:{local.minute:02d}", _fmt_day(local.date())
        return f"{hhmm} ngày {day}" if vi else f"{hhmm} on {day}"

    def explain(self, lang: str = "vi") -> str:
        """One short sentence telling how the deadline was reached (Vietnamese or ``lang="en"``)."""
        vi = lang != "en"
        start = self.start.astimezone(self.tz)
        parts: list[str] = []
        if self.unit == "working_days":
            wd = _WEEKDAYS_VI if vi else _WEEKDAYS_EN
            received = start.date()
            parts.append(
                f"nhận {wd[received.weekday()]} {_fmt_day(received)}"
                if vi
                else f"received {wd[received.weekday()]} {_fmt_day(received)}"
            )
            skipped: list[str] = []

            def flush() -> None:
                if skipped:
                    parts.append(("bỏ qua " if vi else "skipped ") + ", ".join(skipped))
                    skipped.clear()

            last = self.last_day
            for step in self.steps:
                if isinstance(step, SkippedDays):
                    reason = step.reason if vi else step.reason_en
                    skipped.append(f"{_fmt_range(step.first, step.last, received.year)} ({reason})")
                    continue
                if isinstance(step, MakeupDay) and step.day == last:
                    continue  # said in the closing clause below
                flush()
                if isinstance(step, MakeupDay):
                    day = f"{wd[step.day.weekday()]} {_fmt_day(step.day)}"
                    parts.append(
                        f"tính {day} (làm bù)" if vi else f"counted {day} (make-up working day)"
                    )
                else:
                    parts.append(self._pause_text(step, vi, received.year))
            flush()
            if last is not None:
                day = f"{wd[last.weekday()]} {_fmt_day(last)}"
                if any(isinstance(s, MakeupDay) and s.day == last for s in self.steps):
                    day += " (làm bù)" if vi else " (make-up working day)"
                parts.append(
                    f"ngày làm việc thứ {self.amount} là {day}"
                    if vi
                    else f"working day {self.amount} is {day}"
                )
        else:
            parts.append(f"nhận {_fmt_moment(start)}" if vi else f"received {_fmt_moment(start)}")
            parts.append(_fmt_amount(self.amount, "vi" if vi else "en", self.unit))
            parts.extend(
                self._pause_text(s, vi, start.year) for s in self.steps if isinstance(s, PausedSpan)
            )
        if self.due_at is None:
            parts.append(
                "hạn: chưa xác định, đang tạm dừng" if vi else "due: not set, clock paused"
            )
        elif self.unit == "working_days":
            parts.append(("hạn " if vi else "due ") + self.due_display("vi" if vi else "en"))
        else:
            due = _fmt_moment(self.due_at.astimezone(self.tz))
            parts.append(f"hạn {due}" if vi else f"due {due}")
        return "; ".join(parts)

    def _pause_text(self, step: PausedSpan, vi: bool, ref_year: int) -> str:
        begin = _fmt_moment(step.start.astimezone(self.tz))
        if step.end is None:
            text = (
                f"tạm dừng từ {begin} (chưa kết thúc)" if vi else f"paused since {begin} (ongoing)"
            )
        else:
            end = _fmt_moment(step.end.astimezone(self.tz))
            text = f"tạm dừng {begin} – {end}" if vi else f"paused {begin} – {end}"
        if step.first_day is not None and step.last_day is not None:
            days = _fmt_range(step.first_day, step.last_day, ref_year)
            text += f" (không tính {days})" if vi else f" ({days} not counted)"
        return text


_DEADLINE_SLOTS: Final = tuple(
    Deadline.__dict__[name].__set__ for name in ("due_at", "start", "steps", "unit", "amount", "tz")
)


def _make_deadline(
    due_at: datetime | None,
    start: datetime,
    steps: tuple[Step, ...],
    unit: PeriodUnit,
    amount: float,
    tz: ZoneInfo,
    _new: Callable[[type[Deadline]], Deadline] = object.__new__,
    _slots: tuple[Callable[[Deadline, object], None], ...] = _DEADLINE_SLOTS,
) -> Deadline:
    """``Deadline(...)`` for the hot path: fills the slots directly, skipping the frozen
    dataclass ``__init__`` (one ``object.__setattr__`` per field), about twice as fast."""
    deadline = _new(Deadline)
    s_due, s_start, s_steps, s_unit, s_amount, s_tz = _slots
    s_due(deadline, due_at)
    s_start(deadline, start)
    s_steps(deadline, steps)
    s_unit(deadline, unit)
    s_amount(deadline, amount)
    s_tz(deadline, tz)
    return deadline


# --------------------------------------------------------------------------------------------
# Internal tables
# --------------------------------------------------------------------------------------------

_Notable: TypeAlias = tuple[bool, str, str]
"""(is_makeup, label_vi, label_en) of a day worth naming in an explanation."""


def _group_key(name: str) -> str:
    """Explanations group days by their name without a trailing qualifier: "X (nghỉ bù)" → "X"."""
    head = name.split(" (", 1)[0].strip()
    return head or name


class _Index:
    """Working-day table for the whole years ``y0..y1``."""

    __slots__ = ("base", "cum", "end", "notable", "notable_ords", "wd", "y0", "y1")

    def __init__(
        self, y0: int, y1: int, years: Sequence[tuple[bytes, list[tuple[int, _Notable]]]]
    ) -> None:
        self.y0 = y0
        self.y1 = y1
        self.base = date(y0, 1, 1).toordinal()
        flags = b"".join(flags for flags, _ in years)
        self.end = self.base + len(flags)
        #: cum[i] = number of working days among the first i days of the table.
        self.cum: list[int] = [0, *accumulate(flags)]
        #: ordinals of the working days, ascending.
        self.wd: list[int] = [self.base + i for i, f in enumerate(flags) if f]
        self.notable_ords: list[int] = []
        self.notable: list[_Notable] = []
        for _, notable in years:
            for ordinal, info in notable:
                self.notable_ords.append(ordinal)
                self.notable.append(info)


class _State:
    """Mutable caches behind an immutable calendar (safe to share between threads: every
    entry is computed from immutable data and published by a single assignment)."""

    __slots__ = ("days", "index", "intervals", "midnights", "rules", "years")

    def __init__(self) -> None:
        self.index: _Index | None = None
        self.years: dict[int, tuple[bytes, list[tuple[int, _Notable]]]] = {}
        self.rules: dict[int, YearRules | None] = {}
        self.days: dict[tuple[int, int], tuple[datetime, tuple[Step, ...]]] = {}
        self.midnights: dict[int, datetime] = {}
        self.intervals: dict[int, tuple[tuple[datetime, datetime], ...]] = {}


def _aware(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {dt!r}")
    return dt


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _normalise_weekly(
    weekly: Mapping[int, Iterable[Interval]],
) -> tuple[dict[int, tuple[Interval, ...]], tuple[tuple[tuple[int, int], ...], ...]]:
    clean: dict[int, tuple[Interval, ...]] = {}
    as_us: list[tuple[tuple[int, int], ...]] = [()] * 7
    for weekday, intervals in weekly.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), got {weekday!r}")
        pairs = tuple((a, b) for a, b in intervals)
        spans: list[tuple[int, int]] = []
        for a, b in pairs:
            if a.tzinfo is not None or b.tzinfo is not None:
                raise ValueError("working interval times must be naive local times")
            if b == time.max:
                raise ValueError("end a working interval at 24:00 with time(0, 0), not time.max")
            lo = _time_us(a)
            hi = _DAY_US if b == _MIDNIGHT else _time_us(b)
            if lo >= hi:
                raise ValueError(f"empty or reversed working interval {a}–{b} on day {weekday}")
            if spans and lo < spans[-1][1]:
                raise ValueError(f"working intervals on day {weekday} overlap or are unsorted")
            spans.append((lo, hi))
        clean[weekday] = pairs
        as_us[weekday] = tuple(spans)
    return clean, tuple(as_us)


def _merge_pauses(pauses: Sequence[Pause]) -> list[tuple[datetime, datetime | None]]:
    """UTC, sorted, non-empty, disjoint (overlapping or touching pauses are merged)."""
    items: list[tuple[datetime, datetime | None]] = []
    for start, end in pauses:
        s = _aware(start, "pause start").astimezone(UTC)
        if end is None:
            items.append((s, None))
            continue
        e = _aware(end, "pause end").astimezone(UTC)
        if e < s:
            raise ValueError(f"pause ends before it starts: {start!r} – {end!r}")
        if e > s:
            items.append((s, e))
    items.sort(key=lambda p: p[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, finish in items:
        if merged:
            ps, pe = merged[-1]
            if pe is None:
                break  # an open pause swallows everything after it
            if begin <= pe:
                merged[-1] = (ps, None if finish is None else max(pe, finish))
                continue
        merged.append((begin, finish))
    return merged


def _overlap(
    pauses: Sequence[tuple[datetime, datetime | None]], a: datetime, b: datetime
) -> timedelta:
    total = timedelta(0)
    for ps, pe in pauses:
        if ps >= b:
            break
        lo = max(ps, a)
        hi = b if pe is None else min(pe, b)
        if hi > lo:
            total += hi - lo
    return total


# --------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class WorkingCalendar:
    """An organisation's working calendar. Immutable; compared and hashed by identity.

    ``holidays`` maps a day to its (Vietnamese) holiday name, ``overrides`` a day to a
    :class:`DayOverride`; ``names_en`` gives English forms of holiday names. ``year_source``, when
    given, supplies holidays and overrides of any year not in ``source_years`` (those years are
    taken to be fully described by ``holidays``/``overrides`` already); explicit ``overrides``
    still win over what it supplies.
    """

    slug: str
    tz: ZoneInfo = DEFAULT_TZ
    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=lambda: OFFICE_HOURS)
    holidays: Mapping[date, str] = field(default_factory=dict)
    overrides: Mapping[date, DayOverride] = field(default_factory=dict)
    always_open: bool = False
    names_en: Mapping[str, str] = field(default_factory=dict)
    year_source: YearSource | None = field(default=None, repr=False)
    source_years: frozenset[int] = frozenset()
    _weekly_us: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, default=())
    _default_us: tuple[tuple[int, int], ...] = field(init=False, repr=False, default=())
    _st: _State = field(init=False, repr=False, default_factory=_State)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise TypeError("tz must be a zoneinfo.ZoneInfo")
        weekly, weekly_us = _normalise_weekly(self.weekly)
        overrides = dict(self.overrides)
        for day, override in overrides.items():
            if override.day != day:
                raise ValueError(f"override for {day} is dated {override.day}")
        if self.always_open and (self.holidays or overrides or self.year_source is not None):
            raise ValueError("an always-open (24/7) calendar has no holidays or overrides")
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "overrides", MappingProxyType(overrides))
        object.__setattr__(self, "names_en", MappingProxyType(dict(self.names_en)))
        object.__setattr__(self, "source_years", frozenset(self.source_years))
        object.__setattr__(self, "_weekly_us", weekly_us)
        default = next((spans for spans in weekly_us if spans), ((0, _DAY_US),))
        object.__setattr__(self, "_default_us", default)

    def with_overrides(self, extra: Iterable[DayOverride]) -> WorkingCalendar:
        """A copy with more overrides (later ones win), e.g. a decision added by an administrator."""
        merged = dict(self.overrides)
        for override in extra:
            merged[override.day] = override
        return replace(self, overrides=merged)

    # -- days ---------------------------------------------------------------------------------

    def _rules(self, year: int) -> YearRules | None:
        if self.year_source is None or year in self.source_years:
            return None
        st = self._st
        if year not in st.rules:
            st.rules[year] = self.year_source(year)
        return st.rules[year]

    def _classify(self, d: date) -> tuple[bool, str | None, str | None, DayOverride | None]:
        """(working, reason_vi, reason_en, make-up override) of one local day.

        The last item is the override that makes a weekly rest day a working day, else None.
        """
        if self.always_open:
            return True, None, None, None
        rules = self._rules(d.year)
        override = self.overrides.get(d)
        if override is None and rules is not None:
            override = rules.overrides.get(d)
        has_hours = bool(self._weekly_us[d.weekday()])
        if override is not None:
            if override.working:
                return True, None, None, (None if has_hours else override)
            name_en = override.name_en or self._name_en(override.name, rules)
            return False, override.name, name_en, None
        name = self.holidays.get(d)
        if name is None and rules is not None:
            name = rules.holidays.get(d)
        if name is not None:
            return False, name, self._name_en(name, rules), None
        if has_hours:
            return True, None, None, None
        return False, WEEKEND, WEEKEND, None

    def _name_en(self, name: str, rules: YearRules | None) -> str:
        found = self.names_en.get(name)
        if found is None and rules is not None:
            found = rules.names_en.get(name)
        return name if found is None else found

    def is_working_day(self, d: date) -> bool:
        """True when the local day ``d`` counts as a working day."""
        o = d.toordinal()
        idx = self._cover(o, o)
        i = o - idx.base
        return idx.cum[i + 1] != idx.cum[i]

    def day_reason(self, d: date, lang: str = "vi") -> str | None:
        """Why ``d`` is not a working day: the override's or holiday's name (Vietnamese, or
        English with ``lang="en"``), :data:`WEEKEND` (``"weekend"``) for a weekly rest day, or
        ``None`` for a working day."""
        working, vi, en, _ = self._classify(d)
        if working:
            return None
        return en if lang == "en" else vi

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]`` — ``a`` not counted, ``b`` counted, as in Art. 147; negative
        when ``b < a``."""
        if b < a:
            return -self.working_days_between(b, a)
        lo, hi = a.toordinal(), b.toordinal()
        idx = self._cover(lo, hi)
        return idx.cum[hi - idx.base + 1] - idx.cum[lo - idx.base + 1]

    def _year_days(self, year: int) -> tuple[bytes, list[tuple[int, _Notable]]]:
        st = self._st
        cached = st.years.get(year)
        if cached is not None:
            return cached
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        flags = bytearray(last - first + 1)
        notable: list[tuple[int, _Notable]] = []
        for o in range(first, last + 1):
            working, vi, en, makeup = self._classify(date.fromordinal(o))
            if working:
                flags[o - first] = 1
                if makeup is not None:
                    rules = self._rules(year)
                    name_en = makeup.name_en or self._name_en(makeup.name, rules)
                    notable.append((o, (True, makeup.name, name_en)))
            elif vi is not None and vi != WEEKEND:
                notable.append((o, (False, _group_key(vi), _group_key(en or vi))))
        result = (bytes(flags), notable)
        st.years[year] = result
        return result

    def _build(self, y0: int, y1: int) -> _Index:
        if y0 < 1 or y1 > 9998:
            raise ValueError(f"dates outside years 1–9998 are not supported ({y0}–{y1})")
        idx = _Index(y0, y1, [self._year_days(y) for y in range(y0, y1 + 1)])
        self._st.index = idx
        return idx

    def _cover(self, lo: int, hi: int) -> _Index:
        """The index, extended so that it holds the ordinals ``lo..hi+1``."""
        idx = self._st.index
        if idx is not None and idx.base <= lo and hi + 1 < idx.end:
            return idx
        try:
            y_lo = date.fromordinal(lo).year
            y_hi = date.fromordinal(hi + 1).year
        except (ValueError, OverflowError) as exc:
            raise ValueError("date outside the supported range") from exc
        if idx is None:
            return self._build(max(1, y_lo - 1), min(9998, y_hi + 1))
        return self._build(min(idx.y0, y_lo), max(idx.y1, y_hi))

    def _nth_after(self, o: int, n: int) -> int:
        """Ordinal of the n-th working day strictly after ordinal ``o`` (n >= 1)."""
        idx = self._cover(o, o)
        while True:
            k = idx.cum[o - idx.base + 1] + n - 1
            if k < len(idx.wd):
                return idx.wd[k]
            idx = self._grow(idx)

    def _grow(self, idx: _Index) -> _Index:
        step = 1
        while step <= _MAX_BARREN_YEARS:
            grown = self._build(idx.y0, min(9998, idx.y1 + step))
            if len(grown.wd) > len(idx.wd):
                return grown
            if grown.y1 == 9998:
                raise ValueError("the deadline falls after the supported range (year 9998)")
            step *= 2
        raise ValueError(f"calendar {self.slug!r} has no working day after {idx.y1}")

    def _count(self, a: int, b: int) -> int:
        """Working days in ``(a, b]`` by ordinal (0 when ``b <= a``)."""
        if b <= a:
            return 0
        idx = self._cover(a, b)
        return idx.cum[b - idx.base + 1] - idx.cum[a - idx.base + 1]

    def _midnight_utc(self, o: int) -> datetime:
        st = self._st
        found = st.midnights.get(o)
        if found is None:
            d = date.fromordinal(o)
            found = datetime(d.year, d.month, d.day, tzinfo=self.tz).astimezone(UTC)
            if len(st.midnights) > _CACHE_LIMIT:
                st.midnights.clear()
            st.midnights[o] = found
        return found

    def _notable_steps(self, lo: int, hi: int, skip: Sequence[tuple[int, int]] = ()) -> list[Step]:
        """Steps naming the holidays and make-up days in ``(lo, hi]`` (days in ``skip`` left out)."""
        if hi <= lo:
            return []
        idx = self._cover(lo, hi)
        i0 = bisect_right(idx.notable_ords, lo)
        i1 = bisect_right(idx.notable_ords, hi)
        steps: list[Step] = []
        open_first = open_last = 0
        open_key: tuple[str, str] | None = None

        def close() -> None:
            if open_key is not None:
                steps.append(
                    SkippedDays(
                        date.fromordinal(open_first),
                        date.fromordinal(open_last),
                        open_key[0],
                        open_key[1],
                    )
                )

        for j in range(i0, i1):
            o = idx.notable_ords[j]
            if any(f <= o <= last for f, last in skip):
                continue
            makeup, vi, en = idx.notable[j]
            if makeup:
                close()
                open_key = None
                steps.append(MakeupDay(date.fromordinal(o), vi, en))
                continue
            key = (vi, en)
            if open_key == key and self._count(open_last, o - 1) == 0:
                open_last = o
                continue
            close()
            open_first, open_last, open_key = o, o, key
        close()
        return steps

    # -- day periods ----------------------------------------------------------------------------

    def add_working_days(
        self, start: datetime, n: int, *, pauses: Sequence[Pause] = ()
    ) -> Deadline:
        """The end of ``n`` working days after ``start`` (Civil Code Art. 147–148).

        The local day of ``start`` never counts; the next ``n`` working days not touched by a
        pause do. ``due_at`` is 00:00 local (in UTC) of the day after the last one, i.e. 24:00 of
        the last day; it is ``None`` when an open-ended pause is reached before the count ends.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"a working-day period needs a whole number n >= 1, got {n!r}")
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"start must be a timezone-aware datetime, got {start!r}")
        o = start.astimezone(self.tz).toordinal()
        if pauses:
            return self._add_days_paused(start, o, n, pauses)
        st = self._st
        hit = st.days.get((o, n))
        if hit is None:
            last = self._nth_after(o, n)
            hit = (self._midnight_utc(last + 1), tuple(self._notable_steps(o, last)))
            if len(st.days) > _CACHE_LIMIT:
                st.days.clear()
            st.days[(o, n)] = hit
        return _make_deadline(hit[0], start, hit[1], "working_days", n, self.tz)

    def _add_days_paused(
        self, start: datetime, o: int, n: int, pauses: Sequence[Pause]
    ) -> Deadline:
        tz = self.tz
        remaining = n
        pos = o
        skip: list[tuple[int, int]] = []
        pause_steps: list[PausedSpan] = []
        for ps, pe in _merge_pauses(pauses):
            first = ps.astimezone(tz).toordinal()
            if pe is None:
                upto: int | None = None
            else:
                local_end = pe.astimezone(tz)
                upto = local_end.toordinal() - (1 if local_end.time() == _MIDNIGHT else 0)
            if upto is not None and upto <= pos:
                continue  # touches only days already passed (or the day of receipt)
            before = self._count(pos, first - 1)
            if before >= remaining:
                break  # the count ends before this pause begins
            remaining -= before
            first_new = max(first, pos + 1)  # days up to ``pos`` are already accounted for
            first_day = date.fromordinal(first_new)
            if upto is None:
                pause_steps.append(PausedSpan(ps, None, first_day, None))
                steps = self._notable_steps(o, first - 1, skip)
                ordered = sorted([*steps, *pause_steps], key=_step_day)
                return Deadline(None, start, tuple(ordered), "working_days", n, tz)
            pause_steps.append(PausedSpan(ps, pe, first_day, date.fromordinal(upto)))
            skip.append((first_new, upto))
            pos = max(pos, upto)
        last = self._nth_after(pos, remaining)
        steps = self._notable_steps(o, last, skip)
        ordered = sorted([*steps, *pause_steps], key=_step_day)
        return Deadline(self._midnight_utc(last + 1), start, tuple(ordered), "working_days", n, tz)

    # -- hour periods ---------------------------------------------------------------------------

    def _utc_intervals(self, o: int) -> tuple[tuple[datetime, datetime], ...]:
        """Working intervals of local day ``o`` as UTC instants."""
        st = self._st
        found = st.intervals.get(o)
        if found is not None:
            return found
        d = date.fromordinal(o)
        if self.always_open:
            spans: tuple[tuple[int, int], ...] = ((0, _DAY_US),)
        else:
            idx = self._cover(o, o)
            i = o - idx.base
            if idx.cum[i + 1] == idx.cum[i]:
                spans = ()
            else:
                spans = self._weekly_us[d.weekday()] or self._default_us
        local0 = datetime(d.year, d.month, d.day, tzinfo=self.tz)
        found = tuple(
            (
                (local0 + timedelta(microseconds=a)).astimezone(UTC),
                (local0 + timedelta(microseconds=b)).astimezone(UTC),
            )
            for a, b in spans
        )
        if len(st.intervals) > _CACHE_LIMIT:
            st.intervals.clear()
        st.intervals[o] = found
        return found

    def add_hours(
        self,
        start: datetime,
        hours: float,
        *,
        business: bool = False,
        pauses: Sequence[Pause] = (),
    ) -> Deadline:
        """The end of ``hours`` hours from the moment ``start`` (Civil Code Art. 147).

        Elapsed time by default; with ``business=True`` only working time of working days counts
        (on an always-open calendar that is all time). Paused time never counts; an open-ended
        pause reached before the end gives ``due_at=None``.
        """
        if isinstance(hours, bool) or not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
        begin = _aware(start, "start").astimezone(UTC)
        amount = timedelta(hours=hours)
        merged = _merge_pauses(pauses)
        unit: PeriodUnit = "business_hours" if business else "hours"
        if business and not self.always_open:
            due, used = self._walk_business(begin, amount, merged)
        else:
            due, used = self._walk_elapsed(begin, amount, merged)
        steps = tuple(PausedSpan(ps, pe) for ps, pe in used)
        return Deadline(due, start, steps, unit, hours, self.tz)

    @staticmethod
    def _walk_elapsed(
        t: datetime, remaining: timedelta, pauses: list[tuple[datetime, datetime | None]]
    ) -> tuple[datetime | None, list[tuple[datetime, datetime | None]]]:
        used: list[tuple[datetime, datetime | None]] = []
        for ps, pe in pauses:
            if pe is not None and pe <= t:
                continue
            if ps >= t + remaining:
                break
            if ps > t:
                remaining -= ps - t
            used.append((ps, pe))
            if pe is None:
                return None, used
            t = max(t, pe)
        return t + remaining, used

    def _walk_business(
        self, t: datetime, remaining: timedelta, pauses: list[tuple[datetime, datetime | None]]
    ) -> tuple[datetime | None, list[tuple[datetime, datetime | None]]]:
        used: list[tuple[datetime, datetime | None]] = []
        if not remaining:
            return t, used
        o = t.astimezone(self.tz).toordinal()
        pi = 0
        barren = 0
        while True:
            intervals = self._utc_intervals(o)
            barren = 0 if intervals else barren + 1
            if barren > 366 * _MAX_BARREN_YEARS:
                raise ValueError(f"calendar {self.slug!r} has no working time after {t}")
            for ws, we in intervals:
                if we <= t:
                    continue
                cursor = max(ws, t)
                while cursor < we:
                    while pi < len(pauses):
                        end = pauses[pi][1]
                        if end is None or end > cursor:
                            break
                        pi += 1
                    pause = pauses[pi] if pi < len(pauses) else None
                    if pause is not None and pause[0] <= cursor:
                        if not used or used[-1] is not pause:
                            used.append(pause)
                        if pause[1] is None:
                            return None, used
                        cursor = pause[1]
                        continue
                    free_end = we if pause is None or pause[0] >= we else pause[0]
                    available = free_end - cursor
                    if available >= remaining:
                        return cursor + remaining, used
                    remaining -= available
                    cursor = free_end
            o += 1

    def business_time_between(
        self, a: datetime, b: datetime, *, pauses: Sequence[Pause] = ()
    ) -> timedelta:
        """Working time inside ``[a, b)`` on working days, less paused time (zero if ``b <= a``).

        On an always-open calendar this is wall time less paused time.
        """
        lo = _aware(a, "a").astimezone(UTC)
        hi = _aware(b, "b").astimezone(UTC)
        if hi <= lo:
            return timedelta(0)
        merged = _merge_pauses(pauses)
        if self.always_open:
            return (hi - lo) - _overlap(merged, lo, hi)
        total = timedelta(0)
        first = lo.astimezone(self.tz).toordinal()
        last = hi.astimezone(self.tz).toordinal()
        self._cover(first, last)
        for o in range(first, last + 1):
            for ws, we in self._utc_intervals(o):
                s = max(ws, lo)
                e = min(we, hi)
                if s < e:
                    total += (e - s) - _overlap(merged, s, e)
        return total


def _step_day(step: Step) -> date:
    if isinstance(step, SkippedDays):
        return step.first
    if isinstance(step, MakeupDay):
        return step.day
    return step.first_day or step.start.date()
