"""Email delivered through a real SMTP server on the loopback interface (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from complaintdesk.notifications.deliverers import _load
from complaintdesk.notifications.models import OutboxStatus
from complaintdesk.notifications.services import outbox_deliver, outbox_enqueue

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("khongtontai@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("banron@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "cskh@complaintdesk.local"
    _load.cache_clear()
    yield mailbox
    controller.stop()


def _queue(complaint, recipient, key):
    with transaction.atomic():
        row, _ = outbox_enqueue(
            channel="email",
            recipient=recipient,
            notice="force_majeure_delay",
            dedupe_key=key,
            context={
                "code": complaint.code,
                "customer_name": "Phạm Thị Dung",
                "reason": "bão số 3 gây mất điện diện rộng",
                "starts": "01/03/2026",
            },
            complaint_id=complaint.pk,
            now=NOW,
        )
    return row


def test_notice_is_delivered_over_smtp(smtp_server, org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    row = _queue(complaint, "dung@example.vn", "fm:1:c")
    attempt = outbox_deliver(outbox_id=row.pk, now=NOW)
    assert attempt.outcome == "sent", attempt.error
    [(rcpt, raw)] = smtp_server.received
    assert rcpt == ["dung@example.vn"]
    message = message_from_bytes(raw, policy=policy.default)
    assert (
        message["Subject"].strip()
        == f"[{complaint.code}] Thông báo chậm xử lý do sự kiện bất khả kháng"
    )
    assert message["From"] == "cskh@complaintdesk.local"
    assert message["Message-ID"] == attempt_message_id(row)
    # Text and HTML alternatives (the default deliverer is intake's email adapter).
    body = message.get_body(("plain",)).get_content()
    assert "bão số 3 gây mất điện diện rộng" in message.get_body(("html",)).get_content()
    assert "Do sự kiện bất khả kháng (bão số 3 gây mất điện diện rộng)" in body
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.provider_message_id == message["Message-ID"]


def attempt_message_id(row):
    from complaintdesk.notifications.deliverers import message_id_for

    return message_id_for(row.dedupe_key)


def test_smtp_refusals_are_told_apart(smtp_server, org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    unknown = _queue(complaint, "khongtontai@example.vn", "k1")
    busy = _queue(complaint, "banron@example.vn", "k2")
    dead = outbox_deliver(outbox_id=unknown.pk, now=NOW)
    retry = outbox_deliver(outbox_id=busy.pk, now=NOW)
    assert dead.outcome == "dead"
    assert "khongtontai@example.vn" in dead.error
    assert retry.outcome == "failed"
    assert smtp_server.received == []


def test_smtp_server_down_is_retried(settings, org, complaint_factory):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    _load.cache_clear()
    complaint = complaint_factory.create(actor=org.receiver)
    row = _queue(complaint, "an@example.vn", "k3")
    attempt = outbox_deliver(outbox_id=row.pk, now=NOW)
    assert attempt.outcome == "failed"
    assert attempt.error.startswith("ConnectionRefusedError")
