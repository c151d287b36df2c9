"""POST /complaints/{code}/actions/{action}: the whole transition table, through the API."""

from __future__ import annotations

import pytest

from complaintdesk.api.tests.util import BASE, complaint_in_state, valid_inputs
from complaintdesk.complaints.domain.lifecycle import (
    ACTION_LABELS,
    ROLE_LABELS,
    TRANSITIONS,
    Role,
    State,
)
from complaintdesk.complaints.models import Complaint

USER_ROLES = ["receiver", "staff", "head", "leadership", "admin"]
# One case per row of the table (its first source state) and per role of a signed-in user.
CASES = [
    pytest.param(
        row,
        min(row.sources, key=list(State).index),
        role,
        id=f"{row.action.value}-from-{min(row.sources, key=list(State).index).value}-{role}",
    )
    for row in TRANSITIONS
    for role in USER_ROLES
]


def _act(client, code, action, inputs=None, **extra):
    body = {"inputs": inputs or {}}
    body.update({k: v for k, v in extra.items() if k == "version"})
    headers = {k: v for k, v in extra.items() if k != "version"}
    return client.post(
        f"{BASE}/complaints/{code}/actions/{action}",
        body,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize(("row", "state", "role"), CASES)
def test_every_action_for_every_role(org, client_for, row, state, role):
    # A task for the technical department lets its staff and head see the complaint.
    complaint = complaint_in_state(state, admin=org.admin, task_department="ky-thuat")
    action = row.action.value

    response = _act(client_for(org.user(role)), complaint.code, action, valid_inputs(action))

    complaint.refresh_from_db()
    if Role(role) in row.roles:
        assert response.status_code == 200, response.json()
        expected = row.target_from(state).value
        assert response.json()["status"] == expected
        assert complaint.status == expected
        journaled = [e["action"] for e in response.json()["timeline"]]
        assert [a for a in journaled if a.startswith("action.")][-1] == f"action.{action}"
    else:
        assert response.status_code == 403, response.json()
        role_vi, action_vi = ROLE_LABELS[Role(role)][0], ACTION_LABELS[row.action][0]
        assert response.json()["detail"] == (
            f'Vai trò "{role_vi}" không được thực hiện thao tác "{action_vi}".'
        )
        assert response.json()["code"] == "role_not_allowed"
        assert complaint.status == state.value


def test_action_not_applicable_in_the_state_is_409(org, client_for):
    complaint = complaint_in_state(State.RECEIVED, admin=org.admin)

    response = _act(client_for(org.receiver), complaint.code, "notify_result", {"message": "Xong"})

    assert response.status_code == 409
    assert response.json()["detail"] == (
        'Thao tác "Thông báo kết quả" không áp dụng cho phiếu ở trạng thái "Mới tiếp nhận".'
    )
    assert response.json()["code"] == "not_applicable"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("vi", 'Thao tác "Trả lời sau" cần nhập "Lý do cần thêm thời gian".'),
        ("en", 'The action "Answer later" requires "Why more time is needed".'),
    ],
)
def test_missing_input_is_422_naming_the_field(org, client_for, lang, message):
    complaint = complaint_in_state(State.VERIFYING, admin=org.admin)

    response = _act(
        client_for(org.receiver, lang=lang),
        complaint.code,
        "answer_later",
        {"expected_by": "Thứ sáu"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "inputs.reason", "code": "input_missing", "message": message}
    ]
    assert response.json()["detail"] == message


def test_invalid_choice_is_422(org, client_for):
    complaint = complaint_in_state(State.UNSATISFIED, admin=org.admin)

    response = _act(
        client_for(org.admin, lang="en"),
        complaint.code,
        "escalate",
        {"level": "president", "reason": "Khách rất bức xúc"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "inputs.level"
    assert response.json()["errors"][0]["message"] == (
        'The value "president" is not valid for "Escalation level"; choose one of: '
        "Department heads (heads), Company leadership (leadership)."
    )


def test_stale_version_is_409_by_body_or_if_match(org, client_for):
    complaint = complaint_in_state(State.RECEIVED, admin=org.admin)
    client = client_for(org.receiver)
    seen = complaint.version
    assert _act(client, complaint.code, "request_negotiation", version=seen).status_code == 200

    by_body = _act(client, complaint.code, "acknowledge", version=seen)
    by_header = _act(client, complaint.code, "acknowledge", **{"If-Match": f'"{seen}"'})

    for response in (by_body, by_header):
        assert response.status_code == 409
        assert response.json()["detail"] == (
            "Phiếu đã được người khác cập nhật; hãy tải lại rồi thử lại."
        )
    assert Complaint.objects.get(pk=complaint.pk).status == "received"
    current = Complaint.objects.get(pk=complaint.pk).version
    ok = _act(client, complaint.code, "acknowledge", **{"If-Match": str(current)})
    assert ok.status_code == 200
    assert ok.json()["status"] == "acknowledged"


def test_unknown_action_is_404_and_bad_if_match_is_422(org, client_for):
    complaint = complaint_in_state(State.RECEIVED, admin=org.admin)
    client = client_for(org.receiver)

    unknown = _act(client, complaint.code, "teleport")
    bad_header = _act(client, complaint.code, "acknowledge", **{"If-Match": "yesterday"})

    assert unknown.status_code == 404
    assert unknown.json()["detail"] == 'Không có thao tác "teleport".'
    assert bad_header.status_code == 422
    assert bad_header.json()["errors"][0]["field"] == "If-Match"


def test_action_without_a_body(org, client_for):
    complaint = complaint_in_state(State.RECEIVED, admin=org.admin)

    response = client_for(org.receiver).post(
        f"{BASE}/complaints/{complaint.code}/actions/acknowledge",
        "",
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
