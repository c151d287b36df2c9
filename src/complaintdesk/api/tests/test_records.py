"""Notes, messages, tasks and edits on a complaint."""

from __future__ import annotations

from complaintdesk.api.tests.util import BASE
from complaintdesk.complaints.models import Complaint, Message, Task
from complaintdesk.complaints.services import task_create
from complaintdesk.complaints.tests.factories import ComplaintFactory


def _post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def _patch(client, url, body, **headers):
    return client.patch(url, body, content_type="application/json", headers=headers)


def test_notes_are_added_and_listed(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    client = client_for(org.receiver)
    url = f"{BASE}/complaints/{complaint.code}/notes"

    added = _post(client, url, {"body": "  Khách gọi lại lần 2, rất bức xúc.  "})
    listed = client.get(url)

    assert added.status_code == 201
    assert added.json()["body"] == "Khách gọi lại lần 2, rất bức xúc."
    assert added.json()["visibility"] == "internal"
    assert added.json()["author"] == "receiver"
    assert [n["body"] for n in listed.json()] == ["Khách gọi lại lần 2, rất bức xúc."]
    assert Complaint.objects.get(pk=complaint.pk).version == 2


def test_message_to_the_customer_is_recorded(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)

    response = _post(
        client_for(org.receiver),
        f"{BASE}/complaints/{complaint.code}/messages",
        {"body": "Chúng tôi đã nhận được phản ánh của anh."},
    )

    assert response.status_code == 201
    message = Message.objects.get()
    assert (message.direction, message.visibility, message.channel) == ("out", "public", "hotline")
    detail = client_for(org.receiver).get(f"{BASE}/complaints/{complaint.code}").json()
    assert [m["body"] for m in detail["messages"]] == ["Chúng tôi đã nhận được phản ánh của anh."]
    assert detail["notes"] == []


def test_staff_may_note_but_not_message_the_customer(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    task_create(
        complaint=complaint, actor=org.receiver, department_code="ky-thuat", title="Đo tín hiệu"
    )
    staff = client_for(org.staff, lang="en")

    note = _post(staff, f"{BASE}/complaints/{complaint.code}/notes", {"body": "Tín hiệu yếu"})
    message = _post(staff, f"{BASE}/complaints/{complaint.code}/messages", {"body": "Chào chị"})

    assert note.status_code == 201
    assert message.status_code == 403
    assert message.json()["detail"] == "You are not allowed to do this."


def test_tasks_are_created_listed_and_completed(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    url = f"{BASE}/complaints/{complaint.code}/tasks"

    created = _post(
        client_for(org.receiver),
        url,
        {
            "department": "ky-thuat",
            "title": "Kiểm tra đường truyền tại nhà khách",
            "assignee": "staff",
            "due_at": "2030-03-05T17:00:00+07:00",
        },
    )
    assert created.status_code == 201, created.json()
    task = created.json()
    assert task["department"] == "ky-thuat"
    assert task["assignee"] == "staff"
    assert task["due_at"] == "2030-03-05T17:00:00+07:00"

    staff = client_for(org.staff)
    assert [t["id"] for t in staff.get(url).json()] == [task["id"]]
    missing_result = _patch(staff, f"{url}/{task['id']}", {"status": "done"})
    assert missing_result.status_code == 422
    assert missing_result.json()["errors"][0]["field"] == "result"
    done = _patch(
        staff,
        f"{url}/{task['id']}",
        {"status": "done", "result": "Đã thay đầu thu", "version": task["version"]},
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"] is not None
    stale = _patch(staff, f"{url}/{task['id']}", {"result": "Sửa lại", "version": task["version"]})
    assert stale.status_code == 409


def test_staff_cannot_update_another_departments_task(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    task_create(complaint=complaint, actor=org.receiver, department_code="ky-thuat", title="Đo")
    billing_task = task_create(
        complaint=complaint, actor=org.receiver, department_code="ke-toan", title="Hoàn tiền"
    )

    response = _patch(
        client_for(org.staff),
        f"{BASE}/complaints/{complaint.code}/tasks/{billing_task.pk}",
        {"status": "in_progress"},
    )

    assert response.status_code == 403
    assert Task.objects.get(pk=billing_task.pk).status == "open"


def test_unknown_task_is_404(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    other = ComplaintFactory.create(actor=org.receiver)
    task = task_create(complaint=other, actor=org.receiver, department_code="ky-thuat", title="Đo")

    response = _patch(
        client_for(org.receiver),
        f"{BASE}/complaints/{complaint.code}/tasks/{task.pk}",
        {"status": "in_progress"},
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy nhiệm vụ."


def test_patch_edits_fields_with_version(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    client = client_for(org.receiver)
    url = f"{BASE}/complaints/{complaint.code}"

    edited = _patch(
        client,
        url,
        {
            "subject": "Mất tiếng khi xem trên TV",
            "priority": "high",
            "category": "technical",
            "department": "ky-thuat",
            "assignee": "",
            "vulnerable": True,
            "version": 1,
        },
    )
    assert edited.status_code == 200, edited.json()
    data = edited.json()
    assert (data["subject"], data["priority"], data["category"], data["department"]) == (
        "Mất tiếng khi xem trên TV",
        "high",
        "technical",
        "ky-thuat",
    )
    assert data["assignee"] is None
    assert data["vulnerable"] is True
    assert data["version"] == 2

    cleared = _patch(client, url, {"subject": None})
    assert cleared.status_code == 422
    assert cleared.json()["errors"][0]["message"] == "Trường này là bắt buộc."
    stale = _patch(client, url, {"subject": "Khác"}, **{"If-Match": "1"})
    assert stale.status_code == 409
    unknown = _patch(client_for(org.receiver, lang="en"), url, {"department": "marketing"})
    assert unknown.json()["errors"] == [
        {"field": "department", "code": "unknown_department", "message": "Unknown department."}
    ]


def test_leadership_may_assign_but_not_edit(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver, department="bgd")
    client = client_for(org.leadership)
    url = f"{BASE}/complaints/{complaint.code}"

    assert _patch(client, url, {"assignee": "head"}).status_code == 200
    refused = _patch(client, url, {"subject": "Đổi tiêu đề"})
    assert refused.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).assignee == org.head
