"""Pure clock rules: periods, warnings, escalation instants, how a clock describes itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.sla.domain.clocks import (
    ClockSpec,
    EscalationLevel,
    Period,
    Warning,
    clock_times,
    describe,
    escalation_time,
)
from complaintdesk.sla.domain.vietnam import build_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICIAL = build_calendar("vn-official", years=[2026])
ALWAYS = build_calendar("24x7", years=[2026])


def spec(target: Period, **kw) -> ClockSpec:
    return ClockSpec("c", "Đồng hồ", "Clock", target, "vn-official", **kw)


@pytest.mark.parametrize(
    ("period", "vi", "en"),
    [
        (Period("working_days", 3), "3 ngày làm việc", "3 working days"),
        (Period("working_days", 1), "1 ngày làm việc", "1 working day"),
        (Period("hours", 24.0), "24 giờ", "24 hours"),
        (Period("hours", 1.5, True), "1.5 giờ làm việc", "1.5 working hours"),
    ],
)
def test_periods_read_naturally(period, vi, en):
    assert (period.text("vi"), period.text("en")) == (vi, en)
    assert Period.from_dict(period.to_dict()) == period


def test_a_spec_survives_its_dict():
    original = spec(
        Period("hours", 48.0),
        pause_on=("force_majeure",),
        warning=Warning(after=Period("hours", 24.0)),
        escalation=(EscalationLevel(1, ("assignee",), Period("hours", 0.0)),),
    )
    assert ClockSpec.from_dict(original.to_dict()) == original


def test_warning_after_counts_like_the_target():
    start = datetime(2026, 2, 13, 10, tzinfo=VN)
    times = clock_times(
        spec(Period("working_days", 3), warning=Warning(after=Period("working_days", 2))),
        OFFICIAL,
        start,
    )

    assert times.due_at == datetime(2026, 2, 26, tzinfo=VN)
    assert times.warn_at == datetime(2026, 2, 25, tzinfo=VN)


def test_warning_before_is_elapsed_hours_and_never_before_the_start():
    start = datetime(2026, 2, 13, 10, tzinfo=VN)
    times = clock_times(spec(Period("hours", 24.0), warning=Warning(before_hours=4)), ALWAYS, start)
    assert times.warn_at == datetime(2026, 2, 14, 6, tzinfo=VN)

    early = clock_times(spec(Period("hours", 2.0), warning=Warning(before_hours=4)), ALWAYS, start)
    assert early.warn_at == start


def test_an_open_pause_leaves_no_due_and_no_warning():
    start = datetime(2026, 2, 13, 10, tzinfo=VN)
    times = clock_times(
        spec(Period("working_days", 3), warning=Warning(before_hours=4)),
        OFFICIAL,
        start,
        [(datetime(2026, 2, 23, 8, tzinfo=VN), None)],
    )

    assert (times.due_at, times.warn_at) == (None, None)


def test_escalation_levels_count_from_the_due_instant():
    chain = (
        EscalationLevel(1, ("assignee",), Period("hours", 0.0)),
        EscalationLevel(2, ("department_head",), Period("working_days", 1)),
        EscalationLevel(3, ("leadership",), Period("hours", 4.0)),
    )
    s = spec(Period("working_days", 3), escalation=chain)
    due = datetime(2026, 2, 13, tzinfo=VN)  # 24:00 Thursday 12/02

    assert escalation_time(s, OFFICIAL, due, 1) == due
    # One working day after 24:00 Thursday is 24:00 Friday (not Monday after Tết).
    assert escalation_time(s, OFFICIAL, due, 2) == datetime(2026, 2, 14, tzinfo=VN)
    assert escalation_time(s, OFFICIAL, due, 3) == due + timedelta(hours=4)
    assert escalation_time(s, OFFICIAL, due, 4) is None
    assert escalation_time(s, OFFICIAL, None, 1) is None


def test_description_says_how_the_clock_ended():
    start = datetime(2026, 2, 13, 10, tzinfo=VN)
    deadline = OFFICIAL.add_working_days(start, 3)
    base = deadline.explain("vi")

    met = describe(
        deadline, cal=OFFICIAL, state="met", stopped_at=datetime(2026, 2, 24, 9, tzinfo=VN)
    )
    late = describe(
        deadline,
        cal=OFFICIAL,
        state="breached",
        stopped_at=datetime(2026, 2, 27, 9, tzinfo=VN),
        lang="en",
    )
    overdue = describe(deadline, cal=OFFICIAL, state="breached", stopped_at=None)

    assert met == base + "; hoàn thành lúc 09:00 24/02/2026 (đúng hạn)"
    assert late == deadline.explain("en") + "; done at 09:00 27/02/2026 (late)"
    assert overdue == base + "; đã quá hạn"
