"""Reading and checking a procedure definition, with messages that point at the problem.

:func:`load_definition` reads YAML text; :func:`parse_definition` checks a mapping. Both raise
:class:`DefinitionInvalid` listing *every* problem found, each with its path in the definition
(``clocks[1].target``) and a Vietnamese and an English message. The format is described in
``docs/procedures.md``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import yaml

from . import vocabulary as v
from .checker import TOP_KEYS, Checker, choices
from .definition import (
    ClockDefinition,
    DefinitionError,
    DefinitionInvalid,
    ProcedureDefinition,
    Step,
)

__all__ = ["load_definition", "parse_definition", "read_yaml"]


def parse_definition(
    data: Any,
    *,
    calendars: Collection[str] | None = None,
    procedures: Collection[str] | None = None,
) -> ProcedureDefinition:
    """Check ``data`` and build the definition; :class:`DefinitionInvalid` lists every problem.

    ``calendars`` / ``procedures``, when given, are the slugs that exist (checked for clocks'
    calendars and the channel mapping).
    """
    c = Checker()
    m = c.mapping(data, "", TOP_KEYS)
    if m is None:
        raise DefinitionInvalid(c.errors)
    slug = c.slug(m.get("slug"), "slug")
    name = c.text(m, "name", "", required=True)
    calendar = v.DEFAULT_DAY_CALENDAR
    if "calendar" in m:
        calendar = c.slug(m["calendar"], "calendar") or calendar
        if calendars is not None and m["calendar"] not in calendars:
            c.err(
                "calendar",
                f"lịch {m['calendar']!r} không tồn tại",
                f"calendar {m['calendar']!r} does not exist",
            )
    channels: dict[str, str] = {}
    if "channels" in m:
        cm = c.mapping(m["channels"], "channels", v.CHANNELS)
        for ch, target in (cm or {}).items():
            if ch in v.CHANNELS and c.slug(target, f"channels.{ch}"):
                if procedures is not None and target not in procedures and target != slug:
                    c.err(
                        f"channels.{ch}",
                        f"quy trình {target!r} không tồn tại",
                        f"procedure {target!r} does not exist",
                    )
                channels[ch] = target
    vulnerable = ""
    if "priority" in m:
        pm = c.mapping(m["priority"], "priority", ("vulnerable",))
        if pm is not None and pm.get("vulnerable") not in v.PRIORITIES:
            c.err(
                "priority.vulnerable",
                f"cần một trong: {choices(v.PRIORITIES)}",
                f"expected one of: {choices(v.PRIORITIES)}",
            )
        elif pm is not None:
            vulnerable = str(pm["vulnerable"])
    steps: list[Step] = []
    raw_steps = m.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        c.err(
            "steps",
            "cần danh sách các bước (ít nhất một)",
            "expected a list of steps (at least one)",
        )
    else:
        for i, item in enumerate(raw_steps):
            step = c.step(item, f"steps[{i}]")
            if step and any(s.key == step.key for s in steps):
                c.err(
                    f"steps[{i}].key",
                    f"mã bước {step.key!r} bị trùng",
                    f"step key {step.key!r} is repeated",
                )
            elif step:
                steps.append(step)
    chain = c.chain(m.get("escalation"), "escalation")
    clocks: list[ClockDefinition] = []
    raw_clocks = m.get("clocks", [])
    if not isinstance(raw_clocks, list):
        c.err("clocks", "cần một danh sách đồng hồ", "expected a list of clocks")
        raw_clocks = []
    for i, item in enumerate(raw_clocks):
        clock = c.clock(item, f"clocks[{i}]", calendar, chain, calendars)
        if clock is None:
            continue
        clash = next((j for j, other in enumerate(clocks) if other.name == clock.name), None)
        if clash is not None:
            c.err(
                f"clocks[{i}].name",
                f"tên đồng hồ {clock.name!r} bị trùng",
                f"clock name {clock.name!r} is repeated",
            )
        else:
            clocks.append(clock)
    notices: dict[str, tuple[str, ...]] = {}
    if "notices" in m:
        nm = c.mapping(m["notices"], "notices", v.NOTICE_KINDS)
        for kind, events in (nm or {}).items():
            if kind in v.NOTICE_KINDS:
                notices[kind] = c.events(events, f"notices.{kind}", required=True)
    if c.errors:
        raise DefinitionInvalid(c.errors)
    return ProcedureDefinition(
        slug=slug,
        name=name,
        name_en=c.text(m, "name_en", ""),
        description=c.text(m, "description", "", max_len=4000),
        source=c.text(m, "source", "", max_len=500),
        calendar=calendar,
        steps=tuple(steps),
        clocks=tuple(clocks),
        escalation=chain,
        notices=notices,
        channels=channels,
        vulnerable_priority=vulnerable,
    )


def read_yaml(text: str) -> Any:
    """YAML text → data; :class:`DefinitionInvalid` (path ``yaml``) when it cannot be read."""
    if len(text) > v.MAX_SOURCE_CHARS:
        raise DefinitionInvalid(
            [
                DefinitionError(
                    "yaml",
                    f"quá dài (tối đa {v.MAX_SOURCE_CHARS} ký tự)",
                    f"too long (at most {v.MAX_SOURCE_CHARS} characters)",
                )
            ]
        )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc).strip()
        if mark is not None:
            where_vi = f"dòng {mark.line + 1}, cột {mark.column + 1}"
            where_en = f"line {mark.line + 1}, column {mark.column + 1}"
        else:
            where_vi, where_en = "không rõ vị trí", "unknown position"
        raise DefinitionInvalid(
            [
                DefinitionError(
                    "yaml",
                    f"không đọc được YAML ({where_vi}): {problem}",
                    f"cannot read the YAML ({where_en}): {problem}",
                )
            ]
        ) from None


def load_definition(
    text: str,
    *,
    calendars: Collection[str] | None = None,
    procedures: Collection[str] | None = None,
) -> ProcedureDefinition:
    """Read YAML text and check it (see :func:`parse_definition`)."""
    return parse_definition(read_yaml(text), calendars=calendars, procedures=procedures)
