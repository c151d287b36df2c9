"""Zalo OA webhook: plain SHA-256 mac over app id + raw body + timestamp + OA key; events."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from complaintdesk.complaints.models import Attachment, Complaint, CustomerIdentity, Message
from complaintdesk.intake.email.tests.mails import PNG
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.zalo.tests.payloads import APP_ID, SECRET, USER, event, post, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(client, channels, django_capture_on_commit_callbacks):
    def run(body: bytes, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, body, **kwargs)

    return run


def test_the_mac_is_plain_sha256_of_app_id_body_timestamp_and_key():
    body = raw(event(timestamp="1700000000000"))
    plain = hashlib.sha256((APP_ID).encode() + body + b"1700000000000" + SECRET.encode())
    from complaintdesk.intake.zalo.parse import signature_valid

    assert signature_valid(body, "mac=" + plain.hexdigest(), app_id=APP_ID, secret=SECRET)
    keyed = hmac.new(SECRET.encode(), APP_ID.encode() + body + b"1700000000000", hashlib.sha256)
    assert not signature_valid(body, "mac=" + keyed.hexdigest(), app_id=APP_ID, secret=SECRET)


def test_a_text_message_opens_a_complaint_and_is_answered_at_once(deliver):
    response = deliver(raw(event(text="Dịch vụ truyền hình mất tín hiệu từ sáng")))
    assert response.status_code == 200
    assert response.json() == {"status": "queued"}
    complaint = Complaint.objects.get()
    assert complaint.channel == "zalo"
    assert complaint.description == "Dịch vụ truyền hình mất tín hiệu từ sáng"
    assert CustomerIdentity.objects.filter(
        customer=complaint.customer, kind="zalo", value=USER
    ).exists()
    assert InboundRecord.objects.get().status == "ok"


def test_an_image_message_brings_its_picture(deliver, provider):
    url = provider.serve_file("/zdn/anh.png", PNG)
    attachments = [{"type": "image", "payload": {"url": url, "thumbnail": url}}]
    deliver(
        raw(
            event(
                "user_send_image", text="Màn hình báo lỗi", msg_id="zimg-1", attachments=attachments
            )
        )
    )
    complaint = Complaint.objects.get()
    assert complaint.description == "Màn hình báo lỗi"
    assert Attachment.objects.get(complaint=complaint).content_type == "image/png"


def test_redelivery_creates_nothing_more_and_a_follow_up_joins(deliver):
    first = raw(event(msg_id="z-1"))
    deliver(first)
    assert deliver(first).json() == {"status": "duplicate"}
    deliver(raw(event(text="Tôi ở phường Lê Lợi", msg_id="z-2")))
    complaint = Complaint.objects.get()
    assert list(Message.objects.values_list("complaint_id", "body")) == [
        (complaint.pk, "Tôi ở phường Lê Lợi")
    ]
    assert InboundRecord.objects.get(provider_message_id="z-1").deliveries == 2


@pytest.mark.parametrize("name", ["follow", "user_received_message", "user_seen_message"])
def test_other_events_are_kept_as_ignored(deliver, name):
    response = deliver(raw(event(name, msg_id=None)))
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    record = InboundRecord.objects.get()
    assert (record.status, record.reason) == ("ignored", f"event {name}")
    assert not Complaint.objects.exists()


def test_missing_and_wrong_mac_are_refused_without_logging_the_message(client, channels, caplog):
    caplog.set_level(logging.WARNING)
    body = raw(event(text="Số tôi là 0987654321"))
    assert post(client, body, mac=None).status_code == 401
    assert post(client, body, mac="mac=" + "f" * 64).status_code == 403
    assert not InboundRecord.objects.exists()
    assert "0987654321" not in caplog.text and USER not in caplog.text


def test_a_reserialised_body_does_not_verify(client, channels):
    body = raw(event())
    stamp = json.loads(body)["timestamp"]
    from complaintdesk.intake.zalo.tests.payloads import signature

    mac = signature(body, stamp)
    reserialised = json.dumps(json.loads(body), indent=2).encode()
    assert post(client, reserialised, mac=mac).status_code == 403
    assert post(client, body, mac=mac).status_code == 200


def test_malformed_json_with_a_valid_mac_gets_400_and_is_kept(deliver):
    body = b'{"app_id":"4321987","timestamp":"1700000000000","event_name":"user_send_text",'
    response = deliver(body, timestamp="1700000000000")
    assert response.status_code == 400
    record = InboundRecord.objects.get()
    assert record.status == "malformed" and bytes(record.raw) == body


def test_a_body_without_timestamp_cannot_be_verified(client, channels):
    assert post(client, b'{"event_name":"user_send_text"}', mac="mac=abc").status_code == 403
    assert not InboundRecord.objects.exists()
