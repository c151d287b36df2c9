"""Replies through the Send API, against a local HTTP server standing in for the Graph API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.facebook.outbound import FacebookAdapter
from complaintdesk.intake.facebook.tests.payloads import PSID, body, event, post
from complaintdesk.intake.outbound import outbound_send
from complaintdesk.intake.tests.httpstub import closed_port_url

pytestmark = pytest.mark.django_db


def reply(text="Chúng tôi đã kiểm tra và hoàn tiền cho bạn.", *, ago=timedelta(hours=1)):
    return OutboundMessage(
        channel="facebook", recipient=PSID, text=text, last_inbound_at=timezone.now() - ago
    )


def test_a_reply_within_24_hours_is_a_response(channels):
    channels.answer(200, {"recipient_id": PSID, "message_id": "m_sent_1"})
    result = FacebookAdapter().send(reply())
    assert result.ok and result.provider_message_id == "m_sent_1"
    request = channels.posts[0]
    assert request.path == "/v21.0/me/messages"
    assert request.query == {"access_token": ["fb-page-token"]}
    assert request.headers["content-type"].startswith("application/json")
    assert request.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Chúng tôi đã kiểm tra và hoàn tiền cho bạn."},
    }


def test_after_24_hours_a_human_agent_tag_is_used_up_to_7_days(channels):
    channels.answer(200, {"recipient_id": PSID, "message_id": "m_sent_2"})
    assert FacebookAdapter().send(reply(ago=timedelta(days=3))).ok
    assert channels.posts[0].json == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "message": {"text": "Chúng tôi đã kiểm tra và hoàn tiền cho bạn."},
        "tag": "HUMAN_AGENT",
    }


def test_beyond_7_days_the_reply_is_refused_without_calling_facebook(channels):
    result = FacebookAdapter().send(reply(ago=timedelta(days=8)))
    assert not result.ok and not result.retryable
    assert "outside the 7-day window" in result.error
    assert channels.posts == []


def test_facebook_refusals_are_final_and_faults_are_retried(channels):
    channels.answer(
        400,
        {
            "error": {
                "message": "(#10) This message is sent outside of allowed window.",
                "type": "OAuthException",
                "code": 10,
                "error_subcode": 2018278,
            }
        },
    )
    refused = FacebookAdapter().send(reply())
    assert not refused.ok and not refused.retryable
    assert refused.error.startswith("Messenger error 10/2018278")
    channels.answer(
        500, {"error": {"message": "An unknown error", "code": 1, "is_transient": True}}
    )
    assert FacebookAdapter().send(reply()).retryable
    channels.answer(400, {"error": {"message": "Calls to this api have exceeded", "code": 613}})
    assert FacebookAdapter().send(reply()).retryable


def test_facebook_down_is_retryable(channels, settings):
    settings.FACEBOOK_GRAPH_API_BASE = closed_port_url() + "/v21.0"
    result = FacebookAdapter().send(reply())
    assert not result.ok and result.retryable
    assert result.error.startswith("Messenger: URLError")


def test_outbound_send_answers_in_the_customer_conversation(
    client, channels, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body(event("Phim bị giật", mid="m_in")))
    from complaintdesk.complaints.models import Complaint

    complaint = Complaint.objects.get()
    channels.answer(200, {"recipient_id": PSID, "message_id": "m_out"})
    result = outbound_send(
        complaint=complaint, channel="facebook", recipient=PSID, text="Chào bạn, đã nhận."
    )
    assert result.ok
    assert channels.posts[-1].json["messaging_type"] == "RESPONSE"
    assert channels.posts[-1].json["recipient"] == {"id": PSID}
