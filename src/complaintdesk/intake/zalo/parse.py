"""Zalo Official Account webhook: signature, one event → InboundMessage.

Formats (Zalo for Developers, OA webhook; see docs/channels.md):
- ``X-ZEvent-Signature: mac=<hex>``, hex = SHA-256 (plain, not HMAC) of
  ``app_id + raw body + timestamp + OA secret key``; ``timestamp`` is the string field of the body.
  The app id is ours (the setting), not the one the body claims.
- Body: ``{"app_id", "oa_id", "user_id_by_app", "event_name", "timestamp", "sender": {"id"},
  "recipient": {"id"}, "message": {"msg_id", "text", "attachments": [{"type", "payload":
  {"url", "thumbnail"}}]}}``. ``user_send_text`` / ``user_send_image`` (and links, files) are
  customers' messages; ``follow``, ``user_received_message``, ``user_seen_message``… are kept as
  ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any

from complaintdesk.core.jsonbody import JsonRefused, loads
from complaintdesk.intake.base import (
    IGNORED,
    MALFORMED,
    InboundMessage,
    InboundRejected,
    payload_id,
)
from complaintdesk.intake.queue import ATTACHMENT_URLS

CHANNEL = "zalo"
MESSAGE_EVENTS = frozenset(
    {"user_send_text", "user_send_image", "user_send_link", "user_send_file", "user_send_gif"}
)
DOWNLOADABLE = {"image", "file", "gif"}
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,20})"?')
MAX_TEXT = 20000


class PayloadInvalid(ValueError):
    pass


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def body_timestamp(raw: bytes) -> str:
    """The body's ``timestamp`` taken from the raw bytes (the body is not trusted — nor parsed —
    before its signature is checked)."""
    found = _TIMESTAMP.search(raw)
    return found.group(1).decode() if found else ""


def sign(raw: bytes, *, app_id: str, timestamp: str, secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + secret.encode())
    return "mac=" + digest.hexdigest()


def signature_valid(raw: bytes, header: str, *, app_id: str, secret: str) -> bool:
    header = (header or "").strip()
    timestamp = body_timestamp(raw)
    if not app_id or not secret or not timestamp or not header.lower().startswith("mac="):
        return False
    expected = sign(raw, app_id=app_id, timestamp=timestamp, secret=secret)
    return hmac.compare_digest(expected, "mac=" + header[4:].lower())


def _time(value: Any, fallback: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback


def read(raw: bytes) -> dict[str, Any]:
    try:
        data = loads(raw)
    except JsonRefused as exc:
        raise PayloadInvalid(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("event_name"), str):
        raise PayloadInvalid("no event_name")
    return data


def _part(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def event_id(data: dict[str, Any], raw: bytes) -> str:
    msg_id = _part(data, "message").get("msg_id")
    if isinstance(msg_id, str | int) and str(msg_id).strip():
        return str(msg_id).strip()[:255]
    return payload_id(raw)


def sender_id(data: dict[str, Any]) -> str:
    value = _part(data, "sender").get("id")
    return str(value).strip()[:100] if isinstance(value, str | int) else ""


def is_message(data: dict[str, Any]) -> bool:
    return data.get("event_name") in MESSAGE_EVENTS


def parse_event(raw: bytes, received_at: datetime) -> InboundMessage | InboundRejected:
    """One webhook body → a customer's message, or why it is not one."""
    try:
        data = read(raw)
    except PayloadInvalid as exc:
        return InboundRejected(CHANNEL, payload_id(raw), MALFORMED, str(exc), received_at, raw)
    pmid = event_id(data, raw)
    sender = sender_id(data)
    event_name = str(data["event_name"])[:60]
    if not is_message(data):
        return InboundRejected(
            CHANNEL, pmid, IGNORED, f"event {event_name}", received_at, raw, sender=sender
        )
    if not sender:
        return InboundRejected(
            CHANNEL, pmid, MALFORMED, f"{event_name} without sender.id", received_at, raw
        )
    message = _part(data, "message")
    text = _str(message.get("text"))
    downloads: list[str] = []
    items = message.get("attachments")
    for item in items if isinstance(items, list) else []:
        payload = _part(item, "payload") if isinstance(item, dict) else {}
        url = _str(payload.get("url"))
        if not url.strip():
            continue
        if isinstance(item, dict) and item.get("type") in DOWNLOADABLE:
            downloads.append(url.strip())
        else:
            text = f"{text}\n{url.strip()}".strip()
    if not text.strip() and not downloads:
        return InboundRejected(
            CHANNEL, pmid, IGNORED, f"{event_name} without text or picture", received_at, raw
        )
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=pmid,
        received_at=_time(data.get("timestamp"), received_at),
        text=text[:MAX_TEXT],
        sender_zalo_id=sender,
        thread_key=sender,
        raw=raw,
        extra={ATTACHMENT_URLS: "\n".join(downloads)} if downloads else {},
    )
