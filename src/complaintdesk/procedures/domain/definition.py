"""A procedure as data: steps, clocks, escalation chain, notices to the customer.

Pure Python. :func:`procedures.domain.parse.parse_definition` builds a
:class:`ProcedureDefinition` from a mapping (a YAML file or an administrator's text) and says
precisely what is wrong; :meth:`ProcedureDefinition.to_dict` gives the normalised form stored on
each procedure version (parsing it again gives an equal definition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from complaintdesk.sla.domain.clocks import ClockSpec, EscalationLevel

from .vocabulary import CLOSING_EVENTS

__all__ = ["ClockDefinition", "DefinitionError", "DefinitionInvalid", "ProcedureDefinition", "Step"]


@dataclass(frozen=True, slots=True)
class DefinitionError:
    """One problem, pointing at its place in the definition (``clocks[1].target``)."""

    path: str
    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        text = self.message_en if lang.startswith("en") else self.message_vi
        return f"{self.path}: {text}" if self.path else text


class DefinitionInvalid(ValueError):
    """The definition has problems; ``errors`` lists all of them in document order."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__("; ".join(e.message("en") for e in errors))
        self.errors = errors

    def messages(self, lang: str = "vi") -> list[str]:
        return [e.message(lang) for e in self.errors]


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    name: str
    name_en: str
    actor: str
    actions: tuple[str, ...] = ()
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "name_en": self.name_en,
            "actor": self.actor,
            "actions": list(self.actions),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class ClockDefinition:
    """A clock: its timing (:class:`ClockSpec`) and the events that start and stop it.

    ``channels`` limits starting to complaints received on those channels (empty = any).
    """

    spec: ClockSpec
    start: tuple[str, ...]
    stop: tuple[str, ...]
    channels: tuple[str, ...] = ()
    description: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    def starts_on(self, event: str, channel: str) -> bool:
        return event in self.start and (not self.channels or channel in self.channels)

    def stops_on(self, event: str) -> bool:
        return event in self.stop or event in CLOSING_EVENTS

    def to_dict(self) -> dict[str, Any]:
        out = self.spec.to_dict()
        out.update({"start": list(self.start), "stop": list(self.stop)})
        if self.channels:
            out["channels"] = list(self.channels)
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class ProcedureDefinition:
    slug: str
    name: str
    name_en: str = ""
    description: str = ""
    source: str = ""
    calendar: str = "vn-official"
    steps: tuple[Step, ...] = ()
    clocks: tuple[ClockDefinition, ...] = ()
    escalation: tuple[EscalationLevel, ...] = ()
    notices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    vulnerable_priority: str = ""

    def clock(self, name: str) -> ClockDefinition:
        for clock in self.clocks:
            if clock.name == name:
                return clock
        raise KeyError(name)

    def clocks_starting(self, event: str, channel: str) -> list[ClockDefinition]:
        return [c for c in self.clocks if c.starts_on(event, channel)]

    def clocks_stopping(self, event: str) -> list[ClockDefinition]:
        return [c for c in self.clocks if c.stops_on(event)]

    def notices_for(self, event: str) -> list[str]:
        """The notices to the customer that ``event`` triggers, in the definition's order."""
        return [kind for kind, events in self.notices.items() if event in events]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slug": self.slug, "name": self.name}
        for key in ("name_en", "description", "source"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out["calendar"] = self.calendar
        if self.channels:
            out["channels"] = dict(self.channels)
        if self.vulnerable_priority:
            out["priority"] = {"vulnerable": self.vulnerable_priority}
        out["steps"] = [s.to_dict() for s in self.steps]
        out["clocks"] = [c.to_dict() for c in self.clocks]
        out["escalation"] = [level.to_dict() for level in self.escalation]
        out["notices"] = {kind: list(events) for kind, events in self.notices.items()}
        return out
