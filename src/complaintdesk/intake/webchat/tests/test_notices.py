"""Procedure notices about a chat complaint reach the visitor in their conversation.

chat widget → complaint → an action that names ``result`` → outbox row (channel ``chat``,
recipient = the session id) → after commit intake's OutboxDeliverer → ChatAdapter → a ChatLine
the open widget receives through the event stream. Email or SMS only when the conversation no
longer reaches the customer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints.models import Complaint, Customer
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.intake.delivery import stable_message_id
from complaintdesk.intake.webchat.models import ChatDirection, ChatLine, ChatSession
from complaintdesk.intake.webchat.tests.test_chat import events, say, start
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox, OutboxStatus
from complaintdesk.notifications.notices import customer_address, on_procedure_notices
from complaintdesk.notifications.services import outbox_deliver

pytestmark = pytest.mark.django_db
EXPLANATION = "Quý khách vui lòng cập nhật ứng dụng lên bản 5.2 để xem lại kênh."


@pytest.fixture(autouse=True)
def quick_stream(settings):
    settings.CHAT_STREAM_SECONDS = 0.5
    settings.CHAT_STREAM_POLL_SECONDS = 0.05


@pytest.fixture
def chat(client):
    """A visitor who gave a phone and an email opened a complaint in the chat."""
    token = start(client, name="Ngô Bảo Châu", phone="0912888777", email="chau@example.vn")
    assert say(client, token, "Không xem được kênh VTV3 trên ứng dụng").status_code == 201
    return token, ChatSession.objects.get(), Complaint.objects.get()


def answer_now(complaint, org):
    return complaint_transition(
        complaint=complaint,
        action="answer_now",
        actor=org.receiver,
        inputs={"explanation": EXPLANATION},
    )


def outbound_lines(session):
    return list(
        ChatLine.objects.filter(session=session, direction=ChatDirection.OUTBOUND)
        .order_by("id")
        .values_list("client_id", "text")
    )


def test_the_result_is_a_line_of_the_conversation(
    client, org, chat, django_capture_on_commit_callbacks
):
    token, session, complaint = chat
    shown = events(client.get("/webhooks/chat/stream", {"t": token}))
    last_seen = shown[-1][0]  # the visitor's message and the receipt

    with django_capture_on_commit_callbacks(execute=True):
        complaint = answer_now(complaint, org)

    # Channel of origin first, although the customer also gave an email and a phone.
    assert list(
        Outbox.objects.filter(complaint=complaint)
        .order_by("id")
        .values_list("notice", "channel", "recipient", "status")
    ) == [
        ("result", "chat", session.session_id, OutboxStatus.SENT),
        ("survey", "chat", session.session_id, OutboxStatus.SENT),
    ]
    result = Outbox.objects.get(complaint=complaint, notice="result")
    assert EXPLANATION in result.body and complaint.code in result.body
    line = ChatLine.objects.get(session=session, client_id=stable_message_id(result.dedupe_key))
    assert line.direction == ChatDirection.OUTBOUND
    assert line.text == result.body.strip()
    assert result.provider_message_id == f"chat:{line.pk}"

    sent = JournalEntry.objects.filter(
        complaint_id=complaint.pk, action="notice.sent", target=f"notice:{result.pk}"
    ).get()
    assert (sent.after["notice"], sent.after["channel"], sent.after["recipient"]) == (
        "result",
        "chat",
        session.session_id,
    )

    # The open widget receives both notices through the event stream.
    new = events(
        client.get("/webhooks/chat/stream", HTTP_LAST_EVENT_ID=str(last_seen), data={"t": token})
    )
    assert [data["direction"] for _, _, data in new] == ["out", "out"]
    assert EXPLANATION in new[0][2]["text"]


def test_a_retried_notice_adds_no_second_line(org, chat, django_capture_on_commit_callbacks):
    _token, session, complaint = chat
    with django_capture_on_commit_callbacks(execute=True):
        complaint = answer_now(complaint, org)
    before = outbound_lines(session)
    assert len(before) == 3  # the receipt, the result, the survey
    result = Outbox.objects.get(complaint=complaint, notice="result")

    # The line was written but the outcome was lost (worker killed before recording it):
    # the row is due again and the next attempt delivers the same notice once more.
    Outbox.objects.filter(pk=result.pk).update(
        status=OutboxStatus.FAILED, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    attempt = outbox_deliver(outbox_id=result.pk)
    assert (attempt.outcome, attempt.attempt) == ("sent", 2)
    assert outbound_lines(session) == before

    # The procedure's handler run again for the same event queues nothing new.
    with transaction.atomic():
        on_procedure_notices(
            complaint=complaint,
            event="answer_now",
            notices=["result", "survey"],
            actor=None,
            now=timezone.now(),
            occurrence=f"v{complaint.version}",
        )
    assert Outbox.objects.filter(complaint=complaint).count() == 2
    assert outbound_lines(session) == before


def test_the_receipt_in_the_chat_stays_the_only_acknowledgement(org, chat):
    _token, session, complaint = chat
    complaint = complaint_transition(complaint=complaint, action="acknowledge", actor=org.receiver)
    assert not Outbox.objects.filter(complaint=complaint).exists()
    assert [text for client_id, text in outbound_lines(session)] == [
        ChatLine.objects.get(client_id=f"receipt:{complaint.pk}").text
    ]


def test_without_the_conversation_the_notice_goes_by_email_or_sms(org, chat, settings):
    _token, session, complaint = chat
    now = timezone.now()
    assert customer_address(complaint, now) == ("chat", session.session_id)
    # The customer said they prefer email.
    Customer.objects.filter(pk=complaint.customer_id).update(preferred_channel="email")
    complaint.customer.refresh_from_db()
    assert customer_address(complaint, now) == ("email", "chau@example.vn")
    Customer.objects.filter(pk=complaint.customer_id).update(preferred_channel="")
    complaint.customer.refresh_from_db()
    # 30 days after the conversation started the visitor's token no longer opens it.
    assert customer_address(complaint, now + timedelta(days=31)) == ("email", "chau@example.vn")
    # The chat switched off as a delivery channel.
    settings.NOTIFICATION_DELIVERERS = {"chat": ""}
    assert customer_address(complaint, now) == ("email", "chau@example.vn")


def test_a_chat_complaint_typed_in_by_an_agent_has_no_conversation(org, settings):
    settings.NOTIFICATION_DELIVERERS = {"sms": "complaintdesk.intake.delivery.OutboxDeliverer"}
    typed = ComplaintFactory.create(
        actor=org.receiver, channel="chat", customer={"name": "Lý Hoa", "phone": "0912000444"}
    )
    assert customer_address(typed) == ("sms", "+84912000444")
