"""Messages to Zalo: customer-service replies (OA API v3) and ZNS template notices.

- Reply: ``POST {ZALO_OA_API_BASE}/v3.0/oa/message/cs``, header ``access_token``, body
  ``{"recipient": {"user_id"}, "message": {"text"}}``; answer ``{"error": 0, "message":
  "Success", "data": {"message_id", "user_id"}}``.
- ZNS: ``POST {ZALO_ZNS_API_BASE}/message/template``, header ``access_token``, body
  ``{"phone": "84…" (no "+"), "template_id", "template_data": {…}, "tracking_id"}``; answer
  ``{"error": 0, "data": {"msg_id", "sent_time", …}}``. ``tracking_id`` is derived from the
  notice's idempotency key, so a retried notice carries the same one.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings

from complaintdesk.intake.base import OutboundMessage, SendResult
from complaintdesk.intake.conf import channel_settings
from complaintdesk.intake.http import HttpAnswer, post_json
from complaintdesk.intake.phone import without_plus

MAX_TEXT = 2000
# -201 invalid parameters, -213 / -230: the user has not interacted with the OA recently
# (outside the reply window) — trying again cannot help. Other errors (-216 expired access token,
# quotas, server faults) may pass.
PERMANENT_ERRORS = {-201, -213, -230}
_CODE = re.compile(r"\b[A-Z]{1,10}-\d{4}-\d{6}\b")


def _answer(answer: HttpAnswer, id_key: str, label: str) -> SendResult:
    data: dict[str, Any] = answer.data if isinstance(answer.data, dict) else {}
    code = data.get("error")
    if answer.status == 200 and code == 0:
        inner = data["data"] if isinstance(data.get("data"), dict) else {}
        return SendResult(ok=True, provider_message_id=str(inner.get(id_key, "")))
    if not isinstance(code, int):
        return SendResult(
            ok=False,
            error=f"{label}: {answer.error or answer.status}"[:500],
            retryable=answer.server_error,
        )
    error = f"{label} error {code}: {str(data.get('message', ''))[:300]}"
    return SendResult(ok=False, error=error, retryable=code not in PERMANENT_ERRORS)


def cs_body(message: OutboundMessage) -> dict[str, Any]:
    text = message.text.strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return {"recipient": {"user_id": message.recipient.strip()}, "message": {"text": text}}


class ZaloAdapter:
    """Customer-service replies to a Zalo user id (the conversation's thread key)."""

    channel = "zalo"

    def send(self, message: OutboundMessage) -> SendResult:
        config = channel_settings(self.channel)
        token = config.get("access_token")
        if not config.enabled or not token:
            return SendResult(ok=False, error="Zalo: channel off or no access token")
        if not message.recipient.strip() or not message.text.strip():
            return SendResult(ok=False, error="Zalo: no recipient or no text", retryable=False)
        base = settings.ZALO_OA_API_BASE.rstrip("/")
        answer = post_json(
            f"{base}/v3.0/oa/message/cs", cs_body(message), headers={"access_token": token}
        )
        return _answer(answer, "message_id", "Zalo")


def tracking_id(message: OutboundMessage) -> str:
    seed = message.message_id or f"{message.recipient}|{message.template}|{message.text}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def zns_body(message: OutboundMessage, phone: str) -> dict[str, Any]:
    template = message.template or getattr(settings, "ZALO_ZNS_TEMPLATE_ID", "")
    data = dict(message.template_data)
    if not data:
        found = _CODE.search(message.subject or "") or _CODE.search(message.text)
        data = {
            getattr(settings, "ZALO_ZNS_CODE_PARAM", "code"): found.group(0) if found else "",
            getattr(settings, "ZALO_ZNS_TEXT_PARAM", "content"): message.text.strip()[:400],
        }
    return {
        "phone": phone,
        "template_id": template,
        "template_data": data,
        "tracking_id": tracking_id(message),
    }


class ZnsAdapter:
    """Notices (acknowledgement, result) as ZNS template messages to the customer's phone."""

    channel = "zns"

    def send(self, message: OutboundMessage) -> SendResult:
        config = channel_settings("zalo")
        token = config.get("access_token")
        if not config.enabled or not token:
            return SendResult(ok=False, error="ZNS: channel off or no access token")
        phone = without_plus(message.recipient)
        if phone is None:
            return SendResult(ok=False, error="ZNS: invalid phone number", retryable=False)
        body = zns_body(message, phone)
        if not body["template_id"]:
            return SendResult(ok=False, error="ZNS: no template id (ZALO_ZNS_TEMPLATE_ID)")
        base = settings.ZALO_ZNS_API_BASE.rstrip("/")
        answer = post_json(f"{base}/message/template", body, headers={"access_token": token})
        return _answer(answer, "msg_id", "ZNS")
