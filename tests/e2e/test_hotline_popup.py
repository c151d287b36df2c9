"""The hotline pop-up in a real browser: the call centre posts a signed "ringing" event for the
signed-in agent, the workspace page shows the caller's card within one poll, one click opens the
complaint."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import datetime

import pytest
from playwright.sync_api import expect

from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.intake.conf import forget_channel_rows
from complaintdesk.intake.hotline.parse import sign
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "hotline-secret-e2e"


def post_call_event(base_url: str, event: str, agent: str) -> None:
    body = json.dumps(
        {
            "event": event,
            "call_id": "e2e-call-1",
            "caller": "0912345678",
            "hotline": "19001234",
            "agent": agent,
            "occurred_at": datetime.now(LOCAL_TZ).isoformat(),
        }
    ).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{base_url}/webhooks/hotline",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hotline-Timestamp": stamp,
            "X-Hotline-Signature": sign(body, timestamp=stamp, secret=SECRET),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_a_ringing_call_pops_up_and_one_click_opens_the_complaint(
    page, org, shot, live_server, settings, complaint_factory
):
    settings.HOTLINE_WEBHOOK_SECRET = SECRET
    forget_channel_rows()
    earlier = complaint_factory.create(
        actor=org.receiver,
        customer={"name": "Nguyễn Thị Hoa", "phone": "0912345678"},
        subject="Không gia hạn được gói VIP",
    )
    sign_in(page, "receiver")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    popup = page.locator("#hotline-popup")
    expect(popup).to_be_empty()

    post_call_event(live_server.url, "ringing", org.receiver.username)
    card = popup.locator(".hotline-call")
    expect(card).to_contain_text("Cuộc gọi đến: +84912345678")  # within one 3 s poll
    expect(card).to_contain_text("Nguyễn Thị Hoa")
    expect(card.get_by_role("link", name=earlier.code)).to_be_visible()
    shot(page, "hotline-popup", full_page=False)

    card.get_by_role("button", name="Tạo phiếu từ cuộc gọi này").click()
    expect(page.locator(".flash")).to_contain_text("từ cuộc gọi")
    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.code)
    expect(popup).to_contain_text(f"Phiếu của cuộc gọi: {complaint.code}")
    shot(page, "complaint-from-call", full_page=False)

    post_call_event(live_server.url, "ended", org.receiver.username)
    expect(popup.locator(".hotline-call")).to_have_count(0)
    forget_channel_rows()
