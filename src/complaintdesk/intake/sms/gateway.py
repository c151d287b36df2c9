"""SMS notices: one channel adapter over a pluggable gateway (the provider's HTTP API).

``SmsAdapter`` (channel ``sms``) normalises the number and hands the text to the gateway named by
``SMS_PROVIDER`` (``SMS_GATEWAYS``: ``esms`` → eSMS.vn). SMS is outbound only: customers write
back through the other channels. A gateway answers a ``SendResult`` and never raises.
"""

from __future__ import annotations

import hashlib
from typing import Final, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from complaintdesk.core.text import strip_accents
from complaintdesk.intake.base import OutboundMessage, SendResult
from complaintdesk.intake.phone import e164

SMS_GATEWAYS: Final[dict[str, str]] = {
    "esms": "complaintdesk.intake.sms.esms.EsmsGateway",
}


class SmsGateway(Protocol):
    name: str

    def send(self, *, phone: str, text: str, request_id: str) -> SendResult:
        """Send ``text`` to ``phone`` (E.164). ``request_id`` is stable across retries of one
        notice, so a gateway that deduplicates on it never sends twice."""
        ...


def ascii_text(text: str) -> str:
    """Vietnamese without accents ("Đã tiếp nhận" → "Da tiep nhan"): a non-Unicode SMS is
    160 characters a segment instead of 70, and cheaper."""
    return strip_accents(text)


def gateway_for(name: str) -> SmsGateway:
    path = {**SMS_GATEWAYS, **getattr(settings, "SMS_GATEWAYS", {})}.get(name)
    if not path:
        raise LookupError(f"no SMS gateway {name!r}")
    gateway: SmsGateway = import_string(path)()
    return gateway


def request_id(message: OutboundMessage) -> str:
    seed = message.message_id or f"{message.recipient}|{message.text}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


class SmsAdapter:
    channel = "sms"

    def send(self, message: OutboundMessage) -> SendResult:
        phone = e164(message.recipient)
        if phone is None:
            return SendResult(ok=False, error="SMS: invalid phone number", retryable=False)
        text = " ".join(message.text.split())
        if not text:
            return SendResult(ok=False, error="SMS: empty text", retryable=False)
        try:
            gateway = gateway_for(getattr(settings, "SMS_PROVIDER", "esms"))
        except LookupError as exc:
            return SendResult(ok=False, error=f"SMS: {exc}")
        return gateway.send(phone=phone, text=text, request_id=request_id(message))
