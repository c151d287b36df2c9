"""A customer follows their complaint and answers from the tracking page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.complaints.models import Attachment, Message
from complaintdesk.core.clock import utcnow
from complaintdesk.journal.models import JournalEntry
from complaintdesk.sla.jobs import sweep_deadlines
from complaintdesk.sla.selectors import clocks_for

from .helpers import filed, sign_in

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_unsatisfied_customer_reopens_handling_and_the_complaint_escalates(client, org):
    complaint = filed(org, "result_notified", channel="letter", procedure="qcatv")
    sign_in(client, complaint)
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert "Đã thông báo kết quả" in page  # public timeline
    assert "Tôi chưa hài lòng" in page and "Tôi hài lòng" in page

    answered = client.post(
        "/tra-cuu/phieu/unsatisfied/", {"text": "Vẫn mất tín hiệu vào buổi tối."}, follow=True
    )
    assert "Đã ghi nhận yêu cầu của Quý khách." in answered.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "unsatisfied"
    entry = JournalEntry.objects.get(complaint=complaint, action="action.mark_unsatisfied")
    assert (entry.actor_label, entry.public) == ("customer", True)
    assert entry.after["inputs"] == {"comment": "Vẫn mất tín hiệu vào buổi tối."}
    shown = {c["name"]: c["state"] for c in clocks_for(complaint)}
    assert shown["escalation"] == "running"

    sweep_deadlines(now=utcnow() + timedelta(hours=49))

    complaint.refresh_from_db()
    assert complaint.status == "escalated"
    escalated = JournalEntry.objects.get(complaint=complaint, action="action.escalate")
    assert escalated.actor_label == "system"
    assert escalated.after["inputs"]["level"] == "heads"
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert "Chuyển lãnh đạo xử lý" in page


def test_a_satisfied_customer_closes_the_complaint(client, org):
    complaint = filed(org, "result_notified")
    sign_in(client, complaint)
    client.post("/tra-cuu/phieu/satisfied/", {"text": ""})
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_the_customer_adds_information_a_file_and_asks_to_negotiate(client, org):
    complaint = filed(org, procedure="consumer-law")
    sign_in(client, complaint)

    client.post("/tra-cuu/phieu/message/", {"text": "Mã hợp đồng của tôi là HD-123."})
    message = Message.objects.get(complaint=complaint, direction="in")
    assert (message.channel, message.body) == ("web", "Mã hợp đồng của tôi là HD-123.")

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("/tra-cuu/phieu/attachment/", {"file": SimpleUploadedFile("anh.png", PNG)})
    assert Attachment.objects.get(complaint=complaint).visibility == "public"
    fake = client.post(
        "/tra-cuu/phieu/attachment/",
        {"file": SimpleUploadedFile("hoa-don.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    )
    assert Attachment.objects.filter(complaint=complaint).count() == 1
    assert 'class="flash-error"' in fake.content.decode()

    client.post("/tra-cuu/phieu/negotiate/", {"text": "Đề nghị gặp trực tiếp."})
    labels = set(
        JournalEntry.objects.filter(
            complaint=complaint,
            action__in=[
                "portal.message_added",
                "portal.attachment_added",
                "action.request_negotiation",
            ],
        ).values_list("actor_label", flat=True)
    )
    assert labels == {"customer"}
    names = [c["name"] for c in clocks_for(complaint)]
    assert "negotiate" in names
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert "Mã hợp đồng của tôi là HD-123." in page


def test_withdrawing_is_refused_with_a_message_once_closed(client, org):
    complaint = filed(org)
    sign_in(client, complaint)
    client.post("/tra-cuu/phieu/withdraw/", {"text": "Đã tự khắc phục."})
    complaint.refresh_from_db()
    assert complaint.status == "withdrawn"
    again = client.post("/tra-cuu/phieu/withdraw/", {"text": "Lần nữa"}, follow=True)
    assert 'class="flash-error"' in again.content.decode()


def test_the_customer_downloads_the_reply_letter_from_the_link_in_the_notice(client, org):
    from complaintdesk.documents.services import letter_issue
    from complaintdesk.notifications.models import Outbox

    complaint = filed(org, channel="letter", procedure="qcatv")
    assert client.get("/tra-cuu/phieu/cong-van.pdf")["Location"] == "/tra-cuu/"
    complaint.resolution = "Đã khôi phục tín hiệu ngày 04/03/2026."
    complaint.save(update_fields=["resolution"])
    letter = letter_issue(complaint=complaint, actor=org.receiver)
    body = Outbox.objects.get(complaint=complaint, notice="reply_letter").body
    link = body.split("tại: ")[1].split()[0]
    assert client.get(link)["Location"] == "/tra-cuu/phieu/"
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert f"Tải công văn số {letter.reference}" in page
    assert "Đã ban hành công văn trả lời" in page
    pdf = client.get("/tra-cuu/phieu/cong-van.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_information_sent_twice_from_one_page_is_recorded_once(client, org):
    complaint = filed(org, procedure="consumer-law")
    sign_in(client, complaint)
    page = client.get("/tra-cuu/phieu/").content.decode()
    key = page.split('name="submit_key" value="')[1].split('"')[0]
    data = {"text": "Mã hợp đồng của tôi là HD-123.", "submit_key": key}
    client.post("/tra-cuu/phieu/message/", data)
    client.post("/tra-cuu/phieu/message/", data)  # a double click or a browser resend
    assert Message.objects.filter(complaint=complaint, direction="in").count() == 1
    marks = JournalEntry.objects.filter(complaint_id=complaint.pk, action="portal.message_added")
    assert marks.count() == 1
    client.post("/tra-cuu/phieu/message/", {**data, "submit_key": "x" * 32})  # not a key
    assert Message.objects.filter(complaint=complaint, direction="in").count() == 2


def test_a_rating_from_a_page_older_than_the_complaint_is_not_taken(client, org):
    """The customer rates what their page showed: if the complaint changed since (another
    result was recorded, or the form was sent twice), they are asked to look again."""
    from complaintdesk.complaints.services import message_add

    complaint = filed(org, "result_notified")
    sign_in(client, complaint)
    page = client.get("/tra-cuu/phieu/").content.decode()
    shown = page.split('name="version" value="')[1].split('"')[0]
    message_add(complaint=complaint, actor=org.receiver, body="Bổ sung kết quả", direction="out")
    stale = client.post(
        "/tra-cuu/phieu/satisfied/", {"text": "", "version": shown}, follow=True
    ).content.decode()
    assert "Phiếu vừa có cập nhật mới" in stale
    complaint.refresh_from_db()
    assert complaint.status == "result_notified"
    fresh = stale.split('name="version" value="')[1].split('"')[0]
    assert fresh != shown
    client.post("/tra-cuu/phieu/satisfied/", {"text": "", "version": fresh})
    complaint.refresh_from_db()
    assert complaint.status == "closed"
