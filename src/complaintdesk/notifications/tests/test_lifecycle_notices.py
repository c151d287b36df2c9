"""The notices a procedure names for a complaint's events reach the outbox and the customer.

complaint service → procedure_apply_event → complaints.hooks.emit_notices → notifications →
outbox row (same transaction) → after commit intake's OutboxDeliverer → a real SMTP server on
loopback or the provider APIs on a local recording HTTP server.
"""

from __future__ import annotations

import uuid
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.intake.base import InboundMessage
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import CUSTOMER, mail
from complaintdesk.intake.email.tests.servers import SmtpSink, free_port
from complaintdesk.intake.services import intake_accept, intake_receive
from complaintdesk.intake.tests.httpstub import start_stub
from complaintdesk.intake.webchat.services import Contact, chat_message_receive, chat_session_start
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox, OutboxStatus
from complaintdesk.notifications.notices import customer_address, on_procedure_notices

pytestmark = pytest.mark.django_db
DELIVERER = "complaintdesk.intake.delivery.OutboxDeliverer"
PSID = "psid-7788"
ZALO_USER = "zalo-user-4455"


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()


@pytest.fixture
def providers(settings):
    """SMS, Messenger and Zalo delivered through intake's adapters to a recording server."""
    stub = start_stub()
    settings.NOTIFICATION_DELIVERERS = {"sms": DELIVERER, "facebook": DELIVERER, "zalo": DELIVERER}
    settings.ESMS_API_BASE = stub.url
    settings.ESMS_API_KEY, settings.ESMS_SECRET_KEY, settings.ESMS_BRANDNAME = "k", "s", "CSKH"
    settings.FACEBOOK_PAGE_TOKEN = "page-token"
    settings.FACEBOOK_GRAPH_API_BASE = stub.url + "/v21.0"
    settings.ZALO_ACCESS_TOKEN = "zalo-token"
    settings.ZALO_OA_API_BASE = stub.url
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def act(complaint, action, org, **inputs):
    return complaint_transition(
        complaint=complaint, action=action, actor=org.receiver, inputs=inputs
    )


def rows(complaint):
    return list(
        Outbox.objects.filter(complaint=complaint)
        .order_by("id")
        .values_list("notice", "channel", "recipient")
    )


def journal(complaint, prefix="notice."):
    return list(
        JournalEntry.objects.filter(complaint_id=complaint.pk, action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def from_channel(channel, **sender):
    now = timezone.now()
    return intake_receive(
        InboundMessage(
            channel=channel,
            provider_message_id=f"{channel}-{uuid.uuid4().hex}",
            received_at=now,
            text="Không xem được kênh thể thao",
            thread_key=sender.get("sender_facebook_id") or sender.get("sender_zalo_id", ""),
            **sender,
        ),
        now=now,
    ).complaint


def test_acknowledging_an_email_complaint_mails_the_customer_in_their_thread(
    smtp, org, django_capture_on_commit_callbacks
):
    now = timezone.now()
    incoming = mail(message_id="<goc-42@khachhang.vn>", subject="Bị trừ tiền hai lần")
    complaint = intake_accept(
        parse_email(incoming.as_bytes(), received_at=now, own=OwnIdentity()), now=now
    ).complaint
    assert rows(complaint) == []  # receipt alone names no notice in the vieon procedure

    with django_capture_on_commit_callbacks(execute=True):
        complaint = act(complaint, "acknowledge", org)

    [row] = Outbox.objects.filter(complaint=complaint)
    assert (row.notice, row.channel, row.recipient) == ("acknowledgement", "email", CUSTOMER)
    assert row.dedupe_key == f"procedure:{complaint.pk}:acknowledge:acknowledgement:v2"
    assert row.status == OutboxStatus.SENT  # delivered after commit by the task
    assert journal(complaint) == ["notice.queued", "notice.sent"]
    (rcpts, data), *others = smtp.received
    assert rcpts == [CUSTOMER] and not others
    sent = message_from_bytes(data, policy=policy.default)
    assert sent["In-Reply-To"] == "<goc-42@khachhang.vn>"
    assert "<goc-42@khachhang.vn>" in sent["References"]
    assert sent["Subject"].strip() == f"[{complaint.code}] Đã tiếp nhận khiếu nại của Quý khách"
    text = sent.get_body(("plain",)).get_content()
    assert complaint.code in text and "Bị trừ tiền hai lần" in text


def test_each_event_queues_what_the_procedure_names_once(org, settings):
    settings.NOTIFICATION_DELIVERERS = {}
    complaint = ComplaintFactory.create(
        actor=org.receiver,
        customer={"name": "Lê Thị Hạnh", "phone": "0912000111", "email": "hanh@example.vn"},
    )
    complaint = act(complaint, "start_verification", org)
    complaint = act(complaint, "acknowledge", org)
    # A second acknowledgement (a self-loop while verifying) tells the customer nothing new.
    complaint = act(complaint, "acknowledge", org)
    complaint = act(complaint, "answer_later", org, reason="Cần kiểm tra với phòng Kỹ thuật")
    complaint = act(complaint, "coordinate", org, department="ky-thuat", instructions="Kiểm tra")
    complaint = act(complaint, "resolve", org, resolution="Đã khôi phục gói cước.")
    complaint = act(complaint, "notify_result", org, message="Gói cước đã được khôi phục.")

    email = ("email", "hanh@example.vn")
    assert rows(complaint) == [
        ("acknowledgement", *email),
        ("more_time", *email),
        ("result", *email),
        ("survey", *email),
    ]
    result = Outbox.objects.get(complaint=complaint, notice="result")
    assert "Đã khôi phục gói cước." in result.body
    assert journal(complaint) == [
        "notice.queued",
        "notice.skipped",
        "notice.queued",
        "notice.queued",
        "notice.queued",
    ]
    skipped = JournalEntry.objects.get(complaint_id=complaint.pk, action="notice.skipped")
    assert skipped.after["reason"] == "already_acknowledged"

    # The handler run again for the same occurrence (a retried job) queues nothing.
    with transaction.atomic():
        on_procedure_notices(
            complaint=complaint,
            event="notify_result",
            notices=["result", "survey"],
            actor=None,
            now=timezone.now(),
        )
    assert Outbox.objects.filter(complaint=complaint).count() == 4


def test_a_change_that_rolls_back_queues_no_notice(org):
    complaint = ComplaintFactory.create(
        actor=org.receiver, customer={"name": "An", "email": "an@example.vn"}
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        act(complaint, "acknowledge", org)
        assert Outbox.objects.filter(complaint=complaint).count() == 1
        raise RuntimeError("the request failed after the action")
    assert not Outbox.objects.filter(complaint=complaint).exists()
    assert journal(complaint) == []


def test_notices_go_back_on_the_channel_of_origin(org, providers):
    both = {"name": "Phạm Văn Dũng", "phone": "0987000222", "email": "dung@example.vn"}
    by_phone = ComplaintFactory.create(actor=org.receiver, channel="hotline", customer=both)
    assert customer_address(by_phone) == ("sms", "+84987000222")
    by_mail = ComplaintFactory.create(actor=org.receiver, channel="email", customer=both)
    assert customer_address(by_mail) == ("email", "dung@example.vn")
    by_letter = ComplaintFactory.create(actor=org.receiver, channel="letter", customer=both)
    assert customer_address(by_letter) == ("sms", "+84987000222")
    facebook = from_channel("facebook", sender_facebook_id=PSID, sender_email="fb@example.vn")
    assert customer_address(facebook) == ("facebook", PSID)
    zalo = from_channel("zalo", sender_zalo_id=ZALO_USER, sender_phone="0905000333")
    assert customer_address(zalo) == ("zalo", ZALO_USER)
    # The customer's stated preference comes first.
    Customer.objects.filter(pk=by_phone.customer_id).update(preferred_channel="email")
    by_phone.customer.refresh_from_db()
    assert customer_address(by_phone) == ("email", "dung@example.vn")


def test_without_an_sms_gateway_a_caller_is_told_by_email_then_not_at_all(org, settings):
    settings.NOTIFICATION_DELIVERERS = {}
    call = ComplaintFactory.create(
        actor=org.receiver,
        channel="hotline",
        customer={"name": "Vũ Minh", "phone": "0912000999", "email": "minh@example.vn"},
    )
    assert customer_address(call) == ("email", "minh@example.vn")
    facebook = from_channel("facebook", sender_facebook_id=PSID)
    assert customer_address(facebook) is None
    act(facebook, "acknowledge", org)
    assert rows(facebook) == []
    assert journal(facebook) == ["notice.unreachable"]


def test_a_caller_gets_the_acknowledgement_by_sms(
    org, providers, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory.create(
        actor=org.receiver,
        channel="hotline",
        customer={"name": "Đỗ Thị Lan", "phone": "0912345679", "email": "lan@example.vn"},
    )
    providers.answer(200, {"CodeResult": "100", "SMSID": "sms-ack-1"})
    with django_capture_on_commit_callbacks(execute=True):
        act(complaint, "acknowledge", org)
    row = Outbox.objects.get(complaint=complaint)
    assert (row.notice, row.channel, row.recipient, row.status) == (
        "acknowledgement",
        "sms",
        "+84912345679",
        OutboxStatus.SENT,
    )
    assert row.provider_message_id == "sms-ack-1"
    [request] = providers.posts
    assert request.path == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    assert request.json["Phone"] == "84912345679"
    assert complaint.code in request.json["Content"]


def test_a_messenger_customer_hears_the_result_in_their_conversation(
    org, providers, django_capture_on_commit_callbacks
):
    complaint = from_channel("facebook", sender_facebook_id=PSID, sender_name="Hoàng Yến")
    providers.answer(200, {"recipient_id": PSID, "message_id": "m_result"})
    providers.answer(200, {"recipient_id": PSID, "message_id": "m_survey"})
    with django_capture_on_commit_callbacks(execute=True):
        act(complaint, "answer_now", org, explanation="Quý khách hãy cập nhật ứng dụng.")
    assert rows(complaint) == [("result", "facebook", PSID), ("survey", "facebook", PSID)]
    first, second = providers.posts
    assert first.path == "/v21.0/me/messages"
    assert first.json["recipient"] == {"id": PSID}
    assert first.json["messaging_type"] == "RESPONSE"
    assert "Quý khách hãy cập nhật ứng dụng." in first.json["message"]["text"]
    assert complaint.code in second.json["message"]["text"]
    assert set(Outbox.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_refused_sms_is_not_retried(org, providers, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory.create(
        actor=org.receiver, channel="hotline", customer={"name": "X", "phone": "0912345670"}
    )
    providers.answer(200, {"CodeResult": "99", "ErrorMessage": "Phone blocked"})
    with django_capture_on_commit_callbacks(execute=True):
        act(complaint, "acknowledge", org)
    row = Outbox.objects.get(complaint=complaint)
    assert row.status == OutboxStatus.DEAD
    assert row.last_error.startswith("eSMS error 99")
    assert journal(complaint) == ["notice.queued", "notice.dead"]


def test_the_chat_receipt_is_the_acknowledgement(org, providers):
    session = chat_session_start(contact=Contact(name="Trịnh Hà", phone="0912111222"))
    receipt = chat_message_receive(session=session, text="Ứng dụng báo lỗi thanh toán")
    complaint = receipt.result.complaint
    sent = JournalEntry.objects.get(complaint_id=complaint.pk, action="notice.sent")
    assert (sent.after["notice"], sent.after["channel"]) == ("acknowledgement", "chat")
    assert sent.target.startswith("chat:")

    act(complaint, "acknowledge", org)
    assert rows(complaint) == []  # not a second time by SMS
    assert journal(complaint) == ["notice.sent", "notice.skipped"]
    assert providers.posts == []
