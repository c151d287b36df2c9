"""Shared helpers for the API tests: request bodies and complaints in a given state."""

from __future__ import annotations

from typing import Any

from complaintdesk.accounts.models import User
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.domain.lifecycle import Action, State
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition, task_create
from complaintdesk.complaints.tests.factories import ComplaintFactory

BASE = "/api/v1"


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "hotline",
        "kind": "complaint",
        "customer": {"name": "Trần Thị Bình", "phone": "0912 345 678"},
        "subject": "Không xem được phim sau khi gia hạn gói",
        "description": "Đã thanh toán nhưng ứng dụng vẫn báo hết hạn.",
        "category": "payment",
        "payment": {"package": "VIP 12 tháng", "method": "MoMo", "amount_vnd": 599000},
        "content": {"title": "Phim Mắt Biếc"},
    }
    body.update(overrides)
    return body


def valid_inputs(action: str) -> dict[str, Any]:
    """Inputs that satisfy every field of ``action`` (required or not)."""
    row = lifecycle.transition_for(action)
    out: dict[str, Any] = {}
    for field in row.inputs:
        if field.kind == "choice":
            out[field.name] = field.choices[0]
        elif field.kind == "bool":
            out[field.name] = True
        else:
            out[field.name] = f"Nội dung cho {field.name}"
    return out


# How an administrator brings a new complaint to each state, through the services.
PATHS: dict[State, list[Action]] = {
    State.RECEIVED: [],
    State.ACKNOWLEDGED: [Action.ACKNOWLEDGE],
    State.VERIFYING: [Action.START_VERIFICATION],
    State.ANSWER_LATER: [Action.START_VERIFICATION, Action.ANSWER_LATER],
    State.COORDINATING: [Action.START_VERIFICATION, Action.ANSWER_LATER, Action.COORDINATE],
    State.RESOLVED: [
        Action.START_VERIFICATION,
        Action.ANSWER_LATER,
        Action.COORDINATE,
        Action.RESOLVE,
    ],
    State.RESULT_NOTIFIED: [Action.ANSWER_NOW],
    State.UNSATISFIED: [Action.ANSWER_NOW, Action.MARK_UNSATISFIED],
    State.ESCALATED: [Action.ANSWER_NOW, Action.MARK_UNSATISFIED, Action.ESCALATE],
    State.CLOSED: [Action.ANSWER_NOW, Action.CONFIRM_SATISFIED],
    State.WITHDRAWN: [Action.WITHDRAW],
}


def complaint_in_state(state: State, *, admin: User, task_department: str = "") -> Complaint:
    """A new complaint walked to ``state``; with a task for ``task_department`` if given."""
    complaint = ComplaintFactory.create(actor=admin)
    if task_department:
        task_create(
            complaint=complaint,
            actor=admin,
            department_code=task_department,
            title="Kiểm tra đường truyền",
        )
    for action in PATHS[state]:
        complaint = complaint_transition(
            complaint=complaint, action=action, actor=admin, inputs=valid_inputs(action)
        )
    assert complaint.status == state.value
    return Complaint.objects.get(pk=complaint.pk)
