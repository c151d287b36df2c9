"""Reads: procedures, their versions, the steps and notices of a complaint's procedure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintdesk.core.errors import NotFound
from complaintdesk.procedures.domain.definition import ProcedureDefinition
from complaintdesk.procedures.domain.vocabulary import event_label
from complaintdesk.procedures.models import Procedure, ProcedureVersion
from complaintdesk.procedures.services import procedure_definition, procedure_ensure_presets
from complaintdesk.sla.calendars import calendar_get
from complaintdesk.sla.domain.clocks import period_end


def _name(procedure: Procedure, lang: str) -> str:
    return procedure.name_en if lang == "en" and procedure.name_en else procedure.name


def procedure_list(lang: str = "vi") -> list[dict[str, Any]]:
    procedure_ensure_presets()
    return [
        {
            "slug": p.slug,
            "name": _name(p, lang),
            "active": p.active,
            "current_version": p.current_version,
        }
        for p in Procedure.objects.order_by("slug")
    ]


class ProcedureNotFound(NotFound, LookupError):
    def __init__(self) -> None:
        super().__init__("Không tìm thấy quy trình.", "Procedure not found.")


def _procedure(slug: str) -> Procedure:
    procedure_ensure_presets()
    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is None:
        raise ProcedureNotFound()
    return procedure


def _events(events: tuple[str, ...], lang: str) -> str:
    return ", ".join(event_label(e, lang) for e in events)


def clock_rows(definition: ProcedureDefinition, lang: str = "vi") -> list[dict[str, Any]]:
    """The clocks of a definition for display: label, duration, what starts and stops them."""
    en = lang.startswith("en")
    rows = []
    for clock in definition.clocks:
        spec = clock.spec
        starts = _events(clock.start, lang)
        if clock.channels:
            starts += (" (channel: " if en else " (kênh: ") + ", ".join(clock.channels) + ")"
        rows.append(
            {
                "name": clock.name,
                "label": spec.label_en if en else spec.label,
                "duration": spec.target.text(lang),
                "calendar": spec.calendar,
                "starts": starts,
                "stops": _events(clock.stop, lang),
                "pause_on": list(spec.pause_on),
                "escalation": [
                    {"level": lvl.level, "to": list(lvl.to), "after": lvl.after.text(lang)}
                    for lvl in spec.escalation
                ],
            }
        )
    return rows


def procedure_detail(slug: str, lang: str = "vi") -> dict[str, Any]:
    """The procedure, its current definition and the list of its versions (newest first)."""
    procedure = _procedure(slug)
    versions = [
        {
            "version": v.version,
            "created_at": v.created_at,
            "origin": v.origin,
            "note": v.note,
            "created_by": v.created_by.username if v.created_by else "",
        }
        for v in procedure.versions.select_related("created_by").order_by("-version")
    ]
    definition = procedure_definition(slug, procedure.current_version)
    return {
        "slug": slug,
        "name": _name(procedure, lang),
        "title": _name(procedure, lang),
        "active": procedure.active,
        "current_version": procedure.current_version,
        "versions": versions,
        "definition": definition.to_dict(),
        "clocks": clock_rows(definition, lang),
        "steps": _steps(definition, lang),
    }


def procedure_version_get(slug: str, version: int) -> ProcedureVersion:
    found = (
        ProcedureVersion.objects.filter(procedure=_procedure(slug), version=version)
        .select_related("procedure", "created_by")
        .first()
    )
    if found is None:
        raise NotFound("Không tìm thấy phiên bản quy trình.", "Procedure version not found.")
    return found


def procedure_of(complaint: Any) -> ProcedureDefinition | None:
    """The definition (pinned version) a complaint runs under, or None if it is missing."""
    try:
        return procedure_definition(complaint.procedure, complaint.procedure_version)
    except LookupError:
        return None


def procedure_steps(complaint: Any, lang: str = "vi") -> list[dict[str, Any]]:
    """The steps of the complaint's procedure for display: name, actor, actions."""
    definition = procedure_of(complaint)
    return _steps(definition, lang) if definition else []


def _steps(definition: ProcedureDefinition, lang: str) -> list[dict[str, Any]]:
    en = lang.startswith("en")
    return [
        {
            "key": s.key,
            "name": s.name_en if en else s.name,
            "actor": s.actor,
            "actions": list(s.actions),
            "description": s.description,
        }
        for s in definition.steps
    ]


def procedure_notices(complaint: Any, event: str) -> list[str]:
    """The notice kinds (acknowledgement, more_time, result, …) ``event`` sends the customer."""
    definition = procedure_of(complaint)
    return definition.notices_for(event) if definition else []


def deadline_preview(
    *,
    procedure: str,
    channel: str,
    received_at: datetime,
    kind: str = "",
    vulnerable: bool = False,
    lang: str = "vi",
) -> dict[str, Any]:
    """The clocks a complaint received now on ``channel`` would start, with their due instants
    (for the intake form): ``{"title", "deadlines": [{name, label, due_at, explanation}]}``."""
    found = _procedure(procedure)
    definition = procedure_definition(found.slug, found.current_version)
    en = lang.startswith("en")
    deadlines = []
    for clock in definition.clocks_starting("received", channel):
        spec = clock.spec
        deadline = period_end(calendar_get(spec.calendar), spec.target, received_at)
        deadlines.append(
            {
                "name": clock.name,
                "label": spec.label_en if en else spec.label,
                "due_at": deadline.due_at,
                "due_display": deadline.due_display("en" if en else "vi"),
                "explanation": deadline.explain("en" if en else "vi"),
            }
        )
    return {"title": _name(found, "en" if en else "vi"), "deadlines": deadlines}
