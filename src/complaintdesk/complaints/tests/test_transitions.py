"""Every row of the lifecycle table, taken through complaint_transition, journaled step by step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.complaints.domain.lifecycle import TRANSITIONS, State, transition_for
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import TransitionRefused, complaint_transition
from complaintdesk.complaints.tests.factories import (
    ROLE_PREFERENCE,
    act,
    complaint_in_state,
    inputs_for,
    role_for,
    shortest_path,
)
from complaintdesk.core.clock import utcnow
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify

PAIRS = sorted({(s.value, row.action.value) for row in TRANSITIONS for s in row.sources})


def entries(complaint: Complaint) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(complaint_id=complaint.pk).order_by("seq"))


def last_action(complaint: Complaint) -> JournalEntry:
    """The newest lifecycle entry (the procedure runtime may journal clock events after it)."""
    return [e for e in entries(complaint) if e.action.startswith("action.")][-1]


def test_every_state_is_reachable():
    for state in State:
        path = shortest_path(state.value)
        assert (state == State.RECEIVED) == (path == [])


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_transition_from_every_source(org, state, action):
    complaint = complaint_in_state(state, org)
    journal_before = entries(complaint)
    # One entry for the creation and one per step of the walk (plus what procedures journal).
    assert [e.action for e in journal_before if e.action.startswith(("action.", "complaint."))] == [
        "complaint.created",
        *(f"action.{a}" for a in shortest_path(state)),
    ]
    target = transition_for(action, state).target_from(State(state)).value

    done = act(complaint, action, org)

    assert done.status == target
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.status == target
    assert stored.version == complaint.version + 1
    new = entries(complaint)[len(journal_before) :]
    assert [e.action for e in new if e.action.startswith("action.")] == [f"action.{action}"]
    entry = last_action(complaint)
    assert entry.before["status"] == state
    assert entry.after["status"] == target
    assert entry.after["inputs"] == inputs_for(action)
    role = role_for(action)
    assert entry.actor_label == (
        role if role in ("system", "customer") else org.user(role).username
    )
    assert entry.actor_id == (None if role in ("system", "customer") else org.user(role).pk)
    assert journal_verify()[0] == []


DISALLOWED = sorted(
    {
        (row.action.value, role)
        for row in TRANSITIONS
        for role in ROLE_PREFERENCE
        if role not in {r.value for r in row.roles}
    }
)


@pytest.mark.parametrize(("action", "role"), DISALLOWED, ids=[f"{a}-{r}" for a, r in DISALLOWED])
def test_role_refused_and_nothing_written(org, action, role):
    source = sorted(next(r for r in TRANSITIONS if r.action.value == action).sources)[0]
    complaint = complaint_in_state(source.value, org)
    count = len(entries(complaint))
    with pytest.raises(TransitionRefused) as refused:
        act(complaint, action, org, role=role)
    assert refused.value.code == "role_not_allowed"
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.status, stored.version) == (complaint.status, complaint.version)
    assert len(entries(complaint)) == count


def test_role_refusal_message(org):
    complaint = complaint_in_state("received", org)
    with pytest.raises(TransitionRefused) as refused:
        act(complaint, "acknowledge", org, role="staff")
    assert refused.value.message("vi") == (
        'Vai trò "Nhân viên phòng ban" không được thực hiện thao tác "Xác nhận đã tiếp nhận".'
    )
    assert refused.value.message("en") == (
        'The role "Department staff" may not perform the action "Acknowledge".'
    )


def test_not_applicable_uses_the_current_state(org):
    complaint = complaint_in_state("closed", org)
    with pytest.raises(TransitionRefused) as refused:
        act(complaint, "acknowledge", org)
    assert refused.value.code == "not_applicable"
    assert refused.value.message("vi") == (
        'Thao tác "Xác nhận đã tiếp nhận" không áp dụng cho phiếu ở trạng thái "Đã đóng".'
    )


def test_stale_object_is_judged_by_the_state_in_the_database(org):
    """A caller holding an old copy (still 'received') may take an action that applies now."""
    stale = complaint_in_state("received", org)
    act(stale, "start_verification", org)
    done = act(stale, "answer_later", org)  # valid from 'verifying', not from 'received'
    assert done.status == "answer_later"


def test_missing_input_refused_with_its_label(org):
    complaint = complaint_in_state("verifying", org)
    with pytest.raises(TransitionRefused) as refused:
        act(complaint, "answer_now", org, inputs={"explanation": "   "})
    assert refused.value.code == "input_missing"
    assert (
        refused.value.message("vi")
        == 'Thao tác "Trả lời ngay" cần nhập "Nội dung giải thích, hướng dẫn".'
    )
    assert Complaint.objects.get(pk=complaint.pk).status == "verifying"


def test_step_fields_are_recorded(org):
    now = utcnow()
    complaint = complaint_in_state("received", org)
    c = act(complaint, "acknowledge", org, now=now)
    assert c.acknowledged_at == now
    c = act(c, "start_verification", org, now=now)
    c = act(c, "record_verification", org, now=now)
    assert c.verification["scope"] == "Nội dung scope — kiểm thử"
    c = act(c, "answer_later", org, now=now + timedelta(hours=1))
    assert c.classification == "answer_later"
    assert c.first_response_at == now + timedelta(hours=1)
    c = act(c, "resolve", org, now=now + timedelta(hours=2))
    assert (c.resolution, c.resolved_at) == (
        "Nội dung resolution — kiểm thử",
        now + timedelta(hours=2),
    )
    c = act(c, "notify_result", org, now=now + timedelta(hours=3))
    assert c.first_response_at == now + timedelta(hours=1)  # the first response stays the first
    c = act(c, "mark_unsatisfied", org, role="customer")
    assert c.satisfaction == "unsatisfied"
    c = act(c, "escalate", org, role="head", inputs={"level": "leadership", "reason": "48 giờ"})
    assert c.escalation_level == 2
    c = act(c, "withdraw", org, role="customer", now=now + timedelta(hours=4))
    assert c.closed_at == now + timedelta(hours=4)
    c = act(c, "reopen", org)
    assert (c.status, c.closed_at, c.satisfaction) == ("verifying", None, "")
    stored = Complaint.objects.get(pk=c.pk)
    assert (stored.status, stored.escalation_level, stored.closed_at) == ("verifying", 2, None)
    assert journal_verify()[0] == []


def test_customer_action_is_journaled_as_the_customer(org):
    complaint = complaint_in_state("result_notified", org)
    act(complaint, "confirm_satisfied", org, role="customer", inputs={"comment": "Cảm ơn"})
    entry = last_action(complaint)
    assert (entry.actor_id, entry.actor_label, entry.public) == (None, "customer", True)
    assert entry.after["satisfaction"] == "satisfied"


def test_inputs_are_cleaned_before_they_are_stored(org):
    complaint = complaint_in_state("verifying", org)
    done = complaint_transition(
        complaint=complaint,
        action="answer_now",
        actor=org.receiver,
        inputs={"explanation": "  Hướng dẫn\x00 cài lại ứng dụng  "},
    )
    assert done.resolution == "Hướng dẫn cài lại ứng dụng"
    assert last_action(complaint).after["inputs"]["explanation"] == "Hướng dẫn cài lại ứng dụng"
