"""Property tests of the working-day calendar (hypothesis). Pure Python, no Django."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from complaintdesk.sla.domain.calendar import Pause, WorkingCalendar
from complaintdesk.sla.domain.vietnam import VN_TZ, build_calendar

OFFICIAL = build_calendar("vn-official", years=range(2023, 2029))
LABOR = build_calendar("vn-labor-code", years=range(2023, 2029), culture_day=False)
ALWAYS = build_calendar("24x7", years=())
SHIFTS = build_calendar(
    "vn-labor-code",
    years=[2026],
    weekly={wd: ((time(7), time(11)), (time(22), time(0))) for wd in range(6)},
)

calendars = st.sampled_from([OFFICIAL, LABOR, SHIFTS])
any_calendar = st.sampled_from([OFFICIAL, LABOR, SHIFTS, ALWAYS])
starts = st.datetimes(
    min_value=datetime(2023, 6, 1),
    max_value=datetime(2027, 6, 30),
    timezones=st.sampled_from([VN_TZ, UTC]),
)
day_counts = st.integers(min_value=1, max_value=30)
minutes = st.integers(min_value=0, max_value=60 * 120)

#: Per-test settings (a profile would change hypothesis settings for the whole session).
calendar_settings = settings(deadline=None, max_examples=150)


@st.composite
def pauses_near(draw: st.DrawFn, start: datetime, *, open_ended: bool = False) -> list[Pause]:
    """Up to three pauses starting between two days before and twenty days after ``start``."""
    result: list[Pause] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        begin = start + timedelta(minutes=draw(st.integers(-2 * 1440, 20 * 1440)))
        if open_ended and draw(st.booleans()):
            result.append((begin, None))
        else:
            result.append((begin, begin + timedelta(minutes=draw(st.integers(1, 5 * 1440)))))
    return result


def local_day(dt: datetime) -> date:
    return dt.astimezone(VN_TZ).date()


def last_day(
    cal: WorkingCalendar, start: datetime, n: int, pauses: list[Pause] | None = None
) -> date:
    deadline = cal.add_working_days(start, n, pauses=pauses or ())
    assert deadline.due_at is not None
    assert deadline.last_day is not None
    return deadline.last_day


def touched_days(pauses: list[Pause]) -> set[date]:
    """Local days overlapped by the half-open pauses (closed pauses only)."""
    days: set[date] = set()
    for begin, end in pauses:
        assert end is not None
        if end <= begin:
            continue
        d = local_day(begin)
        while datetime(d.year, d.month, d.day, tzinfo=VN_TZ) < end:
            days.add(d)
            d += timedelta(days=1)
    return days


def reference_last_day(
    cal: WorkingCalendar, start: datetime, n: int, skip: AbstractSet[date] = frozenset()
) -> date:
    """Day-by-day Art. 147 count, using the per-day rules directly (not the fast tables)."""
    d = local_day(start)
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        if cal.day_reason(d) is None and d not in skip:
            counted += 1
    return d


@calendar_settings
@given(any_calendar, starts, day_counts)
def test_deadline_is_24h00_of_a_working_day_after_the_day_of_receipt(
    cal: WorkingCalendar, start: datetime, n: int
) -> None:
    deadline = cal.add_working_days(start, n)
    assert deadline.due_at is not None
    assert deadline.due_at.tzinfo is UTC
    local = deadline.due_at.astimezone(VN_TZ)
    assert local.time() == time(0, 0)
    last = local.date() - timedelta(days=1)
    assert cal.is_working_day(last)
    assert cal.day_reason(last) is None
    assert last > local_day(start)
    assert cal.working_days_between(local_day(start), last) == n


@calendar_settings
@given(any_calendar, starts, day_counts)
def test_fast_count_matches_the_day_by_day_count(
    cal: WorkingCalendar, start: datetime, n: int
) -> None:
    assert last_day(cal, start, n) == reference_last_day(cal, start, n)


@calendar_settings
@given(calendars, starts, day_counts, day_counts, st.times())
def test_periods_compose(cal: WorkingCalendar, start: datetime, a: int, b: int, at: time) -> None:
    """Counting b more days from any moment inside the a-th day's last day = counting a + b."""
    first = last_day(cal, start, a)
    moment = datetime.combine(first, at, tzinfo=VN_TZ)
    assert last_day(cal, moment, b) == last_day(cal, start, a + b)


@calendar_settings
@given(calendars, starts, starts, day_counts)
def test_deadlines_never_move_backwards(
    cal: WorkingCalendar, s1: datetime, s2: datetime, n: int
) -> None:
    early, late = sorted((s1, s2))
    d1 = cal.add_working_days(early, n).due_at
    d2 = cal.add_working_days(late, n).due_at
    assert d1 is not None and d2 is not None
    assert d1 <= d2


@calendar_settings
@given(st.data(), calendars, starts, day_counts)
def test_pauses_never_shorten_a_day_period(
    data: st.DataObject, cal: WorkingCalendar, start: datetime, n: int
) -> None:
    pauses = data.draw(pauses_near(start, open_ended=True))
    plain = cal.add_working_days(start, n)
    paused = cal.add_working_days(start, n, pauses=pauses)
    assert plain.due_at is not None
    assert paused.due_at is None or paused.due_at >= plain.due_at
    if paused.due_at is None:
        assert any(end is None for _, end in pauses)


@calendar_settings
@given(st.data(), calendars, starts, day_counts)
def test_paused_days_match_the_day_by_day_count(
    data: st.DataObject, cal: WorkingCalendar, start: datetime, n: int
) -> None:
    pauses = data.draw(pauses_near(start))
    expected = reference_last_day(cal, start, n, touched_days(pauses))
    assert last_day(cal, start, n, pauses) == expected


@calendar_settings
@given(any_calendar, starts, minutes)
def test_business_hours_round_trip(cal: WorkingCalendar, start: datetime, m: int) -> None:
    hours = m / 60
    deadline = cal.add_hours(start, hours, business=True)
    assert deadline.due_at is not None
    assert deadline.due_at >= start
    assert cal.business_time_between(start, deadline.due_at) == timedelta(hours=hours)


@calendar_settings
@given(st.data(), any_calendar, starts, minutes)
def test_business_hours_round_trip_with_pauses(
    data: st.DataObject, cal: WorkingCalendar, start: datetime, m: int
) -> None:
    pauses = data.draw(pauses_near(start))
    hours = m / 60
    deadline = cal.add_hours(start, hours, business=True, pauses=pauses)
    assert deadline.due_at is not None
    spent = cal.business_time_between(start, deadline.due_at, pauses=pauses)
    assert spent == timedelta(hours=hours)


@calendar_settings
@given(st.data(), any_calendar, starts, minutes, st.booleans())
def test_pauses_never_shorten_an_hour_period(
    data: st.DataObject, cal: WorkingCalendar, start: datetime, m: int, business: bool
) -> None:
    pauses = data.draw(pauses_near(start, open_ended=True))
    plain = cal.add_hours(start, m / 60, business=business)
    paused = cal.add_hours(start, m / 60, business=business, pauses=pauses)
    assert plain.due_at is not None
    assert paused.due_at is None or paused.due_at >= plain.due_at


@calendar_settings
@given(st.data(), starts, minutes)
def test_elapsed_hours_exclude_exactly_the_paused_time(
    data: st.DataObject, start: datetime, m: int
) -> None:
    pauses = data.draw(pauses_near(start))
    hours = m / 60
    deadline = OFFICIAL.add_hours(start, hours, pauses=pauses)
    assert deadline.due_at is not None
    assert ALWAYS.business_time_between(start, deadline.due_at, pauses=pauses) == timedelta(
        hours=hours
    )


@calendar_settings
@given(calendars, starts, starts)
def test_business_time_is_additive(cal: WorkingCalendar, s1: datetime, s2: datetime) -> None:
    a, b = sorted((s1, s2))
    middle = a + (b - a) / 2
    whole = cal.business_time_between(a, b)
    assert whole == cal.business_time_between(a, middle) + cal.business_time_between(middle, b)
    assert timedelta(0) <= whole <= b - a


@calendar_settings
@given(calendars, starts, day_counts)
def test_explanations_are_one_sentence_naming_the_due_day(
    cal: WorkingCalendar, start: datetime, n: int
) -> None:
    deadline = cal.add_working_days(start, n)
    for lang in ("vi", "en"):
        text = deadline.explain(lang)
        assert "\n" not in text
        assert text.endswith(deadline.due_display(lang))
        assert deadline.due_display(lang).startswith("24:00 ")
