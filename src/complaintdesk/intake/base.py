"""The one typed interface every channel adapter implements.

An adapter turns a provider's payload into frozen ``InboundMessage`` objects and can send an
``OutboundMessage``. Adapters never import ``complaints``: the intake service
(``intake.services.intake_receive``) is the only way a message becomes or joins a complaint; it is
idempotent on (channel, provider_message_id) and threads follow-ups by ``thread_key`` /
``in_reply_to`` / ``references`` before anything fuzzy (the complaint code in a subject).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class InboundAttachment:
    name: str
    content: bytes
    declared_type: str = ""


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # hotline | chat | email | facebook | zalo | web | sms ...
    provider_message_id: str  # unique per channel: Message-ID, mid, msg_id, call id
    received_at: datetime
    text: str
    sender_name: str = ""
    sender_phone: str = ""
    sender_email: str = ""
    sender_facebook_id: str = ""
    sender_zalo_id: str = ""
    subject: str = ""
    thread_key: str = ""  # conversation id / PSID / Zalo user id / chat session
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    attachments: tuple[InboundAttachment, ...] = ()
    language: str = "vi"
    raw_ref: str = ""  # where the raw payload is kept for inspection (never personal data in logs)
    extra: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the provider's payload as received (mail source, webhook body); kept on the InboundRecord


# What ``InboundRejected.status`` may be.
IGNORED = "ignored"  # auto-reply, bounce, mail loop, provider event that is not a message
MALFORMED = "malformed"  # cannot be read: kept for inspection, never turned into a complaint


@dataclass(frozen=True)
class InboundRejected:
    """A payload that must not become a complaint, recorded (status, reason, raw) for inspection.

    ``provider_message_id`` keeps re-deliveries idempotent; when the provider gave none, adapters
    use ``payload_id(raw)``.
    """

    channel: str
    provider_message_id: str
    status: str  # IGNORED | MALFORMED
    reason: str  # short, English, for the admin ("auto-reply: Auto-Submitted auto-replied")
    received_at: datetime
    raw: bytes = b""
    sender: str = ""
    subject: str = ""


def payload_id(raw: bytes) -> str:
    """A stable provider message id for a payload that carries none: its SHA-256."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class OutboundMessage:
    channel: str
    recipient: str  # email address, PSID, Zalo user id, E.164 phone, chat session
    text: str
    subject: str = ""
    html: str = ""
    thread_key: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    message_id: str = ""  # our Message-ID / idempotency key for the provider
    template: str = ""  # ZNS template id etc.
    template_data: dict[str, str] = field(default_factory=dict)
    # When the customer last wrote on this conversation (Messenger's 24 h / 7 day window).
    last_inbound_at: datetime | None = None


@dataclass(frozen=True)
class SendResult:
    ok: bool
    provider_message_id: str = ""
    error: str = ""
    retryable: bool = True


class ChannelAdapter(Protocol):
    """Sends on one channel. ``send`` never raises for a provider's refusal or a network fault:
    it answers ``SendResult(ok=False, error=..., retryable=...)`` (``retryable=False`` when trying
    again cannot help, e.g. an unknown mailbox). It does not touch the database."""

    channel: str

    def send(self, message: OutboundMessage) -> SendResult: ...
