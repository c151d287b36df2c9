"""Replies to a Messenger conversation through the Send API.

``POST {FACEBOOK_GRAPH_API_BASE}/me/messages?access_token=<page token>`` with
``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": …}}``; answered
``{"recipient_id", "message_id"}``. Within 24 hours of the customer's last message the reply is a
``RESPONSE``; up to 7 days it is a ``MESSAGE_TAG`` with ``"tag": "HUMAN_AGENT"``; later Messenger
refuses it, so we do not try (``retryable=False``, the receiver answers by phone or mail).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings

from complaintdesk.core.clock import local, utcnow
from complaintdesk.intake.base import OutboundMessage, SendResult
from complaintdesk.intake.conf import channel_settings
from complaintdesk.intake.http import HttpAnswer, post_json

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MAX_TEXT = 2000  # Messenger's limit for a text message
# Graph API error codes worth another try: unknown/service errors, throttling, expired token
# (an administrator renews it, then the retry goes through).
RETRYABLE_CODES = {1, 2, 4, 17, 32, 190, 341, 613}


def messaging_type(last_inbound_at: datetime | None, now: datetime) -> tuple[str, str] | None:
    """(messaging_type, tag) for a reply now, or ``None`` when it is outside every window."""
    if last_inbound_at is None or now - last_inbound_at <= STANDARD_WINDOW:
        return "RESPONSE", ""
    if now - last_inbound_at <= HUMAN_AGENT_WINDOW:
        return "MESSAGE_TAG", "HUMAN_AGENT"
    return None


def request_body(message: OutboundMessage, kind: str, tag: str) -> dict[str, Any]:
    text = message.text.strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    body: dict[str, Any] = {
        "recipient": {"id": message.recipient.strip()},
        "messaging_type": kind,
        "message": {"text": text},
    }
    if tag:
        body["tag"] = tag
    return body


def _failure(answer: HttpAnswer) -> SendResult:
    error = answer.data.get("error") if isinstance(answer.data, dict) else None
    if not isinstance(error, dict):
        return SendResult(
            ok=False,
            error=f"Messenger: {answer.error or answer.status}"[:500],
            retryable=answer.server_error,
        )
    code = error.get("code")
    subcode = error.get("error_subcode")
    text = f"Messenger error {code}/{subcode or '-'}: {str(error.get('message', ''))[:300]}"
    retryable = bool(error.get("is_transient")) or code in RETRYABLE_CODES or answer.server_error
    return SendResult(ok=False, error=text, retryable=retryable)


class FacebookAdapter:
    channel = "facebook"

    def send(self, message: OutboundMessage) -> SendResult:
        config = channel_settings(self.channel)
        token = config.get("page_token")
        if not config.enabled or not token:
            return SendResult(ok=False, error="Messenger: channel off or no page token")
        if not message.recipient.strip() or not message.text.strip():
            return SendResult(ok=False, error="Messenger: no recipient or no text", retryable=False)
        now = utcnow()
        kind = messaging_type(message.last_inbound_at, now)
        if kind is None:
            assert message.last_inbound_at is not None
            last = local(message.last_inbound_at).strftime("%d/%m/%Y")
            return SendResult(
                ok=False,
                error=(
                    "Messenger: outside the 7-day window for a human agent's reply (the customer "
                    f"last wrote on {last}); reach them by phone or email"
                ),
                retryable=False,
            )
        base = settings.FACEBOOK_GRAPH_API_BASE.rstrip("/")
        answer = post_json(
            f"{base}/me/messages?access_token={quote(token, safe='')}",
            request_body(message, *kind),
        )
        if answer.status == 200 and isinstance(answer.data, dict):
            return SendResult(ok=True, provider_message_id=str(answer.data.get("message_id", "")))
        return _failure(answer)
