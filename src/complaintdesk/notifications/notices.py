"""Notices about a complaint: who receives them, through which channel, with which words.

Callers name a notice and a dedupe key; these helpers pick the recipient's address and channel,
build the template context and queue the row through :func:`outbox_enqueue` (in the caller's
transaction). :func:`on_procedure_notices` is the ``complaints.hooks.emit_notices`` handler: the
notices a procedure names for a complaint event (acknowledgement on ``acknowledge``, result on
``notify_result``…) are queued in the transaction of that event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from complaintdesk.complaints.models import Channel, Complaint, IdentityKind
from complaintdesk.core.clock import local, utcnow
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.deliverers import (
    channels_available,
    conversation_channels,
    conversation_recipient,
)
from complaintdesk.notifications.domain.templates import CUSTOMER_NOTICES
from complaintdesk.notifications.models import Outbox, OutboxStatus
from complaintdesk.notifications.services import outbox_enqueue

logger = logging.getLogger(__name__)

# Which identity kind reaches a customer on which channel.
CHANNEL_OF_IDENTITY: dict[str, str] = {
    IdentityKind.EMAIL: "email",
    IdentityKind.PHONE: "sms",
    IdentityKind.ZALO: "zalo",
    IdentityKind.FACEBOOK: "facebook",
}


def format_date(value: datetime | None) -> str:
    return local(value).strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    return local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def notice_context(complaint: Complaint, **extra: Any) -> dict[str, Any]:
    return {
        "code": complaint.code,
        "customer_name": complaint.customer.name,
        "subject": complaint.subject,
        "resolution": complaint.resolution,
        "due_date": format_date(complaint.next_due_at),
        "assignee": complaint.assignee.display_name if complaint.assignee else "—",
        **extra,
    }


# The delivery channel that answers a customer on the channel they came by (or prefer): the
# conversation channels answer there; the ways in without a conversation of their own (phone
# calls, the counter, letters, the web form, the API) answer by SMS to the customer's phone.
# The chat's address is not an identity of the customer but the complaint's conversation (its
# session id), found through ``deliverers.conversation_recipient``.
DELIVERY_OF_CHANNEL: dict[str, str] = {
    Channel.CHAT: "chat",
    Channel.EMAIL: "email",
    Channel.FACEBOOK: "facebook",
    Channel.ZALO: "zalo",
    Channel.HOTLINE: "sms",
    Channel.COUNTER: "sms",
    Channel.LETTER: "sms",
    Channel.WEB: "sms",
    Channel.API: "sms",
}


def customer_address(complaint: Complaint, now: datetime | None = None) -> tuple[str, str] | None:
    """(channel, address) to reach the customer, the first that has both a configured deliverer
    (``channels_available``) and an address: the customer's preferred channel, the complaint's
    channel of origin (email → email, Facebook → Messenger, Zalo → Zalo OA, web chat → a line in
    its conversation while the visitor can still open it, hotline / counter / letter / web form →
    SMS to their phone), then email, then SMS, then any other channel. The address is an identity
    of the customer, or for a conversation channel (the chat) the complaint's conversation
    (``deliverers.conversation_recipient``)."""
    available = channels_available()
    identities = list(complaint.customer.identities.order_by("id"))
    by_channel: dict[str, str] = {}
    for identity in identities:
        channel = CHANNEL_OF_IDENTITY.get(identity.kind)
        if channel and channel not in by_channel:
            by_channel[channel] = identity.value
    preferred = DELIVERY_OF_CHANNEL.get(complaint.customer.preferred_channel, "")
    origin = DELIVERY_OF_CHANNEL.get(complaint.channel, "")
    conversations = conversation_channels()
    for channel in dict.fromkeys([preferred, origin, "email", "sms", *sorted(by_channel)]):
        if not channel or channel not in available:
            continue
        if channel in by_channel:
            return channel, by_channel[channel]
        if channel in conversations:
            recipient = conversation_recipient(channel, complaint.pk, now or utcnow())
            if recipient:
                return channel, recipient
    return None


def customer_notice_enqueue(
    *,
    complaint: Complaint,
    notice: str,
    dedupe_key: str,
    now: datetime | None = None,
    context: dict[str, Any] | None = None,
) -> Outbox | None:
    """Queue a notice to the complaint's customer. ``None`` (journaled) when no channel reaches
    them; the notice is then the receiver's job by phone."""
    now = now or utcnow()
    address = customer_address(complaint, now)
    if address is None:
        with transaction.atomic():
            journal_append(
                complaint_id=complaint.pk,
                actor=None,
                action="notice.unreachable",
                after={"notice": notice},
                at=now,
            )
        return None
    channel, recipient = address
    row, _ = outbox_enqueue(
        channel=channel,
        recipient=recipient,
        notice=notice,
        dedupe_key=dedupe_key,
        context=notice_context(complaint, **(context or {})),
        language=complaint.language,
        complaint_id=complaint.pk,
        now=now,
    )
    return row


def notice_send_by_hand(
    *,
    complaint: Complaint,
    actor: Any,
    notice: str,
    dedupe_key: str,
    now: datetime | None = None,
    context: dict[str, Any] | None = None,
) -> Outbox | None:
    """An agent sends a customer notice from the complaint page: the outbox row, its
    ``notice.queued`` entry and the ``notice.sent_by_hand`` entry naming the agent in one
    transaction (the delivery starts after commit). The same form sent again (same
    ``dedupe_key``) returns the row already queued and journals nothing more."""
    now = now or utcnow()
    with transaction.atomic():
        known = Outbox.objects.filter(dedupe_key=dedupe_key).first()
        if known is not None:
            return known
        row = customer_notice_enqueue(
            complaint=complaint, notice=notice, dedupe_key=dedupe_key, now=now, context=context
        )
        if row is not None:
            journal_append(
                complaint_id=complaint.pk,
                actor=actor,
                action="notice.sent_by_hand",
                target=f"notice:{row.pk}",
                after={"notice": notice, "new_date": (context or {}).get("due_date", "")},
                at=now,
            )
    return row


def staff_notice_enqueue(
    *,
    complaint: Complaint,
    user: Any,
    notice: str,
    dedupe_key: str,
    now: datetime | None = None,
    context: dict[str, Any] | None = None,
) -> Outbox | None:
    """Queue an internal email to a colleague (department head, leadership…)."""
    if not getattr(user, "email", ""):
        return None
    row, _ = outbox_enqueue(
        channel="email",
        recipient=user.email,
        notice=notice,
        dedupe_key=dedupe_key,
        context=notice_context(complaint, **(context or {})),
        language=getattr(user, "language", "vi") or "vi",
        complaint_id=complaint.pk,
        now=now,
    )
    return row


# --- notices the procedure names for a complaint event ----------------------------------------


def _already_acknowledged(complaint: Complaint) -> bool:
    """The customer was already told their complaint was received: an acknowledgement in the
    outbox (queued by the procedure or sent by hand) that did not fail for good, or one a channel
    gave in its own conversation (the chat's receipt, journaled as ``notice.sent``)."""
    queued = Outbox.objects.filter(complaint_id=complaint.pk, notice="acknowledgement").exclude(
        status=OutboxStatus.DEAD
    )
    if queued.exists():
        return True
    return JournalEntry.objects.filter(
        complaint_id=complaint.pk, action="notice.sent", after__notice="acknowledgement"
    ).exists()


def procedure_notice_key(complaint: Complaint, event: str, notice: str, occurrence: str) -> str:
    """One key per (complaint, event, notice, occurrence): a retried write queues nothing new."""
    return f"procedure:{complaint.pk}:{event}:{notice}:{occurrence}"[:200]


def on_procedure_notices(
    *,
    complaint: Complaint,
    event: str,
    notices: Sequence[str],
    actor: Any,
    now: datetime,
    occurrence: str = "",
) -> None:
    """Queue the customer notices ``event`` triggered (``complaints.hooks.emit_notices``), in the
    transaction of the event. The receipt is acknowledged once: an acknowledgement already given
    (on any channel) is not sent again; the skip is journaled."""
    occurrence = occurrence or f"v{complaint.version}"
    for notice in notices:
        if notice not in CUSTOMER_NOTICES:
            logger.warning("procedure names unknown customer notice %r for %r", notice, event)
            continue
        if notice == "acknowledgement" and _already_acknowledged(complaint):
            journal_append(
                complaint_id=complaint.pk,
                actor=None,
                action="notice.skipped",
                after={"notice": notice, "event": event, "reason": "already_acknowledged"},
                at=now,
            )
            continue
        customer_notice_enqueue(
            complaint=complaint,
            notice=notice,
            dedupe_key=procedure_notice_key(complaint, event, notice, occurrence),
            now=now,
        )
