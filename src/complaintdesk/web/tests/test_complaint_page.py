"""The complaint page per role: what each sees and may do, conflicts, tasks, files, messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaintdesk.complaints.models import Attachment, Task
from complaintdesk.complaints.services import complaint_transition, task_create
from complaintdesk.web.tests.conftest import PDF, PNG

pytestmark = pytest.mark.django_db


def detail(pk):
    return reverse("web:complaint_detail", args=[pk])


def action(pk, name):
    return reverse("web:complaint_action", args=[pk, name])


@pytest.fixture
def complaint(org, complaint_factory):
    return complaint_factory.create(
        actor=org.receiver,
        payment={"amount_vnd": 120000, "package": "VIP 3 tháng"},
    )


def test_receiver_sees_record_customer_and_only_their_actions(client, org, complaint):
    client.force_login(org.receiver)
    page = client.get(detail(complaint.pk)).content.decode()
    assert complaint.code in page
    assert "Nguyễn Văn An" in page
    assert "120.000 ₫" in page
    assert "Xác nhận đã tiếp nhận" in page  # acknowledge
    assert "Chuyển lãnh đạo xử lý" not in page  # escalate is not in this state
    assert "Đã tạo phiếu tiếp nhận" in page  # journal timeline


def test_staff_cannot_see_a_complaint_without_their_task(client, org, complaint):
    client.force_login(org.staff)
    assert client.get(detail(complaint.pk)).status_code == 404
    assert client.post(action(complaint.pk, "acknowledge"), {"version": 1}).status_code == 404
    task_create(
        complaint=complaint,
        actor=org.receiver,
        department_code="ky-thuat",
        title="Kiểm tra đường truyền",
    )
    page = client.get(detail(complaint.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kiểm tra đường truyền" in text
    assert "Vai trò của bạn không có thao tác nào ở trạng thái này." in text


def test_staff_may_not_take_a_desk_action(client, org, complaint):
    task_create(
        complaint=complaint, actor=org.receiver, department_code="ky-thuat", title="Kiểm tra"
    )
    client.force_login(org.staff)
    response = client.post(action(complaint.pk, "acknowledge"), {"version": complaint.version + 1})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_unknown_complaint_and_action_are_404(client, org, complaint):
    client.force_login(org.receiver)
    assert client.get(detail(999999)).status_code == 404
    assert client.post(action(complaint.pk, "fly-away"), {"version": 1}).status_code == 404


def test_action_with_version_moves_the_complaint(client, org, complaint):
    client.force_login(org.receiver)
    response = client.post(
        action(complaint.pk, "acknowledge"), {"version": complaint.version, "note": "Đã gọi lại"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged"
    page = client.get(detail(complaint.pk)).content.decode()
    assert "Đã thực hiện: Xác nhận đã tiếp nhận." in page
    assert "Đã gọi lại" in page


def test_stale_version_shows_a_conflict_and_changes_nothing(client, org, complaint):
    client.force_login(org.receiver)
    seen = complaint.version
    complaint_transition(complaint=complaint, action="start_verification", actor=org.head)
    response = client.post(
        action(complaint.pk, "answer_now"),
        {"version": seen, "explanation": "Hướng dẫn khởi động lại"},
    )
    assert response.status_code == 409
    assert (
        "Phiếu đã được người khác cập nhật; hãy tải lại rồi thử lại." in response.content.decode()
    )
    complaint.refresh_from_db()
    assert complaint.status == "verifying"


def test_conflict_message_in_english(client, org, complaint):
    client.force_login(org.receiver)
    client.cookies["django_language"] = "en"
    seen = complaint.version
    complaint_transition(complaint=complaint, action="start_verification", actor=org.head)
    response = client.post(
        action(complaint.pk, "answer_now"), {"version": seen, "explanation": "x"}
    )
    assert "Someone else updated this complaint; reload and try again." in response.content.decode()


def test_missing_input_is_shown_beside_its_field(client, org, complaint):
    complaint_transition(complaint=complaint, action="start_verification", actor=org.receiver)
    complaint.refresh_from_db()
    client.force_login(org.receiver)
    response = client.post(
        action(complaint.pk, "answer_later"), {"version": complaint.version, "reason": " "}
    )
    assert response.status_code == 422
    form = dict((row.action.value, f) for row, f in response.context["actions"])["answer_later"]
    assert form.errors["reason"] == ["Trường này là bắt buộc."]
    assert 'id="action-answer_later" open' in response.content.decode()


def test_task_create_and_staff_completes_it(client, org, complaint):
    client.force_login(org.receiver)
    response = client.post(
        reverse("web:task_new", args=[complaint.pk]),
        {
            "department": "ky-thuat",
            "title": "Đo tín hiệu tại nhà khách",
            "due_at": "31/12/2030 17:00",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(complaint=complaint)
    assert task.due_at.isoformat() == "2030-12-31T10:00:00+00:00"
    client.force_login(org.staff)
    url = reverse("web:task_edit", args=[complaint.pk, task.pk])
    response = client.post(url, {"version": task.version, "status": "done", "result": ""})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in response.content.decode()
    response = client.post(
        url, {"version": task.version, "status": "done", "result": "Đã thay đầu thu"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert task.result == "Đã thay đầu thu"


def test_staff_cannot_update_another_departments_task(client, org, complaint):
    own = task_create(
        complaint=complaint, actor=org.receiver, department_code="ky-thuat", title="A"
    )
    other = task_create(
        complaint=complaint, actor=org.receiver, department_code="ke-toan", title="B"
    )
    client.force_login(org.staff)
    url = reverse("web:task_edit", args=[complaint.pk, other.pk])
    assert client.post(url, {"version": other.version, "status": "in_progress"}).status_code == 403
    url = reverse("web:task_edit", args=[complaint.pk, own.pk])
    assert client.post(url, {"version": own.version, "status": "in_progress"}).status_code == 302


def test_messages_and_notes_are_kept_apart(client, org, complaint):
    client.force_login(org.receiver)
    url = reverse("web:complaint_message", args=[complaint.pk])
    client.post(
        url, {"kind": "message", "direction": "out", "body": "Chúng tôi đã nhận khiếu nại."}
    )
    client.post(url, {"kind": "note", "body": "Khách gọi lần 3, cần ưu tiên."})
    response = client.get(detail(complaint.pk))
    assert [m.body for m in response.context["public_messages"]] == ["Chúng tôi đã nhận khiếu nại."]
    assert [m.body for m in response.context["notes"]] == ["Khách gọi lần 3, cần ưu tiên."]
    empty = client.post(url, {"kind": "note", "body": ""})
    assert empty.status_code == 422
    assert empty.context["note_form"].errors["body"]


def test_staff_may_add_notes_but_not_messages(client, org, complaint):
    task_create(complaint=complaint, actor=org.receiver, department_code="ky-thuat", title="A")
    client.force_login(org.staff)
    url = reverse("web:complaint_message", args=[complaint.pk])
    assert client.post(url, {"kind": "message", "direction": "out", "body": "x"}).status_code == 403
    assert client.post(url, {"kind": "note", "body": "Đã kiểm tra"}).status_code == 302


def test_attachment_upload_preview_and_permission(client, org, complaint, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(org.receiver)
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("web:attachment_upload", args=[complaint.pk])
    client.post(url, {"file": SimpleUploadedFile("loi.png", PNG), "visibility": "internal"})
    client.post(url, {"file": SimpleUploadedFile("thu.pdf", PDF), "visibility": "public"})
    bad = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 100)})
    assert bad.status_code == 422
    assert "Loại tệp không được chấp nhận" in bad.content.decode()
    image, pdf = Attachment.objects.filter(complaint=complaint).order_by("pk")
    page = client.get(detail(complaint.pk)).content.decode()
    assert f'<img src="/attachments/{image.pk}/"' in page
    assert f'href="/attachments/{pdf.pk}/"' in page
    served = client.get(reverse("web:attachment_file", args=[image.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert (
        "attachment"
        in client.get(reverse("web:attachment_file", args=[pdf.pk]) + "?download=1")[
            "Content-Disposition"
        ]
    )
    client.force_login(org.staff)  # no task for technical: out of scope
    assert client.get(reverse("web:attachment_file", args=[image.pk])).status_code == 404


def test_assignment_change(client, org, complaint):
    client.force_login(org.head)
    # heads see complaints of their department; give it to technical first via the receiver
    client.force_login(org.receiver)
    response = client.post(
        reverse("web:complaint_assign", args=[complaint.pk]),
        {"version": complaint.version, "department": "ky-thuat", "assignee": "head"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.department.code == "ky-thuat"
    assert complaint.assignee == org.head


def test_head_sees_escalated_complaints_and_may_escalate(client, org, complaint):
    for name, inputs in [
        ("answer_now", {"explanation": "Giải thích"}),
        ("mark_unsatisfied", {"comment": "Chưa hài lòng"}),
    ]:
        complaint = complaint_transition(
            complaint=complaint, action=name, actor=org.receiver, inputs=inputs
        )
    client.force_login(org.head)
    assert client.get(detail(complaint.pk)).status_code == 404  # not their department yet
    client.force_login(org.leadership)
    response = client.post(
        action(complaint.pk, "escalate"),
        {"version": complaint.version, "level": "leadership", "reason": "Khách không đồng ý"},
    )
    assert response.status_code == 302
    client.force_login(org.head)
    assert client.get(detail(complaint.pk)).status_code == 200
    assert complaint.code in client.get(reverse("web:board")).content.decode()


def test_the_reply_letter_is_issued_by_a_deliberate_post_once_there_is_a_result(
    client, org, complaint_factory
):
    from complaintdesk.documents.models import ReplyLetter

    complaint = complaint_factory.create(actor=org.receiver, channel="letter")
    url = reverse("web:reply_letter_issue", args=[complaint.pk])
    client.force_login(org.receiver)
    page = client.get(reverse("web:complaint_detail", args=[complaint.pk])).content.decode()
    assert "Ban hành công văn trả lời" not in page  # nothing to answer with yet
    refused = client.post(url, {"version": complaint.version}, follow=True).content.decode()
    assert "Phiếu chưa có kết quả giải quyết" in refused
    complaint = complaint_transition(
        complaint=complaint,
        action="answer_now",
        actor=org.receiver,
        inputs={"explanation": "Gói cước đã được hoàn tiền ngày 05/03/2026."},
    )
    page = client.get(reverse("web:complaint_detail", args=[complaint.pk])).content.decode()
    assert "Ban hành công văn trả lời" in page
    stale = client.post(url, {"version": complaint.version - 1}, follow=True).content.decode()
    assert "Phiếu đã được người khác cập nhật" in stale
    assert client.get(url).status_code == 405
    assert not ReplyLetter.objects.exists()
    done = client.post(url, {"version": complaint.version}, follow=True).content.decode()
    letter = ReplyLetter.objects.get()
    assert f"Đã ban hành công văn số {letter.reference}." in done
    assert f"Công văn số {letter.reference} (PDF)" in done
    assert "Gói cước đã được hoàn tiền" in letter.body
