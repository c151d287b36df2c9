"""Weekly working hours as administrators write them."""

from __future__ import annotations

from datetime import time

import pytest

from complaintdesk.sla.domain.weekly import WeeklyInvalid, format_weekly, parse_weekly


def test_several_intervals_a_day_and_a_half_day_saturday():
    weekly = parse_weekly({"mon": ["08:00-12:00", "13:30-17:30"], "sat": ["08:00 – 12:00"]})

    assert weekly == {
        0: ((time(8), time(12)), (time(13, 30), time(17, 30))),
        5: ((time(8), time(12)),),
    }
    assert format_weekly(weekly) == {"mon": ["08:00-12:00", "13:30-17:30"], "sat": ["08:00-12:00"]}


def test_24_00_ends_the_day():
    assert parse_weekly({"sun": ["18:00-24:00"]}) == {6: ((time(18), time(0)),)}


@pytest.mark.parametrize(
    ("data", "path", "en"),
    [
        ([], "weekly", 'must be an object, e.g. {"mon": ["08:00-12:00"]}'),
        (
            {"monday": []},
            "weekly.monday",
            "unknown weekday; use one of mon, tue, wed, thu, fri, sat, sun",
        ),
        ({"mon": "08:00-12:00"}, "weekly.mon", 'must be a list, e.g. ["08:00-12:00"]'),
        ({"mon": ["8h-12h"]}, "weekly.mon[0]", 'expected "HH:MM-HH:MM"'),
        ({"mon": ["08:00-25:00"]}, "weekly.mon[0]", "invalid time of day"),
        ({"mon": ["12:00-08:00"]}, "weekly.mon[0]", "the end must be after the start"),
        (
            {"mon": ["08:00-12:00", "11:00-13:00"]},
            "weekly.mon[1]",
            "intervals must be in order and must not overlap",
        ),
        ({"mon": []}, "weekly", "at least one working interval is needed in the week"),
    ],
)
def test_mistakes_name_their_place(data, path, en):
    with pytest.raises(WeeklyInvalid) as info:
        parse_weekly(data)
    assert (info.value.path, info.value.message_en) == (path, en)
    assert info.value.message_vi
