"""Facebook Messenger webhook: signature, the payload's events, one event → InboundMessage.

Formats (Meta's Messenger Platform documentation, see docs/channels.md):
- POSTs carry ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the RAW body bytes under
  the app secret (a re-serialised JSON body does not verify).
- Body: ``{"object": "page", "entry": [{"id", "time", "messaging": [event, …]}]}``; an event has
  ``sender.id`` (the page-scoped id, PSID), ``recipient.id``, ``timestamp`` (ms) and ``message``
  with ``mid``, ``text``, ``attachments[] {type: image|video|audio|file|fallback, payload.url}``
  and ``is_echo`` for the page's own messages (ignored).
"""

from __future__ import annotations

import hashlib
import hmac
import json
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
from complaintdesk.intake.queue import ATTACHMENT_URLS, QueuedEvent

CHANNEL = "facebook"
DOWNLOADABLE = {"image", "video", "audio", "file"}
MAX_TEXT = 20000


class PayloadInvalid(ValueError):
    """The body is not a Messenger webhook payload (kept as malformed, answered 400)."""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def sign(raw: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_valid(raw: bytes, header: str, secret: str) -> bool:
    """Constant-time check of ``X-Hub-Signature-256`` over the raw body."""
    header = (header or "").strip()
    if not secret or not header.lower().startswith("sha256="):
        return False
    return hmac.compare_digest(sign(raw, secret), "sha256=" + header[7:].lower())


def _canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_id(event: dict[str, Any]) -> str:
    """The message's ``mid``; for events without one (delivery, read…) a hash of the event."""
    for key in ("message", "postback"):
        part = event.get(key)
        mid = _str(part.get("mid")) if isinstance(part, dict) else ""
        if mid.strip():
            return mid.strip()[:255]
    return payload_id(_canonical(event))


def _sender(event: dict[str, Any]) -> str:
    sender = event.get("sender")
    value = sender.get("id") if isinstance(sender, dict) else None
    return str(value).strip()[:100] if isinstance(value, str | int) else ""


def _time(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, int | float) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return fallback
    return fallback


def split_payload(raw: bytes, received_at: datetime) -> tuple[list[QueuedEvent], str]:
    """The events of one webhook POST, each to be queued with its own JSON as raw payload.
    Returns ``(events, ignored_reason)``; ``PayloadInvalid`` when the body is not readable."""
    try:
        data = loads(raw)
    except JsonRefused as exc:
        raise PayloadInvalid(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise PayloadInvalid("no entry list")
    if data.get("object") != "page":
        return [], f"object {str(data.get('object'))[:30]!r} is not a page"
    events: list[QueuedEvent] = []
    for entry in data["entry"]:
        if not isinstance(entry, dict):
            raise PayloadInvalid("an entry is not an object")
        messaging = entry.get("messaging", [])
        if not isinstance(messaging, list):
            raise PayloadInvalid("messaging is not a list")
        for event in messaging:
            if not isinstance(event, dict):
                raise PayloadInvalid("a messaging event is not an object")
            sender = _sender(event)
            events.append(
                QueuedEvent(
                    provider_message_id=event_id(event),
                    raw=_canonical(event),
                    received_at=_time(event.get("timestamp"), received_at),
                    sender=sender,
                    thread_key=sender,
                )
            )
    return events, "" if events else "no messaging events"


def _attachments(message: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(URLs of pictures/files to download, links to quote in the text)."""
    downloads: list[str] = []
    links: list[str] = []
    items = message.get("attachments")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        payload: dict[str, Any] = item["payload"] if isinstance(item.get("payload"), dict) else {}
        url = _str(payload.get("url"))
        if not url.strip():
            continue
        if item.get("type") in DOWNLOADABLE and "sticker_id" not in payload:
            downloads.append(url.strip())
        elif item.get("type") == "fallback":
            links.append(url.strip())
    return downloads, links


def parse_event(raw: bytes, received_at: datetime) -> InboundMessage | InboundRejected:
    """One queued messaging event → a customer's message, or why it is not one."""

    def rejected(status: str, reason: str, pmid: str = "") -> InboundRejected:
        return InboundRejected(
            CHANNEL, pmid or payload_id(raw), status, reason, received_at, raw, sender=sender
        )

    sender = ""
    try:
        event = loads(raw)
    except JsonRefused:
        return rejected(MALFORMED, "event is not JSON")
    if not isinstance(event, dict):
        return rejected(MALFORMED, "event is not an object")
    pmid = event_id(event)
    sender = _sender(event)
    message = event.get("message")
    if not isinstance(message, dict):
        kinds = sorted(k for k in event if k not in ("sender", "recipient", "timestamp"))
        return rejected(IGNORED, f"not a message: {', '.join(kinds)[:80] or 'empty'}", pmid)
    if message.get("is_echo"):
        return rejected(IGNORED, "echo of a message sent by the page", pmid)
    if not sender:
        return rejected(MALFORMED, "message without sender.id", pmid)
    text = _str(message.get("text"))
    downloads, links = _attachments(message)
    if links:
        text = "\n".join([text, *links]).strip()
    if not text.strip() and not downloads:
        return rejected(IGNORED, "no text and no picture (sticker, reaction…)", pmid)
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=pmid,
        received_at=_time(event.get("timestamp"), received_at),
        text=text[:MAX_TEXT],
        sender_facebook_id=sender,
        thread_key=sender,
        raw=raw,
        extra={ATTACHMENT_URLS: "\n".join(downloads)} if downloads else {},
    )
