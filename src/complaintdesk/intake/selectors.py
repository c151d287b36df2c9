"""Reads of the intake: which complaint a follow-up belongs to, and how to thread a reply."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from complaintdesk.complaints.domain.identity import InvalidIdentity, normalize_phone
from complaintdesk.complaints.models import (
    OPEN_STATUS_VALUES,
    Complaint,
    CustomerIdentity,
    IdentityKind,
    Message,
)
from complaintdesk.intake.base import InboundMessage
from complaintdesk.intake.models import ComplaintThread, InboundRecord, InboundStatus, ThreadKind

MAX_REFERENCES = 20


def code_pattern() -> re.Pattern[str]:
    prefix = re.escape(settings.COMPLAINT_CODE_PREFIX)
    return re.compile(rf"(?<![\w-])({prefix}-\d{{4}}-\d{{6}})(?![\w-])", re.IGNORECASE)


def sender_identities(message: InboundMessage) -> list[tuple[str, str]]:
    """The customer identities an inbound message carries (normalised like the customer's)."""
    out: list[tuple[str, str]] = []
    if message.sender_phone:
        with contextlib.suppress(InvalidIdentity):
            out.append((IdentityKind.PHONE, normalize_phone(message.sender_phone)))
    if message.sender_email:
        out.append((IdentityKind.EMAIL, message.sender_email.strip().lower()))
    if message.sender_facebook_id:
        out.append((IdentityKind.FACEBOOK, message.sender_facebook_id.strip()))
    if message.sender_zalo_id:
        out.append((IdentityKind.ZALO, message.sender_zalo_id.strip()))
    return out


@dataclass(frozen=True)
class ThreadMatch:
    complaint: Complaint
    by: str  # thread_key | in_reply_to | references | code


def _by_message_ids(channel: str, ids: list[str]) -> Complaint | None:
    """The complaint of the first id (in the order given) that we received or sent on it."""
    if not ids:
        return None
    found: dict[str, int] = {}
    for value, complaint_id in ComplaintThread.objects.filter(
        channel=channel, kind=ThreadKind.MESSAGE_ID, value__in=ids
    ).values_list("value", "complaint_id"):
        found.setdefault(value, complaint_id)
    for value, complaint_id in Message.objects.filter(
        channel=channel, provider_message_id__in=ids
    ).values_list("provider_message_id", "complaint_id"):
        found.setdefault(value, complaint_id)
    for value in ids:
        if value in found:
            return Complaint.objects.filter(pk=found[value]).first()
    return None


# Channels whose sender's phone and email are only what the visitor typed in (the chat widget,
# the web form): anyone can type a customer's phone next to a complaint code (codes are
# sequential), so a code there never joins the message to that complaint — it would hand the
# stranger the complaint's chat replies and notices. The customer follows a complaint on the
# portal, which proves the contact with a one-time code.
SELF_DECLARED_SENDER_CHANNELS = frozenset({"chat", "web"})


def _by_code(message: InboundMessage) -> Complaint | None:
    if message.channel in SELF_DECLARED_SENDER_CHANNELS:
        return None
    identities = sender_identities(message)
    if not identities:
        return None
    pattern = code_pattern()
    codes = [m.upper() for m in pattern.findall(message.subject)]
    codes += [m.upper() for m in pattern.findall(message.text[:5000])]
    for code in dict.fromkeys(codes):
        complaint = Complaint.objects.filter(code=code).first()
        if complaint is None:
            continue
        owned = CustomerIdentity.objects.filter(customer_id=complaint.customer_id)
        if any(owned.filter(kind=k, value=v).exists() for k, v in identities):
            return complaint
    return None


def thread_match(message: InboundMessage) -> ThreadMatch | None:
    """Which complaint a follow-up joins, most certain key first: the provider's thread key (on
    an open complaint of that channel), In-Reply-To, References (newest first) against the
    Message-IDs we received or sent for a complaint, then a complaint code in the subject or
    text that belongs to the same customer (not on chat or the web form, whose sender's contact
    is only typed in). ``None``: it opens a new complaint."""
    if message.thread_key:
        ref = (
            ComplaintThread.objects.filter(
                channel=message.channel,
                kind=ThreadKind.THREAD,
                value=message.thread_key[:255],
                complaint__status__in=OPEN_STATUS_VALUES,
            )
            .select_related("complaint")
            .order_by("-created_at", "-id")
            .first()
        )
        if ref is not None:
            return ThreadMatch(ref.complaint, "thread_key")
    if message.in_reply_to:
        found = _by_message_ids(message.channel, [message.in_reply_to])
        if found is not None:
            return ThreadMatch(found, "in_reply_to")
    references = [r for r in reversed(message.references) if r != message.in_reply_to]
    found = _by_message_ids(message.channel, references[:MAX_REFERENCES])
    if found is not None:
        return ThreadMatch(found, "references")
    found = _by_code(message)
    if found is not None:
        return ThreadMatch(found, "code")
    return None


@dataclass(frozen=True)
class ReplyThreading:
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    thread_key: str = ""
    subject: str = ""  # the subject of the customer's last message
    last_inbound_at: datetime | None = None  # when the customer last wrote on this channel


def reply_threading(*, complaint_id: int, channel: str, recipient: str = "") -> ReplyThreading:
    """How a message to the customer joins their conversation: In-Reply-To the customer's last
    message on this channel, References its chain, and the channel's conversation key.

    With a ``recipient``, only that sender's messages count: a notice to a colleague about the
    complaint does not join the customer's thread."""
    inbound = InboundRecord.objects.filter(
        complaint_id=complaint_id, channel=channel, status=InboundStatus.OK
    )
    if recipient:
        inbound = inbound.filter(sender__iexact=recipient.strip())
    last = inbound.order_by("-received_at", "-id").first()
    if recipient and last is None:
        return ReplyThreading()
    thread = (
        ComplaintThread.objects.filter(
            complaint_id=complaint_id, channel=channel, kind=ThreadKind.THREAD
        )
        .order_by("-created_at", "-id")
        .values_list("value", flat=True)
        .first()
    )
    if last is None:
        return ReplyThreading(thread_key=thread or "")
    own_id = last.provider_message_id if last.provider_message_id.startswith("<") else ""
    chain = [*last.references.split()]
    if last.in_reply_to and last.in_reply_to not in chain:
        chain.append(last.in_reply_to)
    if own_id:
        chain.append(own_id)
    refs = tuple(dict.fromkeys(chain))[-MAX_REFERENCES:]
    return ReplyThreading(
        in_reply_to=own_id if channel == "email" else "",
        references=refs if channel == "email" else (),
        thread_key=thread or last.thread_key,
        subject=last.subject,
        last_inbound_at=last.received_at,
    )
