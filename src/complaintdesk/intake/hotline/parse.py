"""The call centre's webhook: signature with replay protection, and one call event.

Our contract with the call-centre system (docs/channels.md):
- headers ``X-Hotline-Timestamp: <unix seconds>`` and ``X-Hotline-Signature: sha256=<hex>``, hex =
  HMAC-SHA256 under ``HOTLINE_WEBHOOK_SECRET`` of ``<timestamp> + "." + <raw body>``. The
  timestamp is inside the signed text, so a captured request cannot be replayed with a fresh
  timestamp; one older than ``HOTLINE_MAX_SKEW_SECONDS`` (5 minutes) is refused.
- body: ``{"event": "ringing|answered|ended|missed", "call_id", "caller", "hotline", "agent"
  (username), "recording_url", "occurred_at" (ISO 8601 with offset, or unix seconds)}``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from complaintdesk.core.clock import supported_year
from complaintdesk.core.formvalues import ascii_int
from complaintdesk.core.jsonbody import JsonRefused, loads

EVENTS = ("ringing", "answered", "ended", "missed")


class PayloadInvalid(ValueError):
    pass


def sign(raw: bytes, *, timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def check_signature(
    raw: bytes, *, header: str, timestamp: str, secret: str, now: datetime, max_skew: int
) -> str:
    """'' when the request is authentic and fresh, else why not (for the log)."""
    header = (header or "").strip()
    if not secret:
        return "no webhook secret configured"
    if not header or not timestamp:
        return "missing signature or timestamp"
    sent = ascii_int(timestamp, max_digits=12)  # Unix seconds
    if sent is None:
        return "bad timestamp"
    if abs(now.timestamp() - sent) > max_skew:
        return "timestamp outside the allowed window (replay?)"
    if not header.lower().startswith("sha256="):
        return "bad signature format"
    expected = sign(raw, timestamp=timestamp.strip(), secret=secret)
    if not hmac.compare_digest(expected, "sha256=" + header[7:].lower()):
        return "bad signature"
    return ""


@dataclass(frozen=True)
class CallEventIn:
    event: str
    call_id: str
    caller: str
    occurred_at: datetime
    hotline: str = ""
    agent: str = ""
    recording_url: str = ""


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise PayloadInvalid(f"{key} is not a string")
    return str(value).strip()[:limit]


def _moment(value: Any, fallback: datetime) -> datetime:
    """When the event happened, in UTC; a year outside 1900–2999 is refused (it would overflow
    when shown in local time, and a complaint opened from the call refuses it)."""
    if value in (None, ""):
        return fallback
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadInvalid("occurred_at out of range") from None
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise PayloadInvalid("occurred_at is not ISO 8601") from None
        if moment.tzinfo is None:
            raise PayloadInvalid("occurred_at has no UTC offset")
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00
            raise PayloadInvalid("occurred_at out of range") from None
    else:
        raise PayloadInvalid("occurred_at is neither a date nor a number")
    if not supported_year(moment):
        raise PayloadInvalid("occurred_at out of range")
    return moment


def parse(raw: bytes, received_at: datetime) -> CallEventIn:
    try:
        data = loads(raw)
    except JsonRefused:
        raise PayloadInvalid("not JSON") from None
    if not isinstance(data, dict):
        raise PayloadInvalid("not an object")
    event = _text(data, "event", 20).lower()
    if event not in EVENTS:
        raise PayloadInvalid(f"unknown event {event[:20]!r}")
    call_id = _text(data, "call_id", 100)
    if not call_id:
        raise PayloadInvalid("no call_id")
    recording = _text(data, "recording_url", 500)
    if recording and not recording.lower().startswith(("https://", "http://")):
        raise PayloadInvalid("recording_url is not a web address")
    return CallEventIn(
        event=event,
        call_id=call_id,
        caller=_text(data, "caller", 40),
        occurred_at=_moment(data.get("occurred_at"), received_at),
        hotline=_text(data, "hotline", 40),
        agent=_text(data, "agent", 150),
        recording_url=recording,
    )
