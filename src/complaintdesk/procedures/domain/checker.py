"""The checks behind :func:`procedures.domain.parse.parse_definition`.

:class:`Checker` collects every problem with its path in the definition and a Vietnamese and
an English message; each method checks one part (a mapping's keys, a period, a clock, an
escalation chain, a step) and returns what it could build, or ``None``.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any

from complaintdesk.sla.domain.clocks import ClockSpec, EscalationLevel, Period, Warning

from . import vocabulary as v
from .definition import ClockDefinition, DefinitionError, Step

__all__ = ["CLOCK_KEYS", "STEP_KEYS", "TOP_KEYS", "Checker", "choices"]

TOP_KEYS = (
    "slug",
    "name",
    "name_en",
    "description",
    "source",
    "calendar",
    "channels",
    "priority",
    "steps",
    "clocks",
    "escalation",
    "notices",
)
CLOCK_KEYS = (
    "name",
    "label",
    "label_en",
    "description",
    "start",
    "channels",
    "stop",
    "target",
    "calendar",
    "pause_on",
    "warning",
    "escalation",
)
STEP_KEYS = ("key", "name", "name_en", "actor", "actions", "description")


def choices(items: Collection[str]) -> str:
    return ", ".join(items)


def _hint(word: str, allowed: Collection[str]) -> str | None:
    """The allowed word the writer probably meant ("recieved" → "received", "days" →
    "working_days"), or None."""
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    if close:
        return close[0]
    containing = [a for a in allowed if len(word) >= 3 and word in a]
    return containing[0] if len(containing) == 1 else None


class Checker:
    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []

    def err(self, path: str, vi: str, en: str) -> None:
        self.errors.append(DefinitionError(path, vi, en))

    # -- shapes ------------------------------------------------------------------------------

    def mapping(self, value: Any, path: str, allowed: Collection[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.err(
                path,
                "cần một đối tượng (các cặp khóa: giá trị)",
                "expected an object (key: value pairs)",
            )
            return None
        for key in value:
            if isinstance(key, bool):
                self.err(
                    path,
                    f"khóa {key!r}: trong YAML on/off/yes/no là giá trị đúng/sai; "
                    "hãy đặt trong dấu nháy",
                    f"key {key!r}: in YAML on/off/yes/no are booleans; quote them",
                )
            elif key not in allowed:
                hint = _hint(str(key), allowed)
                more_vi = f" (có phải {hint!r}?)" if hint else ""
                more_en = f" (did you mean {hint!r}?)" if hint else ""
                self.err(
                    f"{path}.{key}" if path else str(key),
                    f"khóa không được hỗ trợ{more_vi}; dùng: {choices(allowed)}",
                    f"unknown key{more_en}; use: {choices(allowed)}",
                )
        return value

    def text(
        self,
        m: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        max_len: int = 200,
    ) -> str:
        where = f"{path}.{key}" if path else key
        value = m.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(where, "bắt buộc", "required")
            return ""
        if not isinstance(value, str):
            self.err(where, "cần một chuỗi ký tự", "expected a text")
            return ""
        if len(value) > max_len:
            self.err(
                where,
                f"quá dài (tối đa {max_len} ký tự)",
                f"too long (at most {max_len} characters)",
            )
        return value.strip()

    def slug(self, value: Any, where: str, *, required: bool = True) -> str:
        if value is None or value == "":
            if required:
                self.err(where, "bắt buộc", "required")
            return ""
        if not isinstance(value, str) or not v.SLUG.match(value) or len(value) > 60:
            self.err(
                where,
                f"mã không hợp lệ {value!r}: chỉ chữ thường, số, '-' và '_'",
                f"invalid identifier {value!r}: lower-case letters, digits, '-' and '_' only",
            )
            return ""
        return value

    def names(
        self,
        value: Any,
        where: str,
        allowed: Collection[str],
        what: tuple[str, str],
        *,
        required: bool = False,
    ) -> tuple[str, ...]:
        if value is None:
            if required:
                self.err(where, "bắt buộc", "required")
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.err(where, "cần một danh sách", "expected a list")
            return ()
        out: list[str] = []
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            if not isinstance(item, str):
                self.err(at, "cần một chuỗi ký tự", "expected a text")
            elif item not in allowed:
                hint = _hint(item, allowed)
                self.err(
                    at,
                    f"{what[0]} không hợp lệ {item!r}"
                    + (f" (có phải {hint!r}?)" if hint else f"; dùng: {choices(allowed)}"),
                    f"unknown {what[1]} {item!r}"
                    + (f" (did you mean {hint!r}?)" if hint else f"; use: {choices(allowed)}"),
                )
            elif item in out:
                self.err(at, f"{item!r} bị lặp", f"{item!r} is repeated")
            else:
                out.append(item)
        if required and not out and not any(e.path.startswith(where) for e in self.errors):
            self.err(where, "cần ít nhất một giá trị", "at least one value is needed")
        return tuple(out)

    def events(self, value: Any, where: str, *, required: bool = False) -> tuple[str, ...]:
        if isinstance(value, list):
            extra = [e for e in value if isinstance(e, str) and v.NAMESPACED_EVENT.match(e)]
            allowed: Collection[str] = (*v.EVENTS, *extra)
        else:
            allowed = (
                *v.EVENTS,
                *([value] if isinstance(value, str) and v.NAMESPACED_EVENT.match(value) else []),
            )
        return self.names(value, where, allowed, ("sự kiện", "event"), required=required)

    def period(
        self, value: Any, where: str, *, zero: bool = False, hours_only: bool = False
    ) -> Period | None:
        allowed = ("hours",) if hours_only else ("working_days", "hours", "business")
        m = self.mapping(value, where, allowed)
        if m is None:
            return None
        has_days, has_hours = "working_days" in m and not hours_only, "hours" in m
        if hours_only and not has_hours:
            self.err(where, "cần số giờ, ví dụ {hours: 4}", "expected hours, e.g. {hours: 4}")
            return None
        if has_days == has_hours:
            self.err(
                where,
                "cần đúng một trong working_days hoặc hours",
                "give exactly one of working_days or hours",
            )
            return None
        low = 0 if zero else 1
        if has_days:
            n = m["working_days"]
            if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= v.MAX_WORKING_DAYS:
                self.err(
                    f"{where}.working_days",
                    f"cần một số nguyên từ {low} đến {v.MAX_WORKING_DAYS}",
                    f"expected a whole number from {low} to {v.MAX_WORKING_DAYS}",
                )
                return None
            if "business" in m:
                self.err(f"{where}.business", "chỉ dùng với hours", "only allowed with hours")
            return Period("working_days", n)
        h = m["hours"]
        ok = not isinstance(h, bool) and isinstance(h, int | float)
        if not ok or not (h >= 0 if zero else h > 0) or h > v.MAX_HOURS:
            self.err(
                f"{where}.hours",
                f"cần một số giờ {'≥ 0' if zero else '> 0'} và ≤ {v.MAX_HOURS}",
                f"expected a number of hours {'>= 0' if zero else '> 0'} and <= {v.MAX_HOURS}",
            )
            return None
        business = m.get("business", False)
        if not isinstance(business, bool):
            self.err(f"{where}.business", "cần true hoặc false", "expected true or false")
            business = False
        return Period("hours", float(h), business)

    # -- parts -------------------------------------------------------------------------------

    def chain(self, value: Any, where: str) -> tuple[EscalationLevel, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.err(where, "cần một danh sách các cấp", "expected a list of levels")
            return ()
        levels: list[EscalationLevel] = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            m = self.mapping(item, at, ("level", "to", "after"))
            if m is None:
                continue
            level = m.get("level")
            if level != i + 1 or isinstance(level, bool):
                self.err(
                    f"{at}.level",
                    f"các cấp phải đánh số 1, 2, 3… theo thứ tự (cần {i + 1})",
                    f"levels must be numbered 1, 2, 3… in order (expected {i + 1})",
                )
            to = self.names(
                m.get("to"),
                f"{at}.to",
                v.ESCALATION_TARGETS,
                ("người nhận", "target"),
                required=True,
            )
            after = Period("hours", 0.0)
            if "after" in m:
                after = self.period(m["after"], f"{at}.after", zero=True) or after
            if (
                levels
                and levels[-1].after.unit == after.unit
                and after.amount < levels[-1].after.amount
            ):
                self.err(
                    f"{at}.after",
                    "không được sớm hơn cấp trước",
                    "must not come before the previous level",
                )
            levels.append(EscalationLevel(i + 1, to, after))
        return tuple(levels)

    def clock(
        self,
        item: Any,
        at: str,
        default_cal: str,
        chain: tuple[EscalationLevel, ...],
        calendars: Collection[str] | None,
    ) -> ClockDefinition | None:
        m = self.mapping(item, at, CLOCK_KEYS)
        if m is None:
            return None
        name = self.slug(m.get("name"), f"{at}.name")
        label = self.text(m, "label", at, required=True)
        label_en = self.text(m, "label_en", at)
        start = self.events(m.get("start"), f"{at}.start", required=True)
        stop = self.events(m.get("stop"), f"{at}.stop", required=True)
        for event in sorted(set(start) & set(stop)):
            self.err(
                f"{at}.stop",
                f"sự kiện {event!r} không thể vừa bắt đầu vừa dừng đồng hồ",
                f"event {event!r} cannot both start and stop the clock",
            )
        channels = self.names(m.get("channels"), f"{at}.channels", v.CHANNELS, ("kênh", "channel"))
        target = self.period(m.get("target"), f"{at}.target") if "target" in m else None
        if "target" not in m:
            self.err(
                f"{at}.target",
                "bắt buộc, ví dụ {working_days: 3} hoặc {hours: 24}",
                "required, e.g. {working_days: 3} or {hours: 24}",
            )
        calendar = default_cal
        if target is not None and target.unit == "hours" and not target.business:
            calendar = v.DEFAULT_HOUR_CALENDAR
        if "calendar" in m:
            calendar = self.slug(m["calendar"], f"{at}.calendar") or calendar
            if calendars is not None and m["calendar"] not in calendars:
                self.err(
                    f"{at}.calendar",
                    f"lịch {m['calendar']!r} không tồn tại",
                    f"calendar {m['calendar']!r} does not exist",
                )
        pause_on = ()
        if "pause_on" in m:
            raw = m["pause_on"]
            listed = [raw] if isinstance(raw, str) else raw
            if isinstance(listed, list):
                ok = [
                    r
                    for i, r in enumerate(listed)
                    if self.slug(r, f"{at}.pause_on[{i}]", required=True)
                ]
                pause_on = tuple(dict.fromkeys(ok))
            else:
                self.err(
                    f"{at}.pause_on",
                    "cần một danh sách, ví dụ [force_majeure]",
                    "expected a list, e.g. [force_majeure]",
                )
        warning = self.warning(m.get("warning"), f"{at}.warning", target)
        own_chain = self.chain(m["escalation"], f"{at}.escalation") if "escalation" in m else chain
        if not (name and label and target and start and stop):
            return None
        spec = ClockSpec(
            name, label, label_en or label, target, calendar, pause_on, warning, own_chain
        )
        return ClockDefinition(
            spec, start, stop, channels, self.text(m, "description", at, max_len=2000)
        )

    def warning(self, value: Any, where: str, target: Period | None) -> Warning | None:
        if value is None:
            return None
        m = self.mapping(value, where, ("after", "before"))
        if m is None:
            return None
        if ("after" in m) == ("before" in m):
            self.err(
                where, "cần đúng một trong after hoặc before", "give exactly one of after or before"
            )
            return None
        if "before" in m:
            before = self.period(m["before"], f"{where}.before", hours_only=True)
            return Warning(before_hours=before.amount) if before else None
        after = self.period(m["after"], f"{where}.after")
        if after is None:
            return None
        same = target is not None and (after.unit, after.business) == (target.unit, target.business)
        if same and target is not None and after.amount >= target.amount:
            self.err(
                f"{where}.after",
                "phải ngắn hơn thời hạn (target)",
                "must be shorter than the target",
            )
        return Warning(after=after)

    def step(self, item: Any, at: str) -> Step | None:
        m = self.mapping(item, at, STEP_KEYS)
        if m is None:
            return None
        key = self.slug(m.get("key"), f"{at}.key")
        name = self.text(m, "name", at, required=True)
        actor = m.get("actor")
        if actor not in v.ACTORS:
            self.err(
                f"{at}.actor",
                f"người thực hiện không hợp lệ {actor!r}; dùng: {choices(v.ACTORS)}",
                f"unknown actor {actor!r}; use: {choices(v.ACTORS)}",
            )
        actions = self.names(m.get("actions"), f"{at}.actions", v.ACTIONS, ("thao tác", "action"))
        if not (key and name and actor in v.ACTORS):
            return None
        return Step(
            key,
            name,
            self.text(m, "name_en", at) or name,
            str(actor),
            actions,
            self.text(m, "description", at, max_len=2000),
        )
