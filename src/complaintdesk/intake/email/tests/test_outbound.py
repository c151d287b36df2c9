"""Mail to the customer through a real SMTP server (aiosmtpd on loopback), threaded onto theirs."""

from __future__ import annotations

from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from django.utils import timezone

from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.delivery import ChannelSendFailed, OutboxDeliverer, stable_message_id
from complaintdesk.intake.email.outbound import EmailAdapter
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import CUSTOMER, mail
from complaintdesk.intake.models import ComplaintThread
from complaintdesk.intake.outbound import outbound_send
from complaintdesk.intake.registry import adapter_for
from complaintdesk.intake.services import intake_accept

pytestmark = pytest.mark.django_db
OWN = OwnIdentity(frozenset({"cskh@complaintdesk.local"}), frozenset({"complaintdesk.local"}))


def receive(msg):
    now = timezone.now()
    return intake_accept(parse_email(msg.as_bytes(), received_at=now, own=OWN), now=now)


def only_mail(sink):
    assert len(sink.received) == 1
    rcpts, data = sink.received[0]
    return rcpts, message_from_bytes(data, policy=policy.default)


def test_reply_is_threaded_onto_the_customers_mail(smtp_server, settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "cskh.complaintdesk.local"
    first = receive(mail(message_id="<q1@khachhang.vn>", subject="Không xem được phim"))
    receive(
        mail(
            message_id="<q2@khachhang.vn>",
            in_reply_to="<q1@khachhang.vn>",
            references="<q1@khachhang.vn>",
            subject="Re: Không xem được phim",
            text="Bổ sung",
        )
    )
    complaint = first.complaint
    result = outbound_send(
        complaint=complaint,
        channel="email",
        recipient=CUSTOMER,
        text="Chúng tôi đã kiểm tra & khắc phục.\nTrân trọng.",
    )
    assert result.ok
    rcpts, sent = only_mail(smtp_server)
    assert rcpts == [CUSTOMER]
    assert sent["Subject"].strip() == f"[{complaint.code}] Re: Không xem được phim"
    assert sent["In-Reply-To"] == "<q2@khachhang.vn>"
    assert sent["References"] == "<q1@khachhang.vn> <q2@khachhang.vn>"
    assert sent["Message-ID"] == result.provider_message_id
    assert sent["Message-ID"].endswith("@cskh.complaintdesk.local>")
    assert sent["From"] == settings.DEFAULT_FROM_EMAIL
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert text.replace("\r\n", "\n").strip() == "Chúng tôi đã kiểm tra & khắc phục.\nTrân trọng."
    assert "kiểm tra &amp; khắc phục.<br>Trân trọng." in html
    # The customer's answer to our mail joins the same complaint.
    answer = receive(
        mail(
            message_id="<q3@khachhang.vn>",
            in_reply_to=result.provider_message_id,
            subject=f"Re: [{complaint.code}] Re: Không xem được phim",
            text="Cảm ơn",
        )
    )
    assert (answer.complaint, answer.threaded_by) == (complaint, "in_reply_to")
    assert ComplaintThread.objects.filter(complaint=complaint, direction="out").count() == 1


def test_a_notice_to_a_colleague_is_not_threaded_onto_the_customers_mail(smtp_server):
    complaint = receive(mail(message_id="<c1@khachhang.vn>")).complaint
    assert outbound_send(
        complaint=complaint,
        channel="email",
        recipient="truongphong@complaintdesk.local",
        text="Phiếu cần xử lý",
        subject="Phiếu quá hạn",
    ).ok
    _, sent = only_mail(smtp_server)
    assert sent["In-Reply-To"] is None and sent["References"] is None
    assert sent["Subject"].strip() == f"[{complaint.code}] Phiếu quá hạn"


def test_outbox_deliverer_threads_a_notice_and_keeps_its_message_id_on_retry(smtp_server):
    complaint = receive(mail(message_id="<n1@khachhang.vn>")).complaint
    notice = SimpleNamespace(
        outbox_id=7,
        channel="email",
        recipient=CUSTOMER,
        dedupe_key=f"ack:{complaint.pk}",
        subject=f"[{complaint.code}] Đã tiếp nhận khiếu nại của Quý khách",
        body="Kính gửi Quý khách,\nChúng tôi đã tiếp nhận.",
        language="vi",
    )
    provider_id = OutboxDeliverer().send(notice)
    assert provider_id == stable_message_id(notice.dedupe_key)
    _, sent = only_mail(smtp_server)
    assert sent["In-Reply-To"] == "<n1@khachhang.vn>"
    assert sent["Subject"].strip() == notice.subject
    assert sent["Message-ID"] == provider_id


def test_refusals_are_reported_as_permanent_or_retryable(smtp_server):
    adapter = adapter_for("email")
    assert isinstance(adapter, EmailAdapter)
    gone = adapter.send(
        OutboundMessage(
            channel="email", recipient="khongtontai@khachhang.vn", text="x", subject="s"
        )
    )
    later = adapter.send(
        OutboundMessage(channel="email", recipient="banron@khachhang.vn", text="x", subject="s")
    )
    bad = adapter.send(
        OutboundMessage(channel="email", recipient="không phải địa chỉ", text="x", subject="s")
    )
    assert (gone.ok, gone.retryable) == (False, False)
    assert gone.error.startswith("recipient refused: 550")
    assert (later.ok, later.retryable) == (False, True)
    assert (bad.ok, bad.retryable, bad.error) == (False, False, "invalid recipient address")
    notice = SimpleNamespace(
        channel="email",
        recipient="khongtontai@khachhang.vn",
        dedupe_key="k",
        subject="Không có mã",
        body="x",
    )
    with pytest.raises(ChannelSendFailed) as failed:
        OutboxDeliverer().send(notice)
    assert failed.value.permanent


def test_smtp_server_down_is_retryable(settings):
    from complaintdesk.intake.email.tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    result = EmailAdapter().send(
        OutboundMessage(channel="email", recipient=CUSTOMER, text="x", subject="s")
    )
    assert (result.ok, result.retryable) == (False, True)
    assert result.error.startswith("ConnectionRefusedError")


def test_unknown_channel_has_no_adapter():
    with pytest.raises(LookupError, match="no adapter for channel 'fax'"):
        adapter_for("fax")
