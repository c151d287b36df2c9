"""Delivery adapters: one per channel behind one small interface.

An adapter sends one message and either returns the provider's id or raises
:class:`DeliveryFailed` (``permanent=True`` when retrying cannot help, e.g. a rejected address).
Adapters never touch the database; the outbox service records every attempt.

Email and the web chat go through intake's channel adapters by default
(``complaintdesk.intake.delivery.OutboxDeliverer``, loaded by its path: the two apps do not import
each other), so a notice about a complaint threads onto the customer's mail (In-Reply-To /
References) or becomes a line of their chat conversation (the chat needs no provider). SMS, Zalo
and Facebook use the same deliverer once listed in the setting ``NOTIFICATION_CHANNEL_ADAPTERS``
(which fills ``NOTIFICATION_DELIVERERS``; a channel mapped to "" is switched off).
:class:`EmailDeliverer` is the plain SMTP sender without threading, for a deployment that wants it.

A conversation channel whose address is not an identity of the customer but a conversation of the
complaint (the chat: its session id) names, in :data:`DEFAULT_CONVERSATIONS` (setting
``NOTIFICATION_CONVERSATIONS``), a function loaded by path that answers the recipient:
``(complaint_id, now) -> str`` ("" when that conversation no longer reaches the customer).
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

DEFAULT_DELIVERERS = {
    "email": "complaintdesk.intake.delivery.OutboxDeliverer",
    "chat": "complaintdesk.intake.delivery.OutboxDeliverer",
}
DEFAULT_CONVERSATIONS = {"chat": "complaintdesk.intake.webchat.services.chat_recipient"}


@dataclass(frozen=True)
class OutgoingNotice:
    outbox_id: int
    channel: str
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    language: str = "vi"
    complaint_id: int | None = None  # the complaint the notice is about (threading)


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Deliverer(Protocol):
    channel: str

    def send(self, notice: OutgoingNotice) -> str:
        """Send one notice; return the provider's message id. Raise DeliveryFailed."""
        ...


def message_id_for(dedupe_key: str) -> str:
    """A stable Message-ID: a retried delivery of one notice carries the same id, so mail
    clients that saw the first copy show the second as the same message."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    domain = getattr(settings, "NOTIFICATION_MESSAGE_ID_DOMAIN", "complaintdesk.local")
    return f"<{digest}@{domain}>"


class EmailDeliverer:
    """Email over Django's configured email backend (SMTP in production)."""

    channel = "email"

    def send(self, notice: OutgoingNotice) -> str:
        message_id = message_id_for(notice.dedupe_key)
        email = EmailMessage(
            subject=notice.subject,
            body=notice.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notice.recipient],
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False, timeout=30),
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(
                f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                for addr, (code, msg) in exc.recipients.items()
            )
            # 5xx is a final "no" (unknown mailbox); 4xx means "try later".
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise DeliveryFailed(f"recipient refused: {detail}", permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        return message_id


@cache
def _load(path: str) -> Deliverer:
    deliverer: Deliverer = import_string(path)()
    return deliverer


def deliverer_for(channel: str) -> Deliverer | None:
    paths = {**DEFAULT_DELIVERERS, **getattr(settings, "NOTIFICATION_DELIVERERS", {})}
    path = paths.get(channel)
    return _load(path) if path else None


def channels_available() -> set[str]:
    paths = {**DEFAULT_DELIVERERS, **getattr(settings, "NOTIFICATION_DELIVERERS", {})}
    return {channel for channel, path in paths.items() if path}


@cache
def _load_lookup(path: str) -> Callable[[int, datetime], str]:
    lookup: Callable[[int, datetime], str] = import_string(path)
    return lookup


def conversation_channels() -> set[str]:
    """Channels reached through a conversation of the complaint rather than an identity."""
    paths = {**DEFAULT_CONVERSATIONS, **getattr(settings, "NOTIFICATION_CONVERSATIONS", {})}
    return {channel for channel, path in paths.items() if path}


def conversation_recipient(channel: str, complaint_id: int, now: datetime) -> str:
    """The recipient of the complaint's conversation on ``channel`` that still reaches the
    customer (e.g. the chat session id), or "" when there is none."""
    paths = {**DEFAULT_CONVERSATIONS, **getattr(settings, "NOTIFICATION_CONVERSATIONS", {})}
    path = paths.get(channel)
    return _load_lookup(path)(complaint_id, now) if path else ""
