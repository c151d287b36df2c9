"""The chat: a conversation becomes one complaint, agent replies reach the open widget live."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.complaints.models import Attachment, Complaint, Message
from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.email.tests.mails import PNG
from complaintdesk.intake.registry import adapter_for
from complaintdesk.intake.webchat.models import ChatLine, ChatSession
from complaintdesk.intake.webchat.services import chat_session_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_stream(settings):
    settings.CHAT_STREAM_SECONDS = 0.5
    settings.CHAT_STREAM_POLL_SECONDS = 0.05


def start(client, **contact):
    data = {"name": "Võ Thị Mai", "phone": "0987654321", **contact}
    response = client.post(
        "/webhooks/chat/session", data=json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def say(client, token, text, client_id=""):
    return client.post(
        "/webhooks/chat/messages",
        data=json.dumps({"text": text, "client_id": client_id}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )


def events(response):
    """The server-sent events of a (finite) stream: [(id, event, data)]."""
    text = b"".join(response.streaming_content).decode()
    out = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if "data" in fields:
            out.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return out


def test_the_widget_script_opens_our_panel(client):
    response = client.get("/webhooks/chat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/webhooks/chat/" in response.content.decode()
    panel = client.get("/webhooks/chat/?lang=en")
    assert panel.status_code == 200 and "frame-ancestors" in panel["Content-Security-Policy"]


def test_contact_details_are_needed_to_start(client):
    response = client.post("/webhooks/chat/session", data="{}", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "Vui lòng nhập họ tên.",
        "phone": "Vui lòng cho biết số điện thoại hoặc email để chúng tôi liên hệ lại.",
    }


def test_two_messages_of_one_session_make_one_complaint(client):
    token = start(client)
    first = say(client, token, "Ứng dụng báo lỗi khi thanh toán")
    second = say(client, token, "Tôi dùng ví MoMo")
    assert first.status_code == second.status_code == 201
    complaint = Complaint.objects.get()
    assert first.json()["code"] == second.json()["code"] == complaint.code
    assert complaint.channel == "chat"
    assert complaint.description == "Ứng dụng báo lỗi khi thanh toán"
    assert list(Message.objects.values_list("complaint_id", "direction", "body")) == [
        (complaint.pk, "in", "Tôi dùng ví MoMo")
    ]


def test_a_resent_message_is_not_recorded_twice(client):
    token = start(client)
    say(client, token, "Xin chào", client_id="c1")
    say(client, token, "Xin chào", client_id="c1")
    assert ChatLine.objects.filter(direction="in").count() == 1
    assert Complaint.objects.count() == 1 and Message.objects.count() == 0


def test_the_visitor_is_told_the_code_in_the_conversation(client):
    token = start(client)
    say(client, token, "Mất kết nối")
    complaint = Complaint.objects.get()
    stream = client.get("/webhooks/chat/stream", {"t": token})
    lines = [data for _, _, data in events(stream)]
    assert [line["direction"] for line in lines] == ["in", "out"]
    assert lines[1]["text"].startswith(
        f"Chúng tôi đã tiếp nhận yêu cầu của bạn. Mã phiếu: {complaint.code}."
    )


def test_a_complaint_code_and_the_customers_phone_typed_in_do_not_join_their_complaint(client):
    """Anyone can type a customer's phone next to a (sequential) complaint code: the chat must
    not become that complaint's conversation, or its replies and notices reach a stranger."""
    owner = start(client)
    say(client, owner, "Mất kết nối khi xem phim")
    theirs = Complaint.objects.get()
    stranger = start(client, name="Người lạ")  # the same phone, typed in
    response = say(client, stranger, f"Cho hỏi tiến độ phiếu {theirs.code}")
    assert response.status_code == 201
    assert response.json()["code"] != theirs.code
    mine = Complaint.objects.exclude(pk=theirs.pk).get()
    assert mine.description == f"Cho hỏi tiến độ phiếu {theirs.code}"
    assert not Message.objects.filter(complaint=theirs).exists()
    assert chat_session_of(theirs).name == "Võ Thị Mai"  # replies and notices still go there


def test_the_event_stream_delivers_an_agent_reply_sent_through_the_adapter(client):
    token = start(client)
    say(client, token, "Phim không có phụ đề")
    session = ChatSession.objects.get()
    seen = events(client.get("/webhooks/chat/stream", {"t": token}))
    last = seen[-1][0]
    result = adapter_for("chat").send(
        OutboundMessage(
            channel="chat",
            recipient=session.session_id,
            text="Chúng tôi sẽ bổ sung phụ đề trong hôm nay.",
        )
    )
    assert result.ok
    stream = client.get("/webhooks/chat/stream", HTTP_LAST_EVENT_ID=str(last), data={"t": token})
    assert stream["Content-Type"] == "text/event-stream"
    assert stream["Cache-Control"] == "no-cache"
    new = events(stream)
    assert [(event, data["direction"], data["text"]) for _, event, data in new] == [
        ("line", "out", "Chúng tôi sẽ bổ sung phụ đề trong hôm nay.")
    ]


def test_an_agent_reply_from_the_complaint_is_on_the_timeline_and_in_the_chat(client, org):
    token = start(client)
    say(client, token, "Tài khoản bị khóa")
    complaint = Complaint.objects.get()
    client.force_login(org.receiver)
    response = client.post(f"/webhooks/chat/reply/{complaint.pk}", {"text": "Đã mở khóa cho bạn."})
    assert response.status_code == 201
    message = Message.objects.get(direction="out")
    assert (message.complaint, message.channel, message.author) == (complaint, "chat", org.receiver)
    client.logout()
    lines = [data for _, _, data in events(client.get("/webhooks/chat/stream", {"t": token}))]
    assert lines[-1]["text"] == "Đã mở khóa cho bạn."
    assert lines[-1]["direction"] == "out"


def test_staff_without_the_right_cannot_answer(client, org):
    token = start(client)
    say(client, token, "Xin hỗ trợ")
    client.force_login(org.staff)
    assert (
        client.post(f"/webhooks/chat/reply/{Complaint.objects.get().pk}", {"text": "x"}).status_code
        == 403
    )


def test_a_picture_from_the_visitor_is_checked_and_attached(client):
    token = start(client)
    say(client, token, "Ảnh lỗi đây")
    picture = SimpleUploadedFile("man-hinh.png", PNG, content_type="image/png")
    response = client.post(
        "/webhooks/chat/upload", {"t": token, "file": picture, "client_id": "p1"}
    )
    assert response.status_code == 201
    assert Attachment.objects.get().complaint == Complaint.objects.get()
    fake = SimpleUploadedFile("a.png", b"#!/bin/sh\nrm -rf /", content_type="image/png")
    refused = client.post("/webhooks/chat/upload", {"t": token, "file": fake})
    assert refused.status_code == 422
    assert Attachment.objects.count() == 1


def test_a_forged_or_missing_token_is_refused(client):
    assert say(client, "forged", "x").status_code == 403
    assert client.get("/webhooks/chat/stream").status_code == 403
    assert not Complaint.objects.exists()


def test_messages_are_rate_limited_per_session(client, settings):
    settings.CHAT_MESSAGE_RATE_SESSION = "3/60"
    token = start(client)
    codes = [say(client, token, f"Tin {n}").status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = say(client, token, "Tin 5").json()
    assert refused["message_en"].startswith("Too many requests")


def test_sessions_are_rate_limited_per_address(client, settings):
    settings.CHAT_SESSION_RATE = "1/3600"
    start(client)
    response = client.post(
        "/webhooks/chat/session",
        data=json.dumps({"name": "A", "phone": "0912345678"}),
        content_type="application/json",
    )
    assert response.status_code == 429


def test_hostile_chat_input_gets_an_answer_not_a_500(client):
    nested = "[" * 5000 + "]" * 5000
    for path in ("/webhooks/chat/session", "/webhooks/chat/messages"):
        response = client.post(path, data=nested, content_type="application/json")
        assert response.status_code in (403, 422), path
    refused = client.post(
        "/webhooks/chat/session",
        data=json.dumps({"name": "An", "email": "a\x01b@vieon.vn"}),  # \s missed it
        content_type="application/json",
    )
    assert refused.status_code == 422
    long_email = (
        "a" * 64 + "@" + "b" * 190 + ".vn"
    )  # the pattern's parts allow it; 254 in all do not
    refused = client.post(
        "/webhooks/chat/session",
        data=json.dumps({"name": "An", "email": long_email}),
        content_type="application/json",
    )
    assert refused.json()["errors"] == {"email": "Email không hợp lệ."}
    assert not ChatSession.objects.exists()
    token = start(client, name="An\ud800")
    assert ChatSession.objects.get().name == "An\ufffd"
    sent = client.post(
        "/webhooks/chat/messages",
        data='{"text": "M\\u1ea5t s\\u00f3ng \\ud800", "client_id": "\\u0000"}',
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )
    assert sent.status_code == 201, sent.content
    assert Complaint.objects.get().description == "Mất sóng \ufffd"
    for after in ("²", "9" * 5000):
        stream = client.get("/webhooks/chat/stream", {"t": token, "after": after})
        assert [data["direction"] for _, _, data in events(stream)] == ["in", "out"]
