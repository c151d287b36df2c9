"""A customer who identifies by phone gets the tracking page's one-time code by SMS: outbox →
intake's OutboxDeliverer → eSMS adapter → a local HTTP server that records the gateway call."""

from __future__ import annotations

import re

import pytest

from complaintdesk.intake.tests.httpstub import start_stub
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox, OutboxStatus
from complaintdesk.portal.models import AccessCode

from .helpers import filed

pytestmark = pytest.mark.django_db
PHONE = "0912 345 678"
CUSTOMER = {"name": "Trần Thị Bình", "phone": "0912345678", "email": "binh@example.vn"}


@pytest.fixture
def gateway(settings):
    stub = start_stub()
    settings.NOTIFICATION_DELIVERERS = {"sms": "complaintdesk.intake.delivery.OutboxDeliverer"}
    settings.ESMS_API_BASE = stub.url
    settings.ESMS_API_KEY, settings.ESMS_SECRET_KEY, settings.ESMS_BRANDNAME = "k", "s", "CSKH"
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def test_a_phone_gets_the_code_by_sms_and_the_code_opens_the_page(
    client, org, gateway, django_capture_on_commit_callbacks
):
    complaint = filed(org, customer=CUSTOMER)
    gateway.answer(200, {"CodeResult": "100", "SMSID": "otp-1"})
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/tra-cuu/", {"code": complaint.code, "contact": PHONE})
    assert asked.status_code == 302

    row = Outbox.objects.get(complaint=complaint, notice="portal_access_code")
    assert (row.channel, row.recipient, row.status) == ("sms", "+84912345678", OutboxStatus.SENT)
    assert row.provider_message_id == "otp-1"
    assert AccessCode.objects.get().channel == "sms"
    [request] = gateway.posts
    assert request.path == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    sms = request.json
    assert (sms["Phone"], sms["Brandname"], sms["SmsType"]) == ("84912345678", "CSKH", "2")
    assert complaint.code in sms["Content"]
    otp = re.search(r": (\d{6}) \(", sms["Content"]).group(1)

    opened = client.post("/tra-cuu/xac-thuc/", {"otp": otp})
    assert opened["Location"] == "/tra-cuu/phieu/"
    assert complaint.code in client.get("/tra-cuu/phieu/").content.decode()


def test_a_gateway_that_is_down_is_retried_with_the_same_request_id(
    client, org, gateway, django_capture_on_commit_callbacks
):
    from complaintdesk.notifications.services import outbox_deliver

    complaint = filed(org, customer=CUSTOMER)
    gateway.answer(503, b"maintenance")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tra-cuu/", {"code": complaint.code, "contact": PHONE})
    row = Outbox.objects.get(complaint=complaint, notice="portal_access_code")
    assert row.status == OutboxStatus.FAILED
    gateway.answer(200, {"CodeResult": "100", "SMSID": "otp-2"})
    assert outbox_deliver(outbox_id=row.pk, now=row.next_attempt_at).outcome == "sent"
    first, second = gateway.posts
    assert first.json["RequestId"] == second.json["RequestId"]


def test_without_an_sms_gateway_the_code_goes_to_the_customers_email(client, org, settings):
    settings.NOTIFICATION_DELIVERERS = {}
    complaint = filed(org, customer=CUSTOMER)
    client.post("/tra-cuu/", {"code": complaint.code, "contact": PHONE})
    row = Outbox.objects.get(complaint=complaint, notice="portal_access_code")
    assert (row.channel, row.recipient) == ("email", "binh@example.vn")


def test_a_phone_only_customer_without_an_sms_gateway_gets_no_code(client, org, settings):
    settings.NOTIFICATION_DELIVERERS = {}
    complaint = filed(org, customer={"name": "Lê Văn C", "phone": "0987654321"})
    page = client.post("/tra-cuu/", {"code": complaint.code, "contact": "0987654321"}, follow=True)
    assert "Nếu thông tin Quý khách nhập khớp với phiếu khiếu nại" in page.content.decode()
    assert not Outbox.objects.filter(complaint=complaint).exists()
    assert not AccessCode.objects.exists()
    entry = JournalEntry.objects.get(complaint_id=complaint.pk, action="notice.unreachable")
    assert entry.after == {"notice": "portal_access_code", "contact": "phone"}
