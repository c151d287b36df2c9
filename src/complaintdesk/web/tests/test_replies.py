"""An agent's message to a customer who wrote on Facebook or Zalo goes out in that conversation:
complaint page → outbox (same transaction as the message) → intake's OutboxDeliverer → Send API /
Zalo OA customer-service API on a local server that records the calls."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints.models import Message
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.intake.base import InboundMessage
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.services import intake_receive
from complaintdesk.intake.tests.httpstub import start_stub
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox, OutboxStatus

pytestmark = pytest.mark.django_db
DELIVERER = "complaintdesk.intake.delivery.OutboxDeliverer"
PSID = "psid-2468"
ZALO_USER = "8421357900"
REPLY = "Chúng tôi đã hoàn tiền gói VIP cho Quý khách."


@pytest.fixture
def providers(settings):
    stub = start_stub()
    settings.NOTIFICATION_DELIVERERS = {"facebook": DELIVERER, "zalo": DELIVERER}
    settings.FACEBOOK_PAGE_TOKEN = "page-token"
    settings.FACEBOOK_GRAPH_API_BASE = stub.url + "/v21.0"
    settings.ZALO_ACCESS_TOKEN = "zalo-token"
    settings.ZALO_OA_API_BASE = stub.url
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def from_channel(channel, **sender):
    now = timezone.now()
    return intake_receive(
        InboundMessage(
            channel=channel,
            provider_message_id=f"{channel}-{uuid.uuid4().hex}",
            received_at=now,
            text="Tôi bị trừ tiền hai lần khi mua gói VIP",
            thread_key=sender.get("sender_facebook_id") or sender.get("sender_zalo_id", ""),
            **sender,
        ),
        now=now,
    ).complaint


def send(client, complaint, body=REPLY, direction="out"):
    url = reverse("web:complaint_message", args=[complaint.pk])
    return client.post(url, {"kind": "message", "direction": direction, "body": body})


def test_a_reply_to_a_messenger_customer_goes_through_the_send_api(
    login, org, providers, django_capture_on_commit_callbacks
):
    complaint = from_channel("facebook", sender_facebook_id=PSID, sender_name="Hoàng Yến")
    providers.answer(200, {"recipient_id": PSID, "message_id": "m_reply_1"})
    client = login(org.receiver)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, complaint)
    assert response.status_code == 302

    message = Message.objects.get(complaint=complaint, direction="out")
    assert (message.body, message.channel) == (REPLY, "facebook")
    row = Outbox.objects.get(complaint=complaint)
    assert (row.notice, row.channel, row.recipient) == ("reply", "facebook", PSID)
    assert row.dedupe_key == f"reply:{message.pk}"
    assert (row.status, row.provider_message_id) == (OutboxStatus.SENT, "m_reply_1")
    [request] = providers.posts
    assert request.path == "/v21.0/me/messages"
    assert request.query == {"access_token": ["page-token"]}
    assert request.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": REPLY},
    }
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu tin nhắn và xếp gửi tới khách hàng qua Facebook." in page
    actions = JournalEntry.objects.filter(complaint_id=complaint.pk, action__startswith="notice.")
    assert list(actions.order_by("seq").values_list("action", flat=True)) == [
        "notice.queued",
        "notice.sent",
    ]


def test_a_reply_to_a_zalo_customer_goes_through_the_oa_api(
    login, org, providers, django_capture_on_commit_callbacks
):
    complaint = from_channel("zalo", sender_zalo_id=ZALO_USER, sender_name="Ngô Quân")
    providers.answer(200, {"error": 0, "message": "Success", "data": {"message_id": "z_1"}})
    with django_capture_on_commit_callbacks(execute=True):
        send(login(org.receiver), complaint)
    row = Outbox.objects.get(complaint=complaint)
    assert (row.channel, row.recipient, row.status) == ("zalo", ZALO_USER, OutboxStatus.SENT)
    [request] = providers.posts
    assert request.path == "/v3.0/oa/message/cs"
    assert request.headers["access_token"] == "zalo-token"
    assert request.json == {"recipient": {"user_id": ZALO_USER}, "message": {"text": REPLY}}


def test_a_provider_refusal_is_kept_on_the_timeline_and_not_retried(
    login, org, providers, django_capture_on_commit_callbacks
):
    complaint = from_channel("zalo", sender_zalo_id=ZALO_USER)
    providers.answer(200, {"error": -230, "message": "User has not interacted with the OA"})
    with django_capture_on_commit_callbacks(execute=True):
        send(login(org.receiver), complaint)
    row = Outbox.objects.get(complaint=complaint)
    assert row.status == OutboxStatus.DEAD
    assert row.last_error.startswith("Zalo error -230")
    dead = JournalEntry.objects.get(complaint_id=complaint.pk, action="notice.dead")
    assert dead.after["channel"] == "zalo"


def test_a_reply_to_an_email_customer_is_mailed_on_their_thread(
    login, org, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_DELIVERERS = {"email": DELIVERER}
    now = timezone.now()
    message_id = f"<{uuid.uuid4().hex}@mail.example.vn>"
    complaint = intake_receive(
        InboundMessage(
            channel="email",
            provider_message_id=message_id,
            received_at=now,
            subject="Bị trừ tiền hai lần",
            text="Tôi bị trừ tiền hai lần khi mua gói VIP",
            sender_email="lan.nguyen@example.vn",
            sender_name="Lan",
        ),
        now=now,
    ).complaint
    assert InboundRecord.objects.get(complaint=complaint).provider_message_id == message_id
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(login(org.receiver), complaint)
    row = Outbox.objects.get(complaint=complaint, notice="reply")
    assert (row.channel, row.recipient, row.status) == (
        "email",
        "lan.nguyen@example.vn",
        OutboxStatus.SENT,
    )
    [mail] = mailoutbox
    assert mail.to == ["lan.nguyen@example.vn"]
    assert complaint.code in mail.subject
    assert REPLY in mail.body
    assert mail.extra_headers["In-Reply-To"] == message_id  # grouped with the customer's mail
    assert message_id in mail.extra_headers["References"]


def test_messages_that_are_only_records_send_nothing(login, org, providers):
    client = login(org.receiver)
    facebook = from_channel("facebook", sender_facebook_id=PSID)
    send(client, facebook, body="Khách gọi lại báo đã xem được.", direction="in")
    hotline = ComplaintFactory.create(actor=org.receiver)
    send(client, hotline, body="Đã gọi điện hướng dẫn khách.")
    assert Message.objects.filter(complaint__in=[facebook, hotline]).count() == 2
    assert not Outbox.objects.exists()
    assert providers.requests == []


def test_without_a_configured_channel_the_reply_is_recorded_and_the_agent_warned(
    login, org, settings
):
    settings.NOTIFICATION_DELIVERERS = {}
    complaint = from_channel("facebook", sender_facebook_id=PSID)
    client = login(org.receiver)
    response = send(client, complaint)
    assert Message.objects.filter(complaint=complaint, direction="out").count() == 1
    assert not Outbox.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu tin nhắn nhưng không gửi được qua Facebook" in page
    entry = JournalEntry.objects.get(complaint_id=complaint.pk, action="notice.unreachable")
    assert entry.after == {"notice": "reply", "channel": "facebook"}


def test_a_reply_form_sent_twice_reaches_the_customer_once(
    login, org, providers, django_capture_on_commit_callbacks
):
    """A double click or a browser resend carries the page's one-time key twice."""
    complaint = from_channel("facebook", sender_facebook_id=PSID, sender_name="Hoàng Yến")
    providers.answer(200, {"recipient_id": PSID, "message_id": "m_reply_1"})
    client = login(org.receiver)
    page = client.get(reverse("web:complaint_detail", args=[complaint.pk])).content.decode()
    key = page.split('name="submit_key" value="')[1].split('"')[0]
    url = reverse("web:complaint_message", args=[complaint.pk])
    data = {"kind": "message", "direction": "out", "body": REPLY, "submit_key": key}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302
    assert Message.objects.filter(complaint=complaint, direction="out").count() == 1
    assert Outbox.objects.filter(complaint=complaint).count() == 1
    assert len(providers.posts) == 1
    # A new page is a new key: the same words sent again on purpose are a second message.
    fresh = client.get(reverse("web:complaint_detail", args=[complaint.pk])).content.decode()
    again = fresh.split('name="submit_key" value="')[1].split('"')[0]
    assert again != key
    client.post(url, {**data, "submit_key": again})
    assert Message.objects.filter(complaint=complaint, direction="out").count() == 2


def test_a_note_form_sent_twice_is_recorded_once(login, org):
    complaint = ComplaintFactory.create(actor=org.receiver)
    client = login(org.receiver)
    url = reverse("web:complaint_message", args=[complaint.pk])
    data = {"kind": "note", "body": "Đã gọi lại cho khách.", "submit_key": uuid.uuid4().hex}
    client.post(url, data)
    client.post(url, data)
    assert Message.objects.filter(complaint=complaint, direction="note").count() == 1
    assert client.post(url, {**data, "submit_key": "not-a-key"}).status_code == 422
