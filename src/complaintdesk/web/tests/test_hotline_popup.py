"""The hotline pop-up in the workspace: every page of the desk roles polls it; a call ringing at
the agent's extension (recorded by the signed call-centre webhook) shows the caller's card, their
open complaints and the one-click complaint."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.intake.conf import forget_channel_rows
from complaintdesk.intake.hotline.parse import sign

pytestmark = pytest.mark.django_db
SECRET = "hotline-secret-web"
CONTAINER = 'id="hotline-popup"'


@pytest.fixture(autouse=True)
def hotline(settings):
    settings.HOTLINE_WEBHOOK_SECRET = SECRET
    forget_channel_rows()
    yield
    forget_channel_rows()


def ring(client, agent, *, call_id="web-1", caller="0912345678", event="ringing"):
    body = json.dumps(
        {
            "event": event,
            "call_id": call_id,
            "caller": caller,
            "hotline": "19001234",
            "agent": agent.username,
            "occurred_at": datetime.now(LOCAL_TZ).isoformat(),
        }
    ).encode()
    stamp = str(int(time.time()))
    response = client.post(
        "/webhooks/hotline",
        data=body,
        content_type="application/json",
        HTTP_X_HOTLINE_TIMESTAMP=stamp,
        HTTP_X_HOTLINE_SIGNATURE=sign(body, timestamp=stamp, secret=SECRET),
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("role", "polls"),
    [("receiver", True), ("head", True), ("admin", True), ("staff", False), ("leadership", False)],
)
def test_the_desk_roles_pages_poll_the_pop_up(client, org, role, polls):
    client.force_login(getattr(org, role))
    page = client.get("/complaints/").content.decode()
    assert (CONTAINER in page) is polls
    assert ('hx-get="/webhooks/hotline/popup"' in page) is polls


def test_a_ringing_call_pops_the_callers_card_and_one_click_opens_a_complaint(client, org):
    agent = org.receiver
    earlier = ComplaintFactory.create(
        actor=agent,
        customer={"name": "Trần Thị Hoa", "phone": "0912345678", "email": "hoa@example.vn"},
        subject="Không gia hạn được gói VIP",
    )
    client.force_login(agent)
    page = client.get("/my-work/").content.decode()
    assert CONTAINER in page
    assert client.get("/webhooks/hotline/popup").content.strip() == b""  # nothing ringing

    ring(client, agent)
    popup = client.get("/webhooks/hotline/popup", HTTP_HX_REQUEST="true")
    html = popup.content.decode()
    assert popup.status_code == 200 and popup["Cache-Control"] == "no-store"
    assert "Cuộc gọi đến: +84912345678" in html
    assert "Trần Thị Hoa" in html and "hoa@example.vn" in html and "Điện thoại" in html
    assert earlier.code in html and f"/complaints/{earlier.pk}/" in html
    assert 'action="/webhooks/hotline/calls/web-1/complaint"' in html
    assert "Tạo phiếu từ cuộc gọi này" in html

    # Another agent's extension is not this one's.
    client.force_login(org.head)
    assert client.get("/webhooks/hotline/popup").content.strip() == b""

    client.force_login(agent)
    created = client.post("/webhooks/hotline/calls/web-1/complaint")
    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    assert created.status_code == 302 and created["Location"] == f"/complaints/{complaint.pk}/"
    assert complaint.customer_id == earlier.customer_id and complaint.channel == "hotline"
    html = client.get("/webhooks/hotline/popup").content.decode()
    assert f"Phiếu của cuộc gọi: {complaint.code}" in html
    assert "Tạo phiếu từ cuộc gọi này" not in html

    ring(client, agent, event="ended")
    assert client.get("/webhooks/hotline/popup").content.strip() == b""


def test_an_unknown_caller_is_said_to_be_new(client, org):
    client.force_login(org.receiver)
    ring(client, org.receiver, call_id="web-2", caller="0987000111")
    html = client.get("/webhooks/hotline/popup").content.decode()
    assert "Số này chưa có trong danh sách khách hàng." in html
    assert "Tạo phiếu từ cuộc gọi này" in html
