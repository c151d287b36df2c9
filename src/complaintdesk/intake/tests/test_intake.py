"""The intake service: new complaints, follow-ups threaded onto them, duplicates, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaintdesk.complaints.models import Attachment, Complaint, CustomerIdentity, Message
from complaintdesk.intake.base import InboundAttachment, InboundMessage
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import CUSTOMER, PNG, mail
from complaintdesk.intake.models import ComplaintThread, InboundRecord, InboundStatus
from complaintdesk.intake.services import intake_accept, intake_receive, intake_reprocess
from complaintdesk.journal.models import JournalEntry

pytestmark = pytest.mark.django_db
OWN = OwnIdentity(frozenset({"cskh@complaintdesk.local"}), frozenset({"complaintdesk.local"}))


def receive(msg, now=None):
    now = now or timezone.now()
    return intake_accept(parse_email(msg.as_bytes(), received_at=now, own=OWN), now=now)


def actions(complaint):
    """The complaint's journal, without what the procedure adds (clocks, notices)."""
    entries = JournalEntry.objects.filter(chain=f"c:{complaint.pk}").order_by("seq")
    return [
        a
        for a in entries.values_list("action", flat=True)
        if not a.startswith(("clock.", "notice."))
    ]


def chat(text="Cho tôi hỏi về gói cước", *, mid="m-1", thread="psid-1", **extra):
    return InboundMessage(
        channel="facebook",
        provider_message_id=mid,
        received_at=timezone.now(),
        text=text,
        sender_name="Trần Thị Bình",
        sender_facebook_id="psid-1",
        thread_key=thread,
        **extra,
    )


def test_a_new_mail_opens_a_complaint_for_the_sender():
    result = receive(mail(subject="Bị trừ tiền hai lần", text="Nội dung chi tiết.\nDòng hai."))
    complaint = result.complaint
    assert result.created_complaint and not result.duplicate and result.message is None
    assert complaint.channel == "email"
    assert complaint.kind == "complaint"
    assert complaint.subject == "Bị trừ tiền hai lần"
    assert complaint.description == "Nội dung chi tiết.\nDòng hai."
    assert complaint.customer.name == "Nguyễn Văn An"
    assert CustomerIdentity.objects.filter(
        customer=complaint.customer, kind="email", value=CUSTOMER
    ).exists()
    assert actions(complaint) == ["complaint.created"]
    record = result.record
    assert (record.status, record.complaint_id, record.created_complaint) == (
        "ok",
        complaint.pk,
        True,
    )
    assert bytes(record.raw).startswith(b"From: ")


def test_subject_falls_back_to_the_first_line_of_text():
    result = intake_receive(chat("Dòng đầu tiên\nDòng sau"))
    assert result.complaint.subject == "Dòng đầu tiên"


def test_the_same_mail_twice_creates_nothing_more():
    msg = mail()
    first = receive(msg)
    second = receive(msg)
    assert second.duplicate and not second.created_complaint
    assert second.complaint == first.complaint
    assert Complaint.objects.count() == 1
    assert InboundRecord.objects.get().deliveries == 2
    assert actions(first.complaint) == ["complaint.created"]


def test_reply_joins_by_in_reply_to():
    first = receive(mail(message_id="<q1@khachhang.vn>"))
    reply = receive(
        mail(
            subject="Re: Không xem được phim",
            text="Bổ sung: mã giao dịch 123.",
            in_reply_to="<q1@khachhang.vn>",
        )
    )
    assert reply.complaint == first.complaint
    assert (reply.created_complaint, reply.duplicate, reply.threaded_by) == (
        False,
        False,
        "in_reply_to",
    )
    assert reply.message.direction == "in"
    assert reply.message.body == "Bổ sung: mã giao dịch 123."
    assert actions(first.complaint) == ["complaint.created", "message.in"]


def test_reply_joins_by_references_when_in_reply_to_is_unknown():
    first = receive(mail(message_id="<r1@khachhang.vn>"))
    reply = receive(
        mail(in_reply_to="<unknown@elsewhere>", references="<older@elsewhere> <r1@khachhang.vn>")
    )
    assert (reply.complaint, reply.threaded_by) == (first.complaint, "references")


def test_code_in_subject_joins_only_for_the_same_customer():
    first = receive(mail())
    code = first.complaint.code
    same = receive(mail(subject=f"Hỏi tiến độ phiếu {code.lower()}"))
    assert (same.complaint, same.threaded_by) == (first.complaint, "code")
    stranger = receive(mail(subject=f"Về phiếu [{code}]", sender="Người khác <khac@gmail.com>"))
    assert stranger.created_complaint
    assert stranger.complaint != first.complaint


def test_thread_key_joins_an_open_complaint_only():
    first = intake_receive(chat(mid="m-1"))
    follow = intake_receive(chat("Bổ sung ảnh", mid="m-2"))
    assert (follow.complaint, follow.threaded_by) == (first.complaint, "thread_key")
    Complaint.objects.filter(pk=first.complaint.pk).update(status="closed")
    later = intake_receive(chat("Vấn đề mới", mid="m-3"))
    assert later.created_complaint


def test_attachments_are_kept_and_a_refused_one_is_noted():
    result = intake_receive(
        chat(
            mid="m-att",
            attachments=(
                InboundAttachment("ảnh.png", PNG, "image/png"),
                InboundAttachment(
                    "virus.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"
                ),
            ),
        )
    )
    complaint = result.complaint
    assert list(
        Attachment.objects.filter(complaint=complaint).values_list("content_type", flat=True)
    ) == ["image/png"]
    note = Message.objects.get(complaint=complaint, direction="note")
    assert note.body.startswith("Tệp đính kèm không được nhận: virus.exe (")
    assert "refused attachments: virus.exe" in result.record.reason
    assert actions(complaint) == ["complaint.created", "attachment.added", "note.added"]


def test_a_message_nobody_can_be_identified_by_is_kept_as_malformed():
    result = intake_receive(
        InboundMessage(
            channel="web",
            provider_message_id="w-1",
            received_at=timezone.now(),
            text="Không để lại liên hệ",
        )
    )
    assert result.complaint is None
    assert result.record.status == InboundStatus.MALFORMED
    assert result.record.reason.startswith("refused by complaint intake: ")
    assert Complaint.objects.count() == 0


def test_ignored_mail_is_recorded_once_and_opens_nothing():
    msg = mail(headers={"Auto-Submitted": "auto-replied"})
    first, again = receive(msg), receive(msg)
    assert first.record.status == "ignored" and first.complaint is None
    assert again.duplicate and InboundRecord.objects.get().deliveries == 2
    assert Complaint.objects.count() == 0


def test_message_typed_in_by_an_agent_is_not_added_twice():
    first = intake_receive(chat(mid="m-1"))
    from complaintdesk.complaints.services import message_add

    message_add(
        complaint=first.complaint,
        actor=None,
        body="Tin đã nhập tay",
        direction="in",
        channel="facebook",
        provider_message_id="m-typed",
    )
    result = intake_receive(chat("Tin đã nhập tay", mid="m-typed"))
    assert result.duplicate and result.record.status == "duplicate"
    assert Message.objects.filter(provider_message_id="m-typed").count() == 1


def test_thread_keys_are_remembered_for_both_kinds():
    result = intake_receive(chat(mid="m-9", thread="psid-9"))
    keys = set(
        ComplaintThread.objects.filter(complaint=result.complaint).values_list("kind", "value")
    )
    assert keys == {("message_id", "m-9"), ("thread", "psid-9")}


def test_received_at_in_the_future_is_taken_as_now():
    now = timezone.now()
    msg = InboundMessage(
        channel="facebook",
        provider_message_id="f-1",
        received_at=now + timedelta(days=2),
        text="Xin chào",
        sender_facebook_id="psid-2",
    )
    assert intake_receive(msg, now=now).complaint.received_at == now


def test_reprocessing_a_malformed_record_files_it():
    raw = mail().as_bytes()
    from complaintdesk.intake.services import intake_record_failure

    failed = intake_record_failure(
        channel="email", provider_message_id="<x@y>", raw=raw, reason="boom"
    )
    assert failed.record.status == "malformed"
    outcome = parse_email(raw, received_at=timezone.now(), own=OWN)
    result = intake_reprocess(record=failed.record, outcome=outcome)
    assert result.created_complaint
