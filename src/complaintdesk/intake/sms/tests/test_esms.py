"""SMS notices through eSMS.vn, against a local HTTP server standing in for the gateway."""

from __future__ import annotations

import pytest

from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.registry import adapter_for
from complaintdesk.intake.sms.gateway import SmsAdapter, ascii_text
from complaintdesk.intake.tests.httpstub import closed_port_url

pytestmark = pytest.mark.django_db
TEXT = "KN-2026-000123: Chúng tôi đã tiếp nhận phản ánh, sẽ trả lời trước 10/03/2026."


def notice(recipient="0912345678", text=TEXT, message_id="<n1@complaintdesk.local>"):
    return OutboundMessage(channel="sms", recipient=recipient, text=text, message_id=message_id)


def test_the_sms_adapter_is_registered():
    assert isinstance(adapter_for("sms"), SmsAdapter)


def test_an_accepted_sms(channels):
    channels.answer(200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459e"})
    result = SmsAdapter().send(notice())
    assert result.ok and result.provider_message_id == "d533459e"
    request = channels.posts[0]
    assert request.path == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    body = request.json
    assert body == {
        "ApiKey": "esms-key",
        "SecretKey": "esms-secret",
        "Phone": "84912345678",
        "Content": TEXT,
        "Brandname": "CSKH-DEMO",
        "SmsType": "2",
        "IsUnicode": "1",
        "Sandbox": "0",
        "RequestId": body["RequestId"],
    }
    assert len(body["RequestId"]) == 32


def test_a_retry_carries_the_same_request_id_and_a_duplicate_counts_as_sent(channels):
    channels.answer(200, {"CodeResult": "100", "SMSID": "x"})
    channels.answer(
        200, {"CodeResult": "124", "ErrorMessage": "Request exist 1", "SendStatus": "5"}
    )
    assert SmsAdapter().send(notice()).ok
    assert SmsAdapter().send(notice()).ok
    assert channels.posts[0].json["RequestId"] == channels.posts[1].json["RequestId"]


def test_without_accents_when_unicode_is_off(channels, settings):
    settings.ESMS_UNICODE = False
    channels.answer(200, {"CodeResult": "100", "SMSID": "y"})
    SmsAdapter().send(notice(text="Đã tiếp nhận phản ánh của quý khách"))
    assert channels.posts[0].json["Content"] == "Da tiep nhan phan anh cua quy khach"
    assert channels.posts[0].json["IsUnicode"] == "0"
    assert ascii_text("Đường dây nóng") == "Duong day nong"


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("99", False), ("108", False), ("146", False), ("101", True), ("103", True), ("140", True)],
)
def test_refusals(channels, code, retryable):
    channels.answer(200, {"CodeResult": code, "ErrorMessage": "Lỗi"})
    result = SmsAdapter().send(notice())
    assert not result.ok and result.retryable is retryable
    assert result.error == f"eSMS error {code}: Lỗi"


def test_gateway_faults_are_retryable(channels, settings):
    channels.answer(503, b"Service Unavailable")
    assert SmsAdapter().send(notice()).retryable
    settings.ESMS_API_BASE = closed_port_url()
    down = SmsAdapter().send(notice())
    assert not down.ok and down.retryable


def test_a_bad_number_is_refused_before_calling_the_gateway(channels):
    result = SmsAdapter().send(notice(recipient="12345"))
    assert not result.ok and not result.retryable and result.error == "SMS: invalid phone number"
    assert channels.posts == []


def test_no_credentials_is_a_retryable_configuration_fault(channels, settings):
    settings.ESMS_API_KEY = ""
    result = SmsAdapter().send(notice())
    assert not result.ok and result.retryable and "no API key" in result.error
