"""Across intake and notifications: notices to customers who came by the web form (SMS) or by
Messenger go out through the channel adapters, and a provider that is down loses nothing — the
outbox retries (outbox → intake's OutboxDeliverer → adapter → provider API on a local server)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from complaintdesk.intake.base import InboundMessage
from complaintdesk.intake.services import intake_receive
from complaintdesk.intake.tests.httpstub import start_stub
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.notices import customer_notice_enqueue
from complaintdesk.notifications.services import outbox_deliver

DELIVERER = "complaintdesk.intake.delivery.OutboxDeliverer"


@pytest.fixture
def gateway(settings):
    stub = start_stub()
    settings.NOTIFICATION_DELIVERERS = {"sms": DELIVERER, "facebook": DELIVERER}
    settings.ESMS_API_BASE = stub.url
    settings.ESMS_API_KEY, settings.ESMS_SECRET_KEY, settings.ESMS_BRANDNAME = "k", "s", "CSKH"
    settings.FACEBOOK_PAGE_TOKEN = "page-token"
    settings.FACEBOOK_GRAPH_API_BASE = stub.url + "/v21.0"
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def complaint_from(channel: str, **sender):
    now = timezone.now()
    return intake_receive(
        InboundMessage(
            channel=channel,
            provider_message_id=f"{channel}-1",
            received_at=now,
            text="Không xem được kênh thể thao",
            thread_key=sender.get("sender_facebook_id", ""),
            **sender,
        ),
        now=now,
    ).complaint


@pytest.mark.django_db
def test_a_phone_only_customer_gets_the_acknowledgement_by_sms_and_a_down_gateway_is_retried(
    gateway,
):
    complaint = complaint_from("web", sender_name="Trần Văn Bình", sender_phone="0912345678")
    now = timezone.now()
    row = customer_notice_enqueue(
        complaint=complaint, notice="acknowledgement", dedupe_key=f"ack:{complaint.pk}", now=now
    )
    assert (row.channel, row.recipient) == ("sms", "+84912345678")
    gateway.answer(503, b"maintenance")
    failed = outbox_deliver(outbox_id=row.pk, now=now)
    assert failed.outcome == "failed" and failed.next_attempt_at is not None
    gateway.answer(200, {"CodeResult": "100", "SMSID": "sms-1"})
    sent = outbox_deliver(outbox_id=row.pk, now=failed.next_attempt_at)
    assert sent.outcome == "sent"
    first, second = gateway.posts
    assert second.json["Phone"] == "84912345678"
    assert complaint.code in second.json["Content"]
    # The retry is the same request to the gateway (same RequestId): never sent twice.
    assert first.json["RequestId"] == second.json["RequestId"]
    assert Outbox.objects.get(pk=row.pk).provider_message_id == "sms-1"


@pytest.mark.django_db
def test_a_refused_number_is_not_retried(gateway):
    complaint = complaint_from("web", sender_name="Trần Văn Bình", sender_phone="0912345678")
    row = customer_notice_enqueue(
        complaint=complaint, notice="acknowledgement", dedupe_key=f"ack:{complaint.pk}"
    )
    gateway.answer(200, {"CodeResult": "99", "ErrorMessage": "Phone blocked"})
    attempt = outbox_deliver(outbox_id=row.pk)
    assert attempt.outcome == "dead"
    assert "eSMS error 99" in attempt.error


@pytest.mark.django_db
def test_a_messenger_customer_gets_notices_in_their_conversation(gateway):
    complaint = complaint_from("facebook", sender_facebook_id="psid-555")
    row = customer_notice_enqueue(
        complaint=complaint, notice="acknowledgement", dedupe_key=f"ack:{complaint.pk}"
    )
    assert (row.channel, row.recipient) == ("facebook", "psid-555")
    gateway.answer(200, {"recipient_id": "psid-555", "message_id": "m_ack"})
    assert outbox_deliver(outbox_id=row.pk).outcome == "sent"
    request = gateway.posts[0]
    assert request.path == "/v21.0/me/messages"
    assert request.json["recipient"] == {"id": "psid-555"}
    assert request.json["messaging_type"] == "RESPONSE"
    assert complaint.code in request.json["message"]["text"]
