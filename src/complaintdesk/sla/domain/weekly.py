"""Weekly working hours as an administrator writes them, parsed into calendar intervals.

Pure Python. The stored form (``Calendar.weekly``) is a JSON object from weekday keys to lists
of ``"HH:MM-HH:MM"`` strings::

    {"mon": ["08:00-12:00", "13:30-17:30"], "sat": ["08:00-12:00"]}

A weekday left out is a weekly rest day; ``"24:00"`` ends an interval at midnight; an empty
object means "the base calendar's default hours". Errors name the key and carry Vietnamese and
English text, e.g. ``weekly.sat[0]: …``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Final

from complaintdesk.sla.domain.calendar import Interval

__all__ = ["WEEKDAY_KEYS", "WeeklyInvalid", "format_weekly", "parse_weekly"]

WEEKDAY_KEYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class WeeklyInvalid(ValueError):
    def __init__(self, path: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{path}: {message_en}")
        self.path = path
        self.message_vi = message_vi
        self.message_en = message_en

    def __str__(self) -> str:
        return f"{self.path}: {self.message_en}"


def _time(hh: str, mm: str, *, end: bool) -> time | None:
    h, m = int(hh), int(mm)
    if end and (h, m) == (24, 0):
        return time(0, 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def _minutes(t: time, *, end: bool) -> int:
    value = t.hour * 60 + t.minute
    return 24 * 60 if end and value == 0 else value


def parse_weekly(data: object, *, path: str = "weekly") -> dict[int, tuple[Interval, ...]]:
    """``{"mon": ["08:00-12:00"]}`` → ``{0: ((time(8), time(12)),)}``; raises :class:`WeeklyInvalid`."""
    if not isinstance(data, Mapping):
        raise WeeklyInvalid(
            path,
            'phải là một đối tượng, ví dụ {"mon": ["08:00-12:00"]}',
            'must be an object, e.g. {"mon": ["08:00-12:00"]}',
        )
    out: dict[int, tuple[Interval, ...]] = {}
    for key, spans in data.items():
        where = f"{path}.{key}"
        if key not in WEEKDAY_KEYS:
            raise WeeklyInvalid(
                where,
                f"ngày không hợp lệ; dùng một trong {', '.join(WEEKDAY_KEYS)}",
                f"unknown weekday; use one of {', '.join(WEEKDAY_KEYS)}",
            )
        if not isinstance(spans, list):
            raise WeeklyInvalid(
                where,
                'phải là danh sách, ví dụ ["08:00-12:00"]',
                'must be a list, e.g. ["08:00-12:00"]',
            )
        parsed: list[Interval] = []
        last_end = -1
        for i, span in enumerate(spans):
            at = f"{where}[{i}]"
            match = _SPAN.match(span) if isinstance(span, str) else None
            if match is None:
                raise WeeklyInvalid(at, 'cần dạng "HH:MM-HH:MM"', 'expected "HH:MM-HH:MM"')
            start = _time(match[1], match[2], end=False)
            stop = _time(match[3], match[4], end=True)
            if start is None or stop is None:
                raise WeeklyInvalid(at, "giờ không hợp lệ", "invalid time of day")
            lo, hi = _minutes(start, end=False), _minutes(stop, end=True)
            if lo >= hi:
                raise WeeklyInvalid(
                    at, "giờ kết thúc phải sau giờ bắt đầu", "the end must be after the start"
                )
            if lo < last_end:
                raise WeeklyInvalid(
                    at,
                    "các khoảng giờ phải theo thứ tự và không chồng nhau",
                    "intervals must be in order and must not overlap",
                )
            last_end = hi
            parsed.append((start, stop))
        out[WEEKDAY_KEYS.index(key)] = tuple(parsed)
    if data and not any(out.values()):
        raise WeeklyInvalid(
            path,
            "cần ít nhất một khoảng giờ làm việc trong tuần",
            "at least one working interval is needed in the week",
        )
    return out


def format_weekly(weekly: Mapping[int, tuple[Interval, ...]]) -> dict[str, list[str]]:
    """The inverse of :func:`parse_weekly` (for showing a calendar's default hours)."""

    def hhmm(t: time, *, end: bool) -> str:
        return "24:00" if end and t == time(0, 0) else f"{t.hour:02d}:{t.minute:02d}"

    return {
        WEEKDAY_KEYS[wd]: [f"{hhmm(a, end=False)}-{hhmm(b, end=True)}" for a, b in spans]
        for wd, spans in sorted(weekly.items())
        if spans
    }
