"""Zalo CS replies and ZNS notices against a local HTTP server standing in for Zalo."""

from __future__ import annotations

import pytest

from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.tests.httpstub import closed_port_url
from complaintdesk.intake.zalo.outbound import ZaloAdapter, ZnsAdapter
from complaintdesk.intake.zalo.tests.payloads import USER

pytestmark = pytest.mark.django_db


def test_a_customer_service_reply(channels):
    channels.answer(
        200, {"error": 0, "message": "Success", "data": {"message_id": "zm-1", "user_id": USER}}
    )
    result = ZaloAdapter().send(
        OutboundMessage(channel="zalo", recipient=USER, text="Chào anh, đã nhận.")
    )
    assert result.ok and result.provider_message_id == "zm-1"
    request = channels.posts[0]
    assert request.path == "/v3.0/oa/message/cs"
    assert request.headers["access_token"] == "zalo-access-token"
    assert request.json == {
        "recipient": {"user_id": USER},
        "message": {"text": "Chào anh, đã nhận."},
    }


def test_zalo_refusals(channels):
    channels.answer(
        200, {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}
    )
    outside = ZaloAdapter().send(OutboundMessage(channel="zalo", recipient=USER, text="x"))
    assert not outside.ok and not outside.retryable
    assert (
        outside.error == "Zalo error -230: User has not interacted with the OA in the past 7 days"
    )
    channels.answer(200, {"error": -216, "message": "Access token is invalid"})
    assert ZaloAdapter().send(OutboundMessage(channel="zalo", recipient=USER, text="x")).retryable
    channels.answer(502, b"bad gateway")
    assert ZaloAdapter().send(OutboundMessage(channel="zalo", recipient=USER, text="x")).retryable


def test_zalo_down_is_retryable(channels, settings):
    settings.ZALO_OA_API_BASE = closed_port_url()
    result = ZaloAdapter().send(OutboundMessage(channel="zalo", recipient=USER, text="x"))
    assert not result.ok and result.retryable


def test_a_zns_notice_goes_to_the_phone_written_84_without_plus(channels):
    channels.answer(
        200,
        {
            "error": 0,
            "message": "Success",
            "data": {"msg_id": "zns-9", "sent_time": "1700000000000"},
        },
    )
    message = OutboundMessage(
        channel="zns",
        recipient="0912 345 678",
        subject="[KN-2026-000123] Đã tiếp nhận",
        text="Chúng tôi đã tiếp nhận phản ánh của quý khách.",
        message_id="<abc@complaintdesk.local>",
    )
    result = ZnsAdapter().send(message)
    assert result.ok and result.provider_message_id == "zns-9"
    request = channels.posts[0]
    assert request.path == "/message/template"
    assert request.headers["access_token"] == "zalo-access-token"
    body = request.json
    assert body == {
        "phone": "84912345678",
        "template_id": "305971",
        "template_data": {
            "code": "KN-2026-000123",
            "content": "Chúng tôi đã tiếp nhận phản ánh của quý khách.",
        },
        "tracking_id": body["tracking_id"],
    }
    # A retried notice carries the same tracking id (Zalo deduplicates on it).
    channels.answer(200, {"error": 0, "data": {"msg_id": "zns-9"}})
    ZnsAdapter().send(message)
    assert channels.posts[1].json["tracking_id"] == body["tracking_id"]


def test_zns_with_explicit_template_data_and_a_bad_number(channels):
    channels.answer(200, {"error": 0, "data": {"msg_id": "zns-10"}})
    ZnsAdapter().send(
        OutboundMessage(
            channel="zns",
            recipient="+84912345678",
            text="",
            template="111",
            template_data={"ma_phieu": "KN-2026-000001", "han": "10/03/2026"},
        )
    )
    assert channels.posts[0].json["template_id"] == "111"
    assert channels.posts[0].json["template_data"] == {
        "ma_phieu": "KN-2026-000001",
        "han": "10/03/2026",
    }
    bad = ZnsAdapter().send(OutboundMessage(channel="zns", recipient="12", text="x"))
    assert not bad.ok and not bad.retryable and len(channels.posts) == 1
