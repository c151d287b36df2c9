"""Across intake and notifications: a complaint that came by email gets its notices by email,
addressed to the sender and threaded onto their mail (outbox → intake's OutboxDeliverer → SMTP)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import CUSTOMER, mail
from complaintdesk.intake.email.tests.servers import SmtpSink, free_port
from complaintdesk.intake.services import intake_accept
from complaintdesk.notifications.notices import customer_notice_enqueue
from complaintdesk.notifications.services import outbox_deliver


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NOTIFICATION_DELIVERERS = {"email": "complaintdesk.intake.delivery.OutboxDeliverer"}
    yield sink
    controller.stop()


@pytest.mark.django_db
def test_acknowledgement_of_an_email_complaint_threads_onto_the_customers_mail(smtp):
    now = timezone.now()
    incoming = mail(message_id="<goc@khachhang.vn>", subject="Bị trừ tiền hai lần")
    complaint = intake_accept(
        parse_email(incoming.as_bytes(), received_at=now, own=OwnIdentity()), now=now
    ).complaint
    row = customer_notice_enqueue(
        complaint=complaint,
        notice="acknowledgement",
        dedupe_key=f"test-ack:{complaint.pk}",
        now=now,
    )
    assert (row.channel, row.recipient) == ("email", CUSTOMER)
    assert outbox_deliver(outbox_id=row.pk, now=now).outcome == "sent"
    (rcpts, data), *others = smtp.received
    assert not others
    sent = message_from_bytes(data, policy=policy.default)
    assert rcpts == [CUSTOMER]
    assert sent["In-Reply-To"] == "<goc@khachhang.vn>"
    assert complaint.code in sent["Subject"]
    assert complaint.code in sent.get_body(("plain",)).get_content()
