"""Procedure view (steps and clocks, drawn as an HTML flow) and force majeure pages."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from complaintdesk.complaints.domain import lifecycle
from complaintdesk.core.errors import ServiceError
from complaintdesk.procedures.presets import PRESETS
from complaintdesk.web.formatting import action_label, lang_index, pick, role_label
from complaintdesk.web.views.common import require

log = logging.getLogger(__name__)
# The main path drawn top to bottom; the other states hang beside it.
MAIN_PATH = (
    lifecycle.State.RECEIVED,
    lifecycle.State.ACKNOWLEDGED,
    lifecycle.State.VERIFYING,
    lifecycle.State.ANSWER_LATER,
    lifecycle.State.COORDINATING,
    lifecycle.State.RESOLVED,
    lifecycle.State.RESULT_NOTIFIED,
    lifecycle.State.CLOSED,
)


def flow_steps(role_filter: str = "") -> list[dict[str, Any]]:
    """Each state with the actions leading out of it, in the order of the main path."""
    order = list(MAIN_PATH) + [s for s in lifecycle.State if s not in MAIN_PATH]
    steps = []
    for state in order:
        moves = []
        for row in lifecycle.TRANSITIONS:
            if state not in row.sources or (
                row.target is None and row.sources == lifecycle.OPEN_STATES
            ):
                continue
            target = row.target_from(state)
            moves.append(
                {
                    "action": row.label("en" if lang_index() else "vi"),
                    "target": pick(lifecycle.STATE_LABELS[target]) if target != state else "",
                    "target_state": target.value,
                    "roles": ", ".join(
                        role_label(r.value) for r in lifecycle.Role if r in row.roles
                    ),
                    "inputs": ", ".join(
                        i.label("en" if lang_index() else "vi") + ("*" if i.required else "")
                        for i in row.inputs
                    ),
                    "notice": row.customer_notice or "",
                }
            )
        steps.append(
            {
                "state": state.value,
                "label": pick(lifecycle.STATE_LABELS[state]),
                "main": state in MAIN_PATH,
                "open": state in lifecycle.OPEN_STATES,
                "moves": moves,
            }
        )
    return steps


def _lang() -> str:
    return "en" if lang_index() else "vi"


def _procedure_definition(slug: str) -> dict[str, Any] | None:
    """The configured procedure (steps, clocks, versions) from the procedures app."""
    try:
        from complaintdesk.procedures.selectors import procedure_detail
    except ImportError:
        return None
    try:
        result = procedure_detail(slug, _lang())
    except LookupError:
        raise Http404 from None
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise
    for clock in result.get("clocks") or []:
        for level in clock.get("escalation") or []:
            level["to"] = [
                ACTOR_LABELS.get(who, (who, who))[lang_index()] for who in level.get("to", [])
            ]
    steps = result.get("steps") or []
    for step in steps:
        step["action_labels"] = [action_label(a) for a in step.get("actions", [])]
        step["actor_label"] = ACTOR_LABELS.get(step.get("actor", ""), (step.get("actor", ""),) * 2)[
            lang_index()
        ]
    return dict(result)


def _procedures() -> list[dict[str, Any]]:
    try:
        from complaintdesk.procedures.selectors import procedure_list
    except ImportError:
        return [{"slug": slug, "name": slug} for slug in PRESETS]
    return procedure_list(_lang())


ACTOR_LABELS = {
    "assignee": ("Người phụ trách", "Assignee"),
    "receiver": ("Người tiếp nhận", "Receiver"),
    "customer_care": ("Bộ phận CSKH", "Customer care"),
    "department": ("Phòng ban liên quan", "Departments involved"),
    "department_head": ("Lãnh đạo phòng ban", "Department heads"),
    "leadership": ("Ban Giám đốc", "Leadership"),
    "customer": ("Khách hàng", "Customer"),
    "system": ("Hệ thống", "System"),
}


@login_required
def procedure_view(request: HttpRequest, slug: str) -> HttpResponse:
    require(request, "complaint.view")
    procedures = _procedures()
    if slug not in {p["slug"] for p in procedures}:
        raise Http404
    definition = _procedure_definition(slug)
    everywhere = [
        row.label(_lang())
        for row in lifecycle.TRANSITIONS
        if row.target is None and row.sources == lifecycle.OPEN_STATES
    ]
    return render(
        request,
        "web/procedure.html",
        {
            "slug": slug,
            "procedures": procedures,
            "states": flow_steps(),
            "definition": definition,
            "everywhere": everywhere,
        },
    )


@login_required
def procedure_index(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return procedure_view(request, settings.DEFAULT_PROCEDURE)
