"""Messenger webhook: set-up check, signatures over the raw body, events → complaints, once."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from complaintdesk.complaints.models import Attachment, Complaint, CustomerIdentity, Message
from complaintdesk.intake.email.tests.mails import PNG
from complaintdesk.intake.facebook.parse import sign
from complaintdesk.intake.facebook.tests.payloads import PSID, SECRET, body, event, post
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.queue import inbound_sweep
from complaintdesk.intake.tests.httpstub import closed_port_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(client, channels, django_capture_on_commit_callbacks):
    """POST a body as Messenger does and run what the view queued after commit."""

    def run(raw: bytes, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, raw, **kwargs)

    return run


def test_setup_check_answers_the_challenge_when_the_token_matches(client, channels):
    url = "/webhooks/facebook?hub.mode=subscribe&hub.verify_token=fb-verify-token&hub.challenge=1158201444"
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "query",
    [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=fb-verify-token&hub.challenge=1",
        "hub.challenge=1",
    ],
)
def test_setup_check_is_refused_otherwise(client, channels, query):
    response = client.get("/webhooks/facebook?" + query)
    assert response.status_code == 403
    assert b"1" not in response.content


def test_a_message_opens_a_complaint_for_the_page_scoped_user(deliver):
    response = deliver(body(event("Tôi bị trừ tiền hai lần khi mua gói VIP")))
    assert response.status_code == 200
    assert response.content == b"EVENT_RECEIVED"
    complaint = Complaint.objects.get()
    assert complaint.channel == "facebook"
    assert complaint.description == "Tôi bị trừ tiền hai lần khi mua gói VIP"
    assert CustomerIdentity.objects.filter(
        customer=complaint.customer, kind="facebook", value=PSID
    ).exists()
    record = InboundRecord.objects.get()
    assert (record.status, record.provider_message_id, record.complaint) == (
        "ok",
        "m_AAAA1",
        complaint,
    )


def test_a_redelivered_event_creates_nothing_more(deliver):
    raw = body(event(mid="m_SAME"))
    deliver(raw)
    second = deliver(raw)
    assert second.status_code == 200
    assert Complaint.objects.count() == 1
    assert Message.objects.count() == 0
    assert InboundRecord.objects.get().deliveries == 2


def test_a_follow_up_joins_the_same_complaint_by_psid(deliver):
    deliver(body(event("Gói VIP bị trừ tiền hai lần", mid="m_1")))
    deliver(body(event("Mã giao dịch là 889911", mid="m_2")))
    complaint = Complaint.objects.get()
    follow_up = Message.objects.get()
    assert (follow_up.complaint, follow_up.direction, follow_up.body) == (
        complaint,
        "in",
        "Mã giao dịch là 889911",
    )
    assert InboundRecord.objects.get(provider_message_id="m_2").reason == "joined by thread_key"


def test_several_events_in_one_post_are_each_filed(deliver):
    deliver(body(event("Một", mid="m_a"), event("Hai", mid="m_b")))
    assert Complaint.objects.count() == 1
    assert list(Message.objects.values_list("body", flat=True)) == ["Hai"]


def test_missing_signature_is_refused_and_nothing_kept(client, channels, caplog):
    caplog.set_level(logging.WARNING)
    response = post(client, body(event("Số của tôi 0912345678")), signature=None)
    assert response.status_code == 401
    assert not InboundRecord.objects.exists()
    assert "missing signature" in caplog.text


def test_wrong_signature_is_refused_and_logged_without_personal_data(client, channels, caplog):
    caplog.set_level(logging.WARNING)
    raw = body(event("Số của tôi 0912345678"))
    response = post(client, raw, signature="sha256=" + "0" * 64)
    assert response.status_code == 403
    assert not InboundRecord.objects.exists() and not Complaint.objects.exists()
    assert "bad signature" in caplog.text
    assert PSID not in caplog.text and "0912345678" not in caplog.text


def test_signature_is_over_the_raw_bytes_not_the_json(client, channels):
    raw = body(event("Xin chào"))
    signature = sign(raw, SECRET)
    reserialised = json.dumps(json.loads(raw), ensure_ascii=True, indent=1).encode()
    assert reserialised != raw and json.loads(reserialised) == json.loads(raw)
    response = post(client, reserialised, signature=signature)
    assert response.status_code == 403
    assert post(client, raw, signature=signature).status_code == 200


def test_malformed_json_gets_400_and_is_kept_for_inspection(deliver):
    raw = b'{"object":"page","entry":[{"messaging":[{"sender":'
    response = deliver(raw)
    assert response.status_code == 400
    record = InboundRecord.objects.get()
    assert record.status == "malformed"
    assert bytes(record.raw) == raw
    assert "not JSON" in record.reason
    assert not Complaint.objects.exists()


def test_wrong_shape_gets_400_and_is_kept(deliver):
    response = deliver(b'{"object":"page","entry":"nope"}')
    assert response.status_code == 400
    assert InboundRecord.objects.get().status == "malformed"


def test_signed_but_hostile_payloads_are_refused_or_cleaned_never_a_500(deliver):
    nested = b'{"object":"page","entry":' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert deliver(nested).status_code == 400
    assert "nested too deeply" in InboundRecord.objects.get().reason
    # NUL in the ids (PostgreSQL refuses it in text) and a lone surrogate (not UTF-8) in the text
    raw = body(event("Trừ tiền hai lần SURROGATE", mid="m_NULB"))
    raw = raw.replace(b"SURROGATE", b"\\ud800").replace(b"NUL", b"\\u0000")
    assert deliver(raw).status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.description == "Trừ tiền hai lần \ufffd"
    assert InboundRecord.objects.filter(provider_message_id="m_B").exists()


def test_echoes_and_non_message_events_are_ignored(deliver):
    delivery = {"sender": {"id": PSID}, "recipient": {"id": "1"}, "delivery": {"mids": ["x"]}}
    deliver(body(event("Cảm ơn anh chị", mid="m_echo", echo=True), delivery))
    assert not Complaint.objects.exists()
    records = list(InboundRecord.objects.order_by("id").values_list("status", "reason"))
    assert records == [
        ("ignored", "echo of a message sent by the page"),
        ("ignored", "not a message: delivery"),
    ]


def test_pictures_are_downloaded_by_the_task_from_the_provider(deliver, provider):
    url = provider.serve_file("/cdn/photo.png", PNG)
    attachment = {"type": "image", "payload": {"url": url}}
    deliver(body(event(None, mid="m_pic", attachments=[attachment])))
    complaint = Complaint.objects.get()
    stored = Attachment.objects.get(complaint=complaint)
    assert stored.content_type == "image/png"
    assert [r.path for r in provider.requests] == ["/cdn/photo.png"]


def test_a_picture_provider_that_is_down_loses_nothing(deliver, settings):
    url = closed_port_url() + "/photo.png"
    deliver(
        body(
            event(
                "Ảnh lỗi đây",
                mid="m_wait",
                attachments=[{"type": "image", "payload": {"url": url}}],
            )
        )
    )
    record = InboundRecord.objects.get()
    assert record.status == "queued" and not Complaint.objects.exists()
    # Hours later the provider is still down: the message is filed without the picture, said so.
    later = timezone.now() + timedelta(hours=7)
    assert inbound_sweep(now=later) == {"filed": 1}
    complaint = Complaint.objects.get()
    assert "Không tải được ảnh" in complaint.description
    assert InboundRecord.objects.get().status == "ok"


def test_a_lost_task_is_filed_by_the_sweeper(client, channels):
    # No on-commit execution here: as if the worker never got the task.
    post(client, body(event("Tài khoản bị khóa", mid="m_lost")))
    assert InboundRecord.objects.get().status == "queued"
    assert inbound_sweep(now=timezone.now()) == {}  # still within the grace period
    assert inbound_sweep(now=timezone.now() + timedelta(minutes=5)) == {"filed": 1}
    assert Complaint.objects.get().description == "Tài khoản bị khóa"
    assert inbound_sweep(now=timezone.now() + timedelta(minutes=5)) == {}


def test_webhooks_are_rate_limited_per_address(client, channels, settings):
    settings.WEBHOOK_RATE = "2/60"
    raw = body(event("Xin chào", mid="m_rl"))
    assert post(client, raw).status_code == 200
    assert post(client, raw).status_code == 200
    response = post(client, raw)
    assert response.status_code == 429
    assert response.json()["message"].startswith("Bạn gửi quá nhiều yêu cầu")
    assert response.json()["message_en"].startswith("Too many requests")


def test_an_address_that_keeps_failing_the_signature_is_slowed_down(client, channels, settings):
    settings.WEBHOOK_FAILURE_RATE = "2/600"
    raw = body(event("Xin chào", mid="m_probe"))
    statuses = [post(client, raw, signature="sha256=" + "0" * 64).status_code for _ in range(3)]
    assert statuses == [403, 403, 429]
    # The provider's signed requests from elsewhere are not affected.
    other = client.post(
        "/webhooks/facebook",
        data=raw,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(raw, SECRET),
        REMOTE_ADDR="173.252.127.1",
    )
    assert other.status_code == 200


def test_a_disabled_channel_refuses_its_webhook(client, channels):
    from complaintdesk.intake.models import ChannelConfig

    ChannelConfig.objects.update_or_create(channel="facebook", defaults={"enabled": False})
    assert post(client, body(event("Xin chào"))).status_code == 403
    assert not InboundRecord.objects.exists()
