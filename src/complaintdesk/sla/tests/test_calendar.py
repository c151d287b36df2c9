"""Table tests of the working-day calendar against the official 2024–2026 holiday decisions.

Sources of the expected days are listed in ``complaintdesk.sla.domain.vietnam``'s docstring.
Pure Python: no Django, no database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from complaintdesk.sla.domain.calendar import (
    WEEKEND,
    DayOverride,
    MakeupDay,
    PausedSpan,
    SkippedDays,
    WorkingCalendar,
)
from complaintdesk.sla.domain.vietnam import (
    BUILTIN_DECISIONS,
    OFFICE_HOURS,
    VN_TZ,
    build_calendar,
    package_swaps,
)

OFFICIAL = build_calendar("vn-official", years=range(2023, 2028))
LABOR = build_calendar("vn-labor-code", years=range(2023, 2028))
ALWAYS = build_calendar("24x7", years=())


def vn(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def due_day(cal: WorkingCalendar, start: datetime, n: int) -> date:
    """The last counted day (the one whose 24:00 is the deadline)."""
    deadline = cal.add_working_days(start, n)
    assert deadline.due_at is not None
    local = deadline.due_at.astimezone(VN_TZ)
    assert local.time() == time(0, 0)
    return local.date() - timedelta(days=1)


# --- days off and days worked, per official decision ------------------------------------------

OFF = False
ON = True

OFFICIAL_DAYS = [
    # 2024 — Tết 08–14/02 (Thông báo 5015/TB-LĐTBXH): no make-up Saturday.
    (date(2024, 1, 1), OFF),
    (date(2024, 2, 7), ON),
    *[(date(2024, 2, d), OFF) for d in range(8, 15)],
    (date(2024, 2, 15), ON),
    (date(2024, 2, 17), OFF),  # an ordinary Saturday: there was no make-up day for Tết 2024
    (date(2024, 4, 18), OFF),  # Hùng Kings
    (date(2024, 4, 29), OFF),  # swapped with Sat 04/05 (Công văn 2450/VPCP-KGVX)
    (date(2024, 4, 30), OFF),
    (date(2024, 5, 1), OFF),
    (date(2024, 5, 2), ON),
    (date(2024, 5, 4), ON),  # make-up Saturday
    (date(2024, 8, 30), ON),
    (date(2024, 9, 2), OFF),
    (date(2024, 9, 3), OFF),  # adjacent day
    (date(2024, 9, 4), ON),
    # 2025 — Tết 25/01–02/02, 30/4–4/5 with 02/05 swapped with Sat 26/04, 2/9 30/08–02/09.
    (date(2025, 1, 1), OFF),
    (date(2025, 1, 24), ON),
    *[(date(2025, 1, d), OFF) for d in range(25, 32)],
    (date(2025, 2, 1), OFF),
    (date(2025, 2, 2), OFF),
    (date(2025, 2, 3), ON),
    (date(2025, 4, 7), OFF),  # Hùng Kings
    (date(2025, 4, 26), ON),  # make-up Saturday
    (date(2025, 4, 30), OFF),
    (date(2025, 5, 1), OFF),
    (date(2025, 5, 2), OFF),
    (date(2025, 5, 5), ON),
    (date(2025, 8, 29), ON),
    (date(2025, 9, 1), OFF),
    (date(2025, 9, 2), OFF),
    (date(2025, 9, 3), ON),
    # 2026 — New Year 01–04/01 with 02/01 swapped with Sat 10/01 (Công văn 12729/VPCP-KGVX),
    # Tết 14–22/02 (Công văn 9859/VPCP-KGVX), Hùng Kings Sun 26/04 → Mon 27/04,
    # 2/9: 29/08–02/09 with Mon 31/08 swapped with Sat 22/08.
    (date(2026, 1, 1), OFF),
    (date(2026, 1, 2), OFF),
    (date(2026, 1, 5), ON),
    (date(2026, 1, 10), ON),  # make-up Saturday
    (date(2026, 2, 13), ON),
    *[(date(2026, 2, d), OFF) for d in range(14, 23)],
    (date(2026, 2, 23), ON),
    (date(2026, 2, 28), OFF),  # no make-up Saturday after Tết 2026
    (date(2026, 4, 24), ON),
    (date(2026, 4, 26), OFF),
    (date(2026, 4, 27), OFF),  # compensatory day for Hùng Kings on a Sunday
    (date(2026, 4, 28), ON),
    (date(2026, 4, 30), OFF),
    (date(2026, 5, 1), OFF),
    (date(2026, 5, 4), ON),
    (date(2026, 8, 22), ON),  # make-up Saturday
    (date(2026, 8, 28), ON),
    (date(2026, 8, 31), OFF),
    (date(2026, 9, 1), OFF),
    (date(2026, 9, 2), OFF),
    (date(2026, 9, 3), ON),
    (date(2026, 11, 24), OFF),  # Ngày Văn hóa Việt Nam (switchable, see culture_day)
]


@pytest.mark.parametrize(("day", "working"), OFFICIAL_DAYS, ids=lambda v: str(v))
def test_official_calendar_matches_the_decisions(day: date, working: bool) -> None:
    assert OFFICIAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 4, 29), ON),  # no government swap under the Labor Code alone
        (date(2024, 5, 4), OFF),
        (date(2025, 4, 26), OFF),
        (date(2025, 5, 2), ON),
        (date(2026, 1, 2), ON),
        (date(2026, 1, 10), OFF),
        (date(2026, 8, 22), OFF),
        (date(2026, 8, 31), ON),
        (date(2026, 2, 17), OFF),  # statutory holidays stay
        (date(2026, 4, 27), OFF),  # and so do compensatory days
        (date(2026, 9, 1), OFF),
    ],
)
def test_labor_code_calendar_has_no_government_swaps(day: date, working: bool) -> None:
    assert LABOR.is_working_day(day) is working


def test_culture_day_is_switchable() -> None:
    without = build_calendar("vn-official", years=[2026], culture_day=False)
    assert OFFICIAL.is_working_day(date(2026, 11, 24)) is False
    assert without.is_working_day(date(2026, 11, 24)) is True
    assert OFFICIAL.day_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


def test_package_still_carries_the_swaps_we_rely_on() -> None:
    """Guards the parsing of ``holidays``' substituted days: if the package renames them, fail."""
    assert package_swaps(2024) == ((date(2024, 4, 29), date(2024, 5, 4)),)
    assert package_swaps(2025) == ((date(2025, 5, 2), date(2025, 4, 26)),)
    assert package_swaps(2026) == ((date(2026, 8, 31), date(2026, 8, 22)),)


def test_overrides_carry_document_numbers() -> None:
    assert OFFICIAL.overrides[date(2024, 4, 29)].reference.startswith("Công văn 2450/VPCP-KGVX")
    assert OFFICIAL.overrides[date(2024, 5, 4)].working is True
    assert (
        OFFICIAL.overrides[date(2026, 1, 2)].reference == "Công văn 12729/VPCP-KGVX ngày 25/12/2025"
    )
    assert OFFICIAL.overrides[date(2026, 8, 22)].reference.startswith("Công văn 9859/VPCP-KGVX")
    assert {d.day for d in BUILTIN_DECISIONS} == {date(2026, 1, 2), date(2026, 1, 10)}


def test_day_reason() -> None:
    assert OFFICIAL.day_reason(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert OFFICIAL.day_reason(date(2026, 2, 17), "en") == "Lunar New Year"
    assert OFFICIAL.day_reason(date(2026, 3, 7)) == WEEKEND == "weekend"
    assert OFFICIAL.day_reason(date(2026, 3, 9)) is None
    assert OFFICIAL.day_reason(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert OFFICIAL.day_reason(date(2026, 1, 2)).startswith("Tết Dương lịch (nghỉ hoán đổi")  # type: ignore[union-attr]
    assert OFFICIAL.day_reason(date(2026, 1, 10)) is None


# --- the worked example -------------------------------------------------------------------------


def test_example_friday_13_02_2026_plus_7_working_days() -> None:
    """Tết 2026 off Mon 16 – Fri 20/02 (weekend either side, no make-up day): the 7th working
    day after Fri 13/02 is Tue 03/03/2026, due stored as 04/03/2026 00:00 +07:00."""
    deadline = OFFICIAL.add_working_days(vn(2026, 2, 13, 10, 30), 7)
    assert deadline.due_at == datetime(2026, 3, 4, tzinfo=VN_TZ)
    assert deadline.due_at.tzinfo is UTC
    assert deadline.due_at == datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    assert deadline.last_day == date(2026, 3, 3)
    assert deadline.due_display() == "24:00 ngày 03/03/2026"
    assert deadline.due_display("en") == "24:00 on 03/03/2026"
    assert deadline.explain() == (
        "nhận thứ Sáu 13/02/2026; bỏ qua 16–20/02 (Tết Nguyên Đán); "
        "ngày làm việc thứ 7 là thứ Ba 03/03/2026; hạn 24:00 ngày 03/03/2026"
    )
    assert deadline.explain("en") == (
        "received Friday 13/02/2026; skipped 16–20/02 (Lunar New Year); "
        "working day 7 is Tuesday 03/03/2026; due 24:00 on 03/03/2026"
    )
    assert deadline.steps == (
        SkippedDays(date(2026, 2, 16), date(2026, 2, 20), "Tết Nguyên Đán", "Lunar New Year"),
    )


# --- Civil Code Art. 147–148 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "last"),
    [
        # the day of receipt never counts, even at 23:59
        (vn(2026, 3, 5, 23, 59), 1, date(2026, 3, 6)),
        (vn(2026, 3, 5, 0, 0), 1, date(2026, 3, 6)),
        # receipt on a Sunday: counting starts Monday
        (vn(2026, 3, 8, 10, 0), 1, date(2026, 3, 9)),
        (vn(2026, 3, 7, 10, 0), 3, date(2026, 3, 11)),
        # Fri 26/04/2024 + 3: 29/04 swapped off, 30/04 and 01/05 holidays, Sat 04/05 worked
        (vn(2024, 4, 26), 3, date(2024, 5, 4)),
        (vn(2024, 4, 26), 1, date(2024, 5, 2)),
        # Fri 25/04/2025 + 1 is the make-up Saturday 26/04; + 3 is Tue 29/04
        (vn(2025, 4, 25), 1, date(2025, 4, 26)),
        (vn(2025, 4, 25), 3, date(2025, 4, 29)),
        (vn(2025, 4, 29), 1, date(2025, 5, 5)),
        # Tết
        (vn(2024, 2, 7), 1, date(2024, 2, 15)),
        (vn(2025, 1, 24), 1, date(2025, 2, 3)),
        (vn(2026, 2, 13), 1, date(2026, 2, 23)),
        # New Year 2026 swap: Wed 31/12/2025 + 1 is Mon 05/01; Fri 09/01 + 1 is Sat 10/01
        (vn(2025, 12, 31), 1, date(2026, 1, 5)),
        (vn(2026, 1, 9), 1, date(2026, 1, 10)),
        # Hùng Kings 2026 on Sunday, compensated Monday 27/04
        (vn(2026, 4, 24), 1, date(2026, 4, 28)),
        (vn(2026, 4, 28), 2, date(2026, 5, 4)),
        # National Day
        (vn(2024, 8, 30), 1, date(2024, 9, 4)),
        (vn(2025, 8, 29), 1, date(2025, 9, 3)),
        (vn(2026, 8, 21), 1, date(2026, 8, 22)),
        (vn(2026, 8, 28), 1, date(2026, 9, 3)),
    ],
)
def test_working_day_deadlines(start: datetime, n: int, last: date) -> None:
    assert due_day(OFFICIAL, start, n) == last


def test_labor_code_counts_without_swaps() -> None:
    assert due_day(LABOR, vn(2024, 4, 26), 3) == date(2024, 5, 3)
    assert due_day(LABOR, vn(2025, 12, 31), 1) == date(2026, 1, 2)


def test_start_in_utc_is_read_in_local_time() -> None:
    # 17:30 UTC on Thu 12/02 is 00:30 on Fri 13/02 in Hanoi: Friday is the day of receipt.
    utc_start = datetime(2026, 2, 12, 17, 30, tzinfo=UTC)
    assert due_day(OFFICIAL, utc_start, 7) == date(2026, 3, 3)
    # 16:59 UTC is still Thursday 23:59 local: Friday counts as day 1.
    assert due_day(OFFICIAL, datetime(2026, 2, 12, 16, 59, tzinfo=UTC), 1) == date(2026, 2, 13)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICIAL.add_working_days(datetime(2026, 2, 13, 9, 0), 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICIAL.add_hours(datetime(2026, 2, 13, 9, 0), 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICIAL.business_time_between(datetime(2026, 2, 13, 9, 0), vn(2026, 2, 14))


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_bad_day_counts_are_refused(n: object) -> None:
    with pytest.raises(ValueError):
        OFFICIAL.add_working_days(vn(2026, 3, 2), n)  # type: ignore[arg-type]


def test_explanations_name_swaps_and_make_up_days() -> None:
    deadline = OFFICIAL.add_working_days(vn(2024, 4, 26), 3)
    assert deadline.explain() == (
        "nhận thứ Sáu 26/04/2024; bỏ qua 29–30/04 (Ngày Chiến thắng), "
        "01/05 (Ngày Quốc tế Lao động); "
        "ngày làm việc thứ 3 là thứ Bảy 04/05/2024 (làm bù); hạn 24:00 ngày 04/05/2024"
    )
    deadline = OFFICIAL.add_working_days(vn(2025, 4, 25), 3)
    assert deadline.explain("en") == (
        "received Friday 25/04/2025; counted Saturday 26/04/2025 (make-up working day); "
        "working day 3 is Tuesday 29/04/2025; due 24:00 on 29/04/2025"
    )
    assert isinstance(deadline.steps[0], MakeupDay)
    deadline = OFFICIAL.add_working_days(vn(2025, 12, 31), 1)
    assert deadline.explain() == (
        "nhận thứ Tư 31/12/2025; bỏ qua 01–02/01/2026 (Tết Dương lịch); "
        "ngày làm việc thứ 1 là thứ Hai 05/01/2026; hạn 24:00 ngày 05/01/2026"
    )


def test_holiday_and_its_compensatory_day_are_grouped_across_the_weekend() -> None:
    # 2027: 1/5 is a Saturday, compensated Monday 3/5.
    deadline = OFFICIAL.add_working_days(vn(2027, 4, 29), 3)
    assert deadline.explain() == (
        "nhận thứ Năm 29/04/2027; bỏ qua 30/04 (Ngày Chiến thắng), "
        "01–03/05 (Ngày Quốc tế Lao động); "
        "ngày làm việc thứ 3 là thứ Năm 06/05/2027; hạn 24:00 ngày 06/05/2027"
    )


# --- pauses in day periods ----------------------------------------------------------------------


def test_a_pause_removes_every_day_it_touches() -> None:
    start = vn(2026, 3, 2, 9, 0)  # Monday
    assert due_day(OFFICIAL, start, 3) == date(2026, 3, 5)
    one_hour = [(vn(2026, 3, 3, 10, 0), vn(2026, 3, 3, 11, 0))]
    deadline = OFFICIAL.add_working_days(start, 3, pauses=one_hour)
    assert deadline.last_day == date(2026, 3, 6)
    assert deadline.steps == (
        PausedSpan(
            one_hour[0][0].astimezone(UTC),
            one_hour[0][1].astimezone(UTC),
            date(2026, 3, 3),
            date(2026, 3, 3),
        ),
    )
    assert deadline.explain() == (
        "nhận thứ Hai 02/03/2026; tạm dừng 10:00 03/03/2026 – 11:00 03/03/2026 "
        "(không tính 03/03); ngày làm việc thứ 3 là thứ Sáu 06/03/2026; hạn 24:00 ngày 06/03/2026"
    )


def test_a_pause_ending_at_midnight_does_not_touch_the_next_day() -> None:
    start = vn(2026, 3, 2, 9, 0)
    pause = [(vn(2026, 3, 3, 10, 0), vn(2026, 3, 4, 0, 0))]
    assert OFFICIAL.add_working_days(start, 3, pauses=pause).last_day == date(2026, 3, 6)
    longer = [(vn(2026, 3, 3, 10, 0), vn(2026, 3, 4, 0, 1))]
    assert OFFICIAL.add_working_days(start, 3, pauses=longer).last_day == date(2026, 3, 9)


def test_pause_on_the_day_of_receipt_or_after_the_deadline_changes_nothing() -> None:
    start = vn(2026, 3, 2, 9, 0)
    plain = OFFICIAL.add_working_days(start, 3)
    same_day = [(vn(2026, 3, 2, 10, 0), vn(2026, 3, 2, 18, 0))]
    later = [(vn(2026, 3, 6, 8, 0), None)]
    assert OFFICIAL.add_working_days(start, 3, pauses=same_day) == plain
    assert OFFICIAL.add_working_days(start, 3, pauses=later).due_at == plain.due_at


def test_open_ended_pause_stops_the_clock() -> None:
    start = vn(2026, 3, 2, 9, 0)
    deadline = OFFICIAL.add_working_days(start, 3, pauses=[(vn(2026, 3, 3, 10, 0), None)])
    assert deadline.due_at is None
    assert deadline.paused
    assert deadline.last_day is None
    assert deadline.due_display() == "đang tạm dừng"
    assert deadline.explain() == (
        "nhận thứ Hai 02/03/2026; tạm dừng từ 10:00 03/03/2026 (chưa kết thúc); "
        "hạn: chưa xác định, đang tạm dừng"
    )
    assert deadline.explain("en") == (
        "received Monday 02/03/2026; paused since 10:00 03/03/2026 (ongoing); "
        "due: not set, clock paused"
    )


def test_pause_before_receipt_that_lasts_into_the_period() -> None:
    start = vn(2026, 3, 2, 9, 0)
    pause = [(vn(2026, 2, 27, 9, 0), vn(2026, 3, 4, 12, 0))]  # covers Tue 3 and Wed 4
    assert OFFICIAL.add_working_days(start, 1, pauses=pause).last_day == date(2026, 3, 5)


def test_bad_pauses_are_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        OFFICIAL.add_working_days(vn(2026, 3, 2), 1, pauses=[(vn(2026, 3, 3), vn(2026, 3, 2))])


# --- hour periods -------------------------------------------------------------------------------


def test_24_hours_span_midnight_and_weekend() -> None:
    deadline = OFFICIAL.add_hours(vn(2026, 2, 13, 14, 5), 24)
    assert deadline.due_at == vn(2026, 2, 14, 14, 5)
    assert deadline.explain() == "nhận 14:05 13/02/2026; 24 giờ; hạn 14:05 14/02/2026"
    assert deadline.explain("en") == "received 14:05 13/02/2026; 24 hours; due 14:05 14/02/2026"
    assert deadline.due_display() == "14:05 ngày 14/02/2026"
    assert deadline.due_display("en") == "14:05 on 14/02/2026"
    assert OFFICIAL.add_hours(vn(2026, 2, 13, 14, 5), 48).due_at == vn(2026, 2, 15, 14, 5)


def test_business_hours_skip_lunch() -> None:
    deadline = OFFICIAL.add_hours(vn(2026, 3, 3, 11, 0), 2, business=True)
    assert deadline.due_at == vn(2026, 3, 3, 14, 30)
    assert deadline.explain() == "nhận 11:00 03/03/2026; 2 giờ làm việc; hạn 14:30 03/03/2026"
    assert deadline.explain("en") == (
        "received 11:00 03/03/2026; 2 working hours; due 14:30 03/03/2026"
    )


def test_business_hours_skip_weekend_and_tet() -> None:
    # Fri 13/02/2026 16:00 → 1.5 h that day; Tết and two weekends; 2.5 h on Mon 23/02.
    deadline = OFFICIAL.add_hours(vn(2026, 2, 13, 16, 0), 4, business=True)
    assert deadline.due_at == vn(2026, 2, 23, 10, 30)


def test_business_hours_start_outside_working_time() -> None:
    assert OFFICIAL.add_hours(vn(2026, 3, 3, 6, 0), 1, business=True).due_at == vn(2026, 3, 3, 9)
    assert OFFICIAL.add_hours(vn(2026, 3, 3, 12, 10), 1, business=True).due_at == vn(
        2026, 3, 3, 14, 30
    )
    assert OFFICIAL.add_hours(vn(2026, 3, 6, 18, 0), 0.5, business=True).due_at == vn(
        2026, 3, 9, 8, 30
    )
    # a make-up Saturday uses the Monday hours
    assert OFFICIAL.add_hours(vn(2026, 1, 9, 17, 0), 1, business=True).due_at == vn(
        2026, 1, 10, 8, 30
    )
    # ending exactly at the end of an interval
    assert OFFICIAL.add_hours(vn(2026, 3, 3, 16, 30), 1, business=True).due_at == vn(
        2026, 3, 3, 17, 30
    )


def test_zero_hours_is_the_start() -> None:
    start = vn(2026, 3, 7, 10, 0)
    assert OFFICIAL.add_hours(start, 0, business=True).due_at == start
    assert OFFICIAL.add_hours(start, 0).due_at == start


def test_pauses_shift_hour_deadlines() -> None:
    start = vn(2026, 2, 13, 14, 5)
    pause = [(vn(2026, 2, 13, 15, 0), vn(2026, 2, 13, 17, 0))]
    deadline = OFFICIAL.add_hours(start, 24, pauses=pause)
    assert deadline.due_at == vn(2026, 2, 14, 16, 5)
    assert deadline.explain() == (
        "nhận 14:05 13/02/2026; 24 giờ; tạm dừng 15:00 13/02/2026 – 17:00 13/02/2026; "
        "hạn 16:05 14/02/2026"
    )
    # a pause outside working hours does not move a business-hour deadline
    night = [(vn(2026, 3, 3, 18, 0), vn(2026, 3, 4, 7, 0))]
    assert OFFICIAL.add_hours(vn(2026, 3, 3, 17, 0), 1, business=True, pauses=night).due_at == vn(
        2026, 3, 4, 8, 30
    )
    # one inside working hours does
    lunch_meeting = [(vn(2026, 3, 4, 8, 0), vn(2026, 3, 4, 9, 0))]
    assert OFFICIAL.add_hours(
        vn(2026, 3, 3, 17, 0), 1, business=True, pauses=lunch_meeting
    ).due_at == vn(2026, 3, 4, 9, 30)
    # open-ended
    assert OFFICIAL.add_hours(start, 24, pauses=[(vn(2026, 2, 14, 0, 0), None)]).due_at is None
    assert OFFICIAL.add_hours(start, 1, pauses=[(vn(2026, 2, 14, 0, 0), None)]).due_at == vn(
        2026, 2, 13, 15, 5
    )


def test_fractional_hours_are_written_per_language() -> None:
    deadline = OFFICIAL.add_hours(vn(2026, 3, 3, 9, 0), 1.5)
    assert deadline.explain() == "nhận 09:00 03/03/2026; 1,5 giờ; hạn 10:30 03/03/2026"
    assert deadline.explain("en") == "received 09:00 03/03/2026; 1.5 hours; due 10:30 03/03/2026"
    one = OFFICIAL.add_hours(vn(2026, 3, 3, 9, 0), 1, business=True)
    assert "1 working hour;" in one.explain("en")


def test_business_time_between() -> None:
    a, b = vn(2026, 3, 3, 11, 0), vn(2026, 3, 3, 14, 30)
    assert OFFICIAL.business_time_between(a, b) == timedelta(hours=2)
    assert OFFICIAL.business_time_between(b, a) == timedelta(0)
    week = OFFICIAL.business_time_between(vn(2026, 3, 2, 0, 0), vn(2026, 3, 9, 0, 0))
    assert week == timedelta(hours=40)
    tet = OFFICIAL.business_time_between(vn(2026, 2, 14, 0, 0), vn(2026, 2, 23, 0, 0))
    assert tet == timedelta(0)
    paused = [(vn(2026, 3, 3, 11, 30), vn(2026, 3, 3, 13, 45))]
    assert OFFICIAL.business_time_between(a, b, pauses=paused) == timedelta(hours=1, minutes=15)


def test_working_days_between() -> None:
    assert OFFICIAL.working_days_between(date(2026, 2, 13), date(2026, 3, 3)) == 7
    assert OFFICIAL.working_days_between(date(2026, 3, 3), date(2026, 2, 13)) == -7
    assert OFFICIAL.working_days_between(date(2026, 3, 3), date(2026, 3, 3)) == 0


# --- always-open calendar ---------------------------------------------------------------------


def test_24x7_counts_every_day_and_every_hour() -> None:
    assert ALWAYS.is_working_day(date(2026, 2, 17))
    assert due_day(ALWAYS, vn(2026, 2, 13, 23, 0), 3) == date(2026, 2, 16)
    assert ALWAYS.add_hours(vn(2026, 2, 13, 14, 5), 24, business=True).due_at == vn(
        2026, 2, 14, 14, 5
    )
    pause = [(vn(2026, 2, 13, 15, 0), vn(2026, 2, 13, 16, 0))]
    assert ALWAYS.business_time_between(
        vn(2026, 2, 13, 14, 0), vn(2026, 2, 14, 14, 0), pauses=pause
    ) == timedelta(hours=23)
    assert ALWAYS.day_reason(date(2026, 2, 17)) is None


def test_24x7_takes_no_days_off() -> None:
    with pytest.raises(ValueError, match="always open"):
        build_calendar(
            "24x7", years=[2026], org_overrides=[DayOverride(date(2026, 5, 1), False, "Nghỉ")]
        )
    with pytest.raises(ValueError, match="always-open"):
        WorkingCalendar(slug="x", always_open=True, holidays={date(2026, 1, 1): "Tết"})


# --- organisation calendars, years and validation ---------------------------------------------


def test_org_overrides_win() -> None:
    company = build_calendar(
        "vn-official",
        years=[2026],
        org_overrides=[
            DayOverride(
                date(2026, 3, 9), False, "Kỷ niệm thành lập công ty", name_en="Company day"
            ),
            DayOverride(date(2026, 8, 22), False, "Không làm bù"),
        ],
    )
    assert not company.is_working_day(date(2026, 3, 9))
    assert company.day_reason(date(2026, 3, 9), "en") == "Company day"
    assert not company.is_working_day(date(2026, 8, 22))
    added = company.with_overrides([DayOverride(date(2026, 3, 10), False, "Mất điện")])
    assert not added.is_working_day(date(2026, 3, 10))
    assert company.is_working_day(date(2026, 3, 10))


def test_custom_weekly_hours_with_end_of_day_interval() -> None:
    # Mon–Sat 08:00–12:00 and 22:00–24:00 (time(0, 0) as the end means 24:00)
    weekly = {wd: ((time(8), time(12)), (time(22), time(0))) for wd in range(6)}
    cal = build_calendar("vn-labor-code", years=[2026], weekly=weekly)
    assert cal.is_working_day(date(2026, 3, 7))  # Saturday now works
    assert not cal.is_working_day(date(2026, 3, 8))
    assert cal.add_hours(vn(2026, 3, 2, 23, 0), 1, business=True).due_at == vn(2026, 3, 3, 0, 0)
    assert cal.add_hours(vn(2026, 3, 2, 23, 0), 2, business=True).due_at == vn(2026, 3, 3, 9, 0)
    day = cal.business_time_between(vn(2026, 3, 2, 0, 0), vn(2026, 3, 3, 0, 0))
    assert day == timedelta(hours=6)


@pytest.mark.parametrize(
    "weekly",
    [
        {0: ((time(8), time.max),)},
        {0: ((time(12), time(8)),)},
        {0: ((time(8), time(12)), (time(11), time(13)))},
        {7: ((time(8), time(12)),)},
    ],
)
def test_bad_weekly_hours_are_refused(weekly: dict[int, tuple[tuple[time, time], ...]]) -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(slug="bad", weekly=weekly)


def test_unknown_slug() -> None:
    with pytest.raises(ValueError, match="unknown calendar slug"):
        build_calendar("vn-private", years=[2026])


def test_years_outside_the_built_range_are_added_on_demand() -> None:
    cal = build_calendar("vn-official", years=[2026])
    # late December 2026 walks into 2027; a 2030 and a 2020 start need whole new years
    assert due_day(cal, vn(2026, 12, 30), 3) == date(2027, 1, 5)
    assert due_day(cal, vn(2035, 12, 28), 5) == date(2036, 1, 7)  # Fri; Tue 01/01 is off
    assert due_day(cal, vn(2020, 1, 17), 1) == date(2020, 1, 20)
    assert not cal.is_working_day(date(2020, 1, 24))  # Tết Canh Tý 2020
    assert not cal.is_working_day(date(2031, 9, 2))
    assert (
        cal.add_working_days(vn(2026, 3, 2), 600).last_day
        == OFFICIAL.add_working_days(vn(2026, 3, 2), 600).last_day
    )


def test_calendar_without_any_working_day_raises_instead_of_looping() -> None:
    cal = WorkingCalendar(slug="closed", weekly={})
    with pytest.raises(ValueError, match="no working day"):
        cal.add_working_days(vn(2026, 3, 2), 1)
    with pytest.raises(ValueError, match="no working time"):
        cal.add_hours(vn(2026, 3, 2), 1, business=True)


MON_TO_SAT = {**OFFICE_HOURS, 5: OFFICE_HOURS[0]}


@pytest.mark.parametrize(
    ("day", "default_week", "mon_to_sat"),
    [
        # 01/05/2027 is a Saturday: a day off in lieu for a Mon–Fri week only.
        (date(2027, 5, 3), "Ngày Quốc tế Lao động (nghỉ bù)", None),
        (date(2028, 1, 3), "Tết Dương lịch (nghỉ bù)", None),
        (date(2028, 9, 4), "Quốc khánh (nghỉ bù)", None),
        # 02/09/2029 is a Sunday, a rest day of both weeks (Mon 03/09 is the second day of the
        # holiday): Tuesday is off in both.
        (date(2029, 9, 4), "Quốc khánh (nghỉ bù)", "Quốc khánh (nghỉ bù)"),
        # Tết 2027 (Sat 06/02 – Tue 09/02 after the eve): Sat and Sun rest for a Mon–Fri week
        # (two days in lieu, as announced: Thu 04/02 and Wed 10/02); only Sun for Mon–Sat.
        (date(2027, 2, 4), "Tết Nguyên Đán", None),
        (date(2027, 2, 10), "Tết Nguyên Đán", "Tết Nguyên Đán (nghỉ bù)"),
        (date(2027, 2, 11), None, None),
    ],
)
def test_days_in_lieu_follow_the_calendars_own_rest_days(day, default_week, mon_to_sat) -> None:
    """Labor Code Art. 111(3): a holiday on a weekly rest day gives a day off on the next
    working day — for an organisation working Saturdays, only a holiday on Sunday does."""
    years = [day.year]
    assert build_calendar("vn-labor-code", years=years).day_reason(day) == default_week
    weekly = build_calendar("vn-labor-code", years=years, weekly=MON_TO_SAT)
    assert weekly.day_reason(day) == mon_to_sat


def test_a_saturday_working_organisation_counts_the_saturday_after_a_holiday() -> None:
    received = datetime(2027, 4, 29, 10, tzinfo=VN_TZ)  # Thu; Fri 30/04 and Sat 01/05 are off
    default = build_calendar("vn-labor-code", years=[2027]).add_working_days(received, 3)
    weekly = build_calendar("vn-labor-code", years=[2027], weekly=MON_TO_SAT)
    assert default.due_display() == "24:00 ngày 06/05/2027"  # Tue 04, Wed 05, Thu 06
    assert weekly.add_working_days(received, 3).due_display() == "24:00 ngày 05/05/2027"
