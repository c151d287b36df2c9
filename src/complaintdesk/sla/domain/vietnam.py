"""Built-in Vietnamese calendars, built from the ``holidays`` package plus government decisions.

Slugs
-----
``vn-official``
    Public-sector calendar: statutory holidays with compensatory days (Labor Code 2019
    Art. 111–112, from ``holidays``), the government's day swaps (*hoán đổi ngày làm việc*) known
    to ``holidays``, plus :data:`BUILTIN_DECISIONS` and any later decisions an administrator adds.
    Make-up Saturdays (*làm bù*) are working days. Mon–Fri 08:00–12:00, 13:30–17:30 by default.
``vn-labor-code``
    Statutory holidays and compensatory days only: no government swaps (private employers need
    not follow them). Same default hours.
``24x7``
    Always open, no holidays.

What was checked (2024–2026) and where
--------------------------------------
Each public-sector holiday schedule below was compared with ``holidays`` 0.109
(``holidays.country_holidays("VN", years=…, language="vi")``; make-up days appear there only as
"Ngày nghỉ (thay cho ngày dd/mm/yyyy)" entries, and in ``weekend_workdays``). Sources: the
government documents named, as reported by the Government portal (baochinhphu.vn), VietnamNews,
SGGP, Báo Pháp luật, TTXVN/Vietnam+ and provincial government sites.

2024
  * Tết: Thu 08/02 – Wed 14/02/2024 (5 Tết days + 2 compensatory days for Sat 10 and Sun 11),
    **no make-up Saturday** — Công văn 8662/VPCP-KGVX (03/11/2023), Thông báo 5015/TB-LĐTBXH
    (22/11/2023). Package: same days.
  * Hùng Kings Thu 18/04/2024. Package: same.
  * 30/4–1/5: Mon 29/04 swapped with Sat 04/05/2024 (off Sat 27/04 – Wed 01/05) — Công văn
    2450/VPCP-KGVX (12/04/2024). Package: same swap.
  * National Day: Sat 31/08 – Tue 03/09/2024 (2/9 + 3/9) — same documents as Tết. Package: same.
2025
  * Tết: Sat 25/01 – Sun 02/02/2025 (Mon 27/01 – Fri 31/01 off, no make-up day) — Công văn
    8726/VPCP-KGVX (26/11/2024) and Thông báo 6150/TB-LĐTBXH (2024). Package: 27/01–01/02.
  * Hùng Kings Mon 07/04/2025. Package: same.
  * 30/4–1/5: Fri 02/05 swapped with Sat 26/04/2025 (off Wed 30/04 – Sun 04/05) — same documents.
    Package: same swap.
  * National Day: Sat 30/08 – Tue 02/09/2025 (1/9 + 2/9). Package: same.
2026
  * New Year: Thu 01/01 – Sun 04/01/2026, **Fri 02/01 swapped with Sat 10/01/2026** — Công văn
    12729/VPCP-KGVX (25/12/2025). **Missing from the package**: in :data:`BUILTIN_DECISIONS`.
  * Tết: Sat 14/02 – Sun 22/02/2026 (Mon 16/02 – Fri 20/02 off: 5 Tết days + 4 weekend days, no
    make-up day) — Công văn 9859/VPCP-KGVX (13/10/2025) on the Ministry of Home Affairs' proposal
    8764/BNV-CVL. Package: 16–20/02. (So "received Fri 13/02/2026 + 7 working days" ends at
    24:00 Tue 03/03/2026.)
  * Hùng Kings falls on Sun 26/04/2026: compensatory day Mon 27/04 (Labor Code Art. 111(3)).
    Package: same. 30/4 (Thu) and 1/5 (Fri): no swap reported. Package: same.
  * National Day: Sat 29/08 – Wed 02/09/2026; Mon 31/08 swapped with Sat 22/08/2026; 1/9 is the
    adjacent day — Công văn 9859/VPCP-KGVX. Package: same swap.
  * 24/11 "Ngày Văn hóa Việt Nam": the package has it from 2026 (Politburo Resolution
    80-NQ/TW). *Unsure*: as of early 2026 the Labor Code amendment that makes it a paid holiday
    was still being drafted — hence the ``culture_day`` switch.

Unsure / to re-check when a new decision is published: the date of Thông báo 6150/TB-LĐTBXH; the
Ministry of Home Affairs' own announcement numbers for 2026 (the decisions are cited by the
Government Office letters above). Later decisions need no release: pass them as ``decisions`` /
``org_overrides`` (or :meth:`WorkingCalendar.with_overrides`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from complaintdesk.sla.domain.calendar import (
    DEFAULT_TZ,
    OFFICE_HOURS,
    DayOverride,
    Interval,
    WorkingCalendar,
    YearRules,
)

__all__ = [
    "BUILTIN_DECISIONS",
    "PACKAGE_SWAP_NOTES",
    "SLUGS",
    "VN_TZ",
    "GovernmentDecision",
    "SwapNote",
    "build_calendar",
    "package_swaps",
]

VN_TZ: Final = DEFAULT_TZ
SLUGS: Final = ("vn-official", "vn-labor-code", "24x7")

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
#: How ``holidays`` names a swapped day off (language "vi"): "Ngày nghỉ (thay cho ngày 04/05/2024)".
_SUBSTITUTED: Final = re.compile(r"^Ngày nghỉ \(thay cho ngày (\d{2})/(\d{2})/(\d{4})\)$")
_CULTURE_DAY_VI: Final = "Ngày Văn hóa Việt Nam"
_TET_VI: Final = "Tết Nguyên Đán"
_TET_EN: Final = "Lunar New Year"
_ALL_DAY: Final = (time(0, 0), time(0, 0))


@dataclass(frozen=True, slots=True)
class GovernmentDecision:
    """A weekday off or a Saturday worked, decided by the government for the public sector."""

    day: date
    working: bool
    name: str
    reference: str
    name_en: str = ""

    def as_override(self) -> DayOverride:
        return DayOverride(self.day, self.working, self.name, self.reference, self.name_en)


_NEW_YEAR_2026: Final = "Công văn 12729/VPCP-KGVX ngày 25/12/2025"

#: Decisions the ``holidays`` package lacks or states differently (see the module docstring).
BUILTIN_DECISIONS: Final[tuple[GovernmentDecision, ...]] = (
    GovernmentDecision(
        date(2026, 1, 2),
        False,
        "Tết Dương lịch (nghỉ hoán đổi, làm bù thứ Bảy 10/01/2026)",
        _NEW_YEAR_2026,
        "New Year's Day (swapped day off, made up on Saturday 10/01/2026)",
    ),
    GovernmentDecision(
        date(2026, 1, 10),
        True,
        "Làm bù cho thứ Sáu 02/01/2026",
        _NEW_YEAR_2026,
        "Make-up working day for Friday 02/01/2026",
    ),
)


@dataclass(frozen=True, slots=True)
class SwapNote:
    """Document number and holiday context of a swap that ``holidays`` already contains."""

    reference: str
    holiday: str
    holiday_en: str


#: Keyed by the swapped day off. The package has these swaps but not their documents.
PACKAGE_SWAP_NOTES: Final[Mapping[date, SwapNote]] = MappingProxyType(
    {
        date(2024, 4, 29): SwapNote(
            "Công văn 2450/VPCP-KGVX ngày 12/04/2024",
            "Ngày Chiến thắng",
            "Liberation Day/Reunification Day",
        ),
        date(2025, 5, 2): SwapNote(
            "Thông báo 6150/TB-LĐTBXH; Công văn 8726/VPCP-KGVX ngày 26/11/2024",
            "Ngày Quốc tế Lao động",
            "International Labor Day",
        ),
        date(2026, 8, 31): SwapNote(
            "Công văn 9859/VPCP-KGVX ngày 13/10/2025",
            "Quốc khánh",
            "National Day",
        ),
    }
)


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


@lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[tuple[date, str, str], ...]:
    """(day, Vietnamese name, English name) of every entry ``holidays`` has for ``year``."""
    vi = holidays_lib.country_holidays("VN", years=year, language="vi")
    en = holidays_lib.country_holidays("VN", years=year, language="en_US")
    return tuple(sorted((d, str(name), str(en.get(d, name))) for d, name in vi.items()))


def package_swaps(year: int) -> tuple[tuple[date, date], ...]:
    """The (day off, make-up day) swaps ``holidays`` lists for days off in ``year``."""
    swaps: list[tuple[date, date]] = []
    for day, vi, _ in _package_year(year):
        match = _SUBSTITUTED.match(vi)
        if match:
            dd, mm, yyyy = (int(g) for g in match.groups())
            swaps.append((day, date(yyyy, mm, dd)))
    return tuple(swaps)


def _swap_overrides(off: date, makeup: date) -> tuple[DayOverride, DayOverride]:
    note = PACKAGE_SWAP_NOTES.get(off)
    when_vi = f"{_WEEKDAYS_VI[makeup.weekday()]} {_fmt(makeup)}"
    when_en = f"{_WEEKDAYS_EN[makeup.weekday()]} {_fmt(makeup)}"
    head_vi = note.holiday if note else "Ngày nghỉ"
    head_en = note.holiday_en if note else "Day off"
    reference = note.reference if note else ""
    day_off = DayOverride(
        off,
        False,
        f"{head_vi} (nghỉ hoán đổi, làm bù {when_vi})",
        reference,
        f"{head_en} (swapped day off, made up on {when_en})",
    )
    worked = DayOverride(
        makeup,
        True,
        f"Làm bù cho {_WEEKDAYS_VI[off.weekday()]} {_fmt(off)}",
        reference,
        f"Make-up working day for {_WEEKDAYS_EN[off.weekday()]} {_fmt(off)}",
    )
    return day_off, worked


def _normalise_name(vi: str, en: str) -> tuple[str, str]:
    """Every Tết day (eve, 29 Tết, mùng 1–5, compensatory days) is simply "Tết Nguyên Đán"."""
    if _TET_EN in en:
        return _TET_VI, _TET_EN
    return vi, en


SAT_SUN = frozenset({5, 6})


@lru_cache(maxsize=256)
def _package_statutory_year(year: int) -> tuple[tuple[date, str, str], ...]:
    """The holidays themselves, without the compensatory days ``holidays`` adds for a
    Saturday–Sunday week (``observed=False``)."""
    vi = holidays_lib.country_holidays("VN", years=year, language="vi", observed=False)
    en = holidays_lib.country_holidays("VN", years=year, language="en_US", observed=False)
    return tuple(sorted((d, str(name), str(en.get(d, name))) for d, name in vi.items()))


def _compensate(
    holidays: dict[date, str], names_en: dict[str, str], rest_days: frozenset[int]
) -> None:
    """Labor Code Art. 111(3): a holiday on a weekly rest day gives a day off on the next
    working day — the calendar's own rest days, not Saturday–Sunday."""
    taken: set[date] = set()
    for day in sorted(holidays):
        if day.weekday() not in rest_days:
            continue
        name = holidays[day]
        nxt = day + timedelta(days=1)
        while nxt.weekday() in rest_days or nxt in holidays or nxt in taken:
            nxt += timedelta(days=1)
        taken.add(nxt)
        label = f"{name} (nghỉ bù)"
        names_en[label] = f"{names_en.get(name, name)} (observed)"
        holidays[nxt] = label


@lru_cache(maxsize=512)
def _year_rules(
    year: int, official: bool, culture_day: bool, rest_days: frozenset[int] = SAT_SUN
) -> YearRules:
    holidays: dict[date, str] = {}
    names_en: dict[str, str] = {}
    # ``holidays`` adds the compensatory days of a Saturday–Sunday week (as the government's
    # announcements do, Tết included); another week gets the statutory days and the Labor
    # Code's rule applied to its own rest days.
    entries = _package_year(year) if rest_days == SAT_SUN else _package_statutory_year(year)
    for day, vi, en in entries:
        if _SUBSTITUTED.match(vi):
            continue  # a government swap: only in vn-official, as overrides below
        if not culture_day and vi.startswith(_CULTURE_DAY_VI):
            continue
        name, name_en = _normalise_name(vi, en)
        holidays[day] = name
        names_en[name] = name_en
    if rest_days != SAT_SUN:
        _compensate(holidays, names_en, rest_days)
    overrides: dict[date, DayOverride] = {}
    if official:
        # A make-up day may lie in the year before or after its day off.
        for y in (year - 1, year, year + 1):
            if not 1 <= y <= 9999:
                continue
            for off, makeup in package_swaps(y):
                for override in _swap_overrides(off, makeup):
                    if override.day.year == year:
                        overrides[override.day] = override
    return YearRules(
        MappingProxyType(holidays), MappingProxyType(overrides), MappingProxyType(names_en)
    )


@dataclass(frozen=True, slots=True)
class _VietnamYears:
    """Year source of the built-in calendars (hashable, so rules are cached per year)."""

    official: bool
    culture_day: bool
    rest_days: frozenset[int] = SAT_SUN

    def __call__(self, year: int) -> YearRules:
        return _year_rules(year, self.official, self.culture_day, self.rest_days)


def build_calendar(
    slug: str,
    *,
    years: Iterable[int],
    decisions: Iterable[GovernmentDecision] = BUILTIN_DECISIONS,
    org_overrides: Iterable[DayOverride] = (),
    culture_day: bool = True,
    weekly: Mapping[int, Iterable[Interval]] | None = None,
    tz: ZoneInfo = VN_TZ,
) -> WorkingCalendar:
    """Build one of :data:`SLUGS`.

    ``years`` are built eagerly; any other year is added on demand when a computation reaches
    it. ``decisions`` apply to ``vn-official`` only; ``org_overrides`` (the organisation's own
    days) win over everything. ``culture_day`` keeps or drops 24/11 "Ngày Văn hóa Việt Nam".
    ``weekly`` replaces the default office hours (:data:`OFFICE_HOURS`).
    """
    extra = tuple(org_overrides)
    if slug == "24x7":
        if extra:
            raise ValueError("the 24x7 calendar is always open: it takes no day overrides")
        return WorkingCalendar(
            slug=slug, tz=tz, weekly={wd: (_ALL_DAY,) for wd in range(7)}, always_open=True
        )
    if slug not in ("vn-official", "vn-labor-code"):
        raise ValueError(f"unknown calendar slug {slug!r}; expected one of {', '.join(SLUGS)}")
    official = slug == "vn-official"
    given: Mapping[int, Iterable[Interval]] = OFFICE_HOURS if weekly is None else weekly
    hours = {wd: tuple(spans) for wd, spans in given.items()}
    rest_days = frozenset(wd for wd in range(7) if not hours.get(wd))
    source = _VietnamYears(official, culture_day, rest_days)
    built = frozenset(years)
    holidays: dict[date, str] = {}
    names_en: dict[str, str] = {}
    overrides: dict[date, DayOverride] = {}
    for year in sorted(built):
        rules = source(year)
        holidays.update(rules.holidays)
        names_en.update(rules.names_en)
        overrides.update(rules.overrides)
    if official:
        for decision in decisions:
            overrides[decision.day] = decision.as_override()
    for override in extra:
        overrides[override.day] = override
    return WorkingCalendar(
        slug=slug,
        tz=tz,
        weekly=hours,
        holidays=holidays,
        overrides=overrides,
        names_en=names_en,
        year_source=source,
        source_years=built,
    )
