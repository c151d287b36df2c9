"""Field changes, assignments, notes, messages and tasks: each one journaled with before/after,
in the same transaction as the change."""

from __future__ import annotations

import pytest

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Category, Complaint, Message, Task
from complaintdesk.complaints.services import (
    complaint_update,
    message_add,
    task_create,
    task_update,
)
from complaintdesk.complaints.tests.factories import act, complaint_in_state
from complaintdesk.core.errors import Conflict, ValidationFailed
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify


def last(complaint: Complaint, prefix: str) -> JournalEntry:
    return JournalEntry.objects.filter(complaint_id=complaint.pk, action__startswith=prefix).latest(
        "seq"
    )


@pytest.fixture
def complaint(org, complaint_factory):
    return complaint_factory.create(actor=org.receiver)


def test_field_change_keeps_before_and_after(org, complaint):
    payment = Category.objects.get(code="payment")
    updated = complaint_update(
        complaint=complaint,
        actor=org.receiver,
        changes={
            "subject": "  Bị trừ tiền hai lần  ",
            "priority": "high",
            "category_id": payment.pk,
        },
    )
    assert (updated.subject, updated.priority, updated.category_id) == (
        "Bị trừ tiền hai lần",
        "high",
        payment.pk,
    )
    entry = last(complaint, "complaint.updated")
    assert entry.before == {
        "subject": "Đường truyền chập chờn",
        "priority": "normal",
        "category_id": None,
    }
    assert entry.after == {
        "subject": "Bị trừ tiền hai lần",
        "priority": "high",
        "category_id": payment.pk,
    }
    assert entry.actor_id == org.receiver.pk
    assert Complaint.objects.get(pk=complaint.pk).version == complaint.version + 1


def test_assignment_is_its_own_entry(org, complaint):
    complaint_update(
        complaint=complaint,
        actor=org.head,
        changes={"department_id": org.technical.pk, "assignee_id": org.staff.pk},
    )
    entry = last(complaint, "complaint.assigned")
    assert entry.before == {"department_id": None, "assignee_id": org.receiver.pk}
    assert entry.after == {"department_id": org.technical.pk, "assignee_id": org.staff.pk}


def test_no_change_writes_nothing(org, complaint):
    count = JournalEntry.objects.count()
    same = complaint_update(complaint=complaint, actor=org.receiver, changes={"priority": "normal"})
    assert same.version == complaint.version
    assert JournalEntry.objects.count() == count


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": "   "}, "subject", "Trường này là bắt buộc."),
        ({"subject": "x" * 301}, "subject", "Quá dài (tối đa 300 ký tự)."),
        ({"priority": "sky-high"}, "priority", "Giá trị không hợp lệ: sky-high."),
        ({"language": "fr"}, "language", "Giá trị không hợp lệ: fr."),
        ({"vulnerable": "yes"}, "vulnerable", "Giá trị không hợp lệ."),
        ({"category_id": 999999}, "category_id", "Danh mục không tồn tại."),
        ({"department_id": "abc"}, "department_id", "Giá trị không hợp lệ."),
        ({"assignee_id": 999999}, "assignee_id", "Người dùng không tồn tại."),
        ({"status": "closed"}, "status", "Giá trị không hợp lệ."),
    ],
)
def test_bad_values_refused_with_message(org, complaint, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        complaint_update(complaint=complaint, actor=org.receiver, changes=changes)
    assert (refused.value.field, refused.value.message("vi")) == (field, message)
    assert Complaint.objects.get(pk=complaint.pk).version == complaint.version


def test_update_with_a_stale_version_conflicts(org, complaint):
    complaint_update(complaint=complaint, actor=org.receiver, changes={"priority": "high"})
    with pytest.raises(Conflict):
        complaint_update(
            complaint=complaint,
            actor=org.head,
            changes={"priority": "low"},
            expected_version=complaint.version,
        )
    assert Complaint.objects.get(pk=complaint.pk).priority == "high"


def test_note_and_messages_are_journaled(org, complaint):
    note = message_add(complaint=complaint, actor=org.staff, body="Đã kiểm tra log máy chủ")
    sent = message_add(
        complaint=complaint,
        actor=org.receiver,
        body="Chúng tôi đang xử lý.",
        direction="out",
        channel="email",
    )
    assert (note.visibility, sent.visibility) == ("internal", "public")
    entry = last(complaint, "note.added")
    assert entry.after == {"message_id": note.pk, "body": "Đã kiểm tra log máy chủ", "channel": ""}
    assert (entry.public, entry.target) == (False, f"message:{note.pk}")
    out = last(complaint, "message.out")
    assert (out.public, out.after["channel"]) == (True, "email")


def test_same_provider_message_twice_is_stored_once(org, complaint):
    first = message_add(
        complaint=complaint,
        actor=None,
        body="Xin chào",
        direction="in",
        channel="zalo",
        provider_message_id="mid-1",
    )
    again = message_add(
        complaint=complaint,
        actor=None,
        body="Xin chào",
        direction="in",
        channel="zalo",
        provider_message_id="mid-1",
    )
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert JournalEntry.objects.filter(action="message.in").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"body": "  "}, "body"),
        ({"body": "x", "direction": "sideways"}, "direction"),
        ({"body": "x", "direction": "in", "channel": "telegraph"}, "channel"),
    ],
)
def test_bad_message_refused(org, complaint, kwargs, field):
    with pytest.raises(ValidationFailed) as refused:
        message_add(complaint=complaint, actor=org.receiver, **kwargs)
    assert refused.value.field == field
    assert Message.objects.count() == 0


def test_tasks_are_journaled(org, complaint):
    task = task_create(
        complaint=complaint,
        actor=org.head,
        department_code="ky-thuat",
        title="Kiểm tra đường truyền",
        assignee_username="staff",
    )
    created = last(complaint, "task.created")
    assert (created.target, created.after["department"], created.after["assignee"]) == (
        f"task:{task.pk}",
        "ky-thuat",
        "staff",
    )
    with pytest.raises(ValidationFailed) as refused:
        task_update(task=task, actor=org.staff, status="done")
    assert refused.value.field == "result"
    done = task_update(task=task, actor=org.staff, status="done", result="Đã thay bộ chia")
    assert (done.status, done.result, done.version) == ("done", "Đã thay bộ chia", 2)
    updated = last(complaint, "task.updated")
    assert updated.before["status"] == "open"
    assert updated.after["status"] == "done"
    assert updated.after["completed_at"] is not None
    count = JournalEntry.objects.count()
    task_update(task=done, actor=org.staff, status="done")  # nothing changes
    assert JournalEntry.objects.count() == count
    with pytest.raises(Conflict):
        task_update(task=done, actor=org.staff, result="khác", expected_version=1)


def test_task_with_unknown_department_refused(org, complaint):
    with pytest.raises(ValidationFailed) as refused:
        task_create(complaint=complaint, actor=org.head, department_code="khong-co", title="x")
    assert refused.value.message("vi") == "Phòng ban không tồn tại."
    assert Task.objects.count() == 0


def test_the_entry_rolls_back_with_the_change(org, monkeypatch):
    complaint = complaint_in_state("received", org)
    count = JournalEntry.objects.count()

    def boom(**kwargs):
        raise RuntimeError("clock service down")

    monkeypatch.setattr(services, "procedure_apply_event", boom)
    with pytest.raises(RuntimeError):
        act(complaint, "acknowledge", org)
    with pytest.raises(RuntimeError):
        message_add(complaint=complaint, actor=org.receiver, body="ghi chú")
    with pytest.raises(RuntimeError):
        complaint_update(complaint=complaint, actor=org.receiver, changes={"priority": "high"})
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.status, stored.priority, stored.version) == (
        "received",
        "normal",
        complaint.version,
    )
    assert JournalEntry.objects.count() == count
    assert Message.objects.count() == 0
    assert journal_verify()[0] == []


def test_journal_of_a_whole_life(org):
    """Creation, a change, an assignment, a note, a message, a task and steps: all in one chain."""
    complaint = complaint_in_state("verifying", org)
    complaint_update(complaint=complaint, actor=org.receiver, changes={"priority": "high"})
    complaint_update(complaint=complaint, actor=org.receiver, changes={"assignee_id": org.head.pk})
    message_add(complaint=complaint, actor=org.receiver, body="ghi chú")
    message_add(
        complaint=complaint, actor=org.receiver, body="trả lời", direction="out", channel="email"
    )
    task_create(complaint=complaint, actor=org.head, department_code="ky-thuat", title="Kiểm tra")
    actions = list(
        JournalEntry.objects.filter(complaint_id=complaint.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    for expected in [
        "complaint.created",
        "action.start_verification",
        "complaint.updated",
        "complaint.assigned",
        "note.added",
        "message.out",
        "task.created",
    ]:
        assert expected in actions
    assert journal_verify()[0] == []
