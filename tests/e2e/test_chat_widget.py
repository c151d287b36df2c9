"""The chat widget in a real browser: the company's site (another origin) embeds our script, the
visitor chats, the message becomes a complaint, and the agent's answer appears live (SSE)."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from complaintdesk.complaints.models import Complaint
from complaintdesk.intake.tests.httpstub import start_stub
from complaintdesk.intake.webchat.services import chat_reply_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company_site(live_server, settings):
    stub = start_stub()
    settings.WEBCHAT_FRAME_ANCESTORS = [stub.url]
    settings.CHAT_STREAM_SECONDS = 5
    settings.CHAT_STREAM_POLL_SECONDS = 0.3
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Công ty</title></head>'
        "<body><h1>Trang chủ công ty</h1>"
        f'<script src="{live_server.url}/webhooks/chat/widget.js" async></script></body></html>'
    )
    # The live server's first answer (URL resolver, templates) can be slow on a busy machine.
    urllib.request.urlopen(live_server.url + "/webhooks/chat/", timeout=120).read()
    yield stub.serve_file("/", html.encode(), content_type="text/html; charset=utf-8")
    stub.server.shutdown()
    stub.server.server_close()


def test_a_visitor_chats_and_sees_the_agents_answer_live(page, org, shot, company_site):
    page.goto(company_site, wait_until="domcontentloaded")
    page.get_by_role("button", name="Chat với chúng tôi").click()
    panel = page.frame_locator("iframe[title='Chat với chúng tôi']")
    panel.get_by_label("Họ và tên").fill("Ngô Thị Lan")
    panel.get_by_label("Số điện thoại").fill("0912 345 678")
    panel.get_by_role("button", name="Bắt đầu trò chuyện").click()
    panel.get_by_label("Tin nhắn").fill("Gói VIP bị trừ tiền hai lần trong tháng này")
    panel.get_by_role("button", name="Gửi", exact=True).click()
    log = panel.locator("#log")
    expect(log).to_contain_text("Gói VIP bị trừ tiền hai lần trong tháng này")
    expect(log).to_contain_text(re.compile(r"Mã phiếu: KN-\d{4}-\d{6}"))
    complaint = Complaint.objects.get()
    assert complaint.channel == "chat" and complaint.customer.name == "Ngô Thị Lan"
    shot(page, "visitor-wrote")

    chat_reply_send(
        complaint=complaint, actor=org.receiver, text="Chúng tôi đã hoàn lại 132.000 ₫."
    )
    expect(log).to_contain_text("Chúng tôi đã hoàn lại 132.000 ₫.", timeout=15_000)
    shot(page, "agent-answered")

    # A second message joins the same complaint; a reload keeps the conversation.
    panel.get_by_label("Tin nhắn").fill("Cảm ơn, tôi đã nhận được tiền")
    panel.get_by_role("button", name="Gửi", exact=True).click()
    expect(log).to_contain_text("Cảm ơn, tôi đã nhận được tiền")
    page.reload()
    page.get_by_role("button", name="Chat với chúng tôi").click()
    expect(panel.locator("#log")).to_contain_text(
        "Chúng tôi đã hoàn lại 132.000 ₫.", timeout=15_000
    )
    assert Complaint.objects.count() == 1
    assert complaint.messages.filter(direction="in").count() == 1
