"""An agent's reply to a customer who wrote by email or on a conversation channel (Facebook
Messenger, Zalo OA).

Such a customer can only be answered in their conversation, so a message "to the customer"
written in the workspace on a complaint that came by one of these channels is recorded on the
timeline (``message_add``) and queued in the outbox in the same transaction; the outbox delivers
it after commit through the channel's adapter (``intake.delivery.OutboxDeliverer`` →
``outbound_send``: an email threaded onto the customer's mail with In-Reply-To/References,
Messenger Send API within its reply window, Zalo OA customer-service message),
retries it and journals every attempt. Other channels keep the message as a record of what was
said (by phone, at the counter…); notices to them go through :mod:`notices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db import transaction

from complaintdesk.complaints.models import Complaint, Direction, IdentityKind, Message
from complaintdesk.complaints.services import message_add
from complaintdesk.core.clock import utcnow
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.deliverers import channels_available
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.services import outbox_enqueue

# Channel of origin → the customer identity that addresses them there.
REPLY_CHANNELS: Final[dict[str, str]] = {
    "email": IdentityKind.EMAIL,
    "facebook": IdentityKind.FACEBOOK,
    "zalo": IdentityKind.ZALO,
}
REPLY_NOTICE: Final = "reply"


@dataclass(frozen=True)
class Reply:
    message: Message
    outbox: Outbox | None  # queued for delivery; None when the message was only recorded
    channel: str  # the conversation channel it goes to ("" when not one)


def reply_address(complaint: Complaint) -> tuple[str, str] | None:
    """(channel, recipient) of the conversation the complaint came from, when it is a channel
    answered in its conversation, its deliverer is configured and the customer has an identity
    there (their latest one, e.g. the PSID of the page they wrote to last)."""
    kind = REPLY_CHANNELS.get(complaint.channel)
    if kind is None or complaint.channel not in channels_available():
        return None
    identity = complaint.customer.identities.filter(kind=kind).order_by("-id").first()
    return (complaint.channel, identity.value) if identity is not None else None


def customer_reply_send(
    *,
    complaint: Complaint,
    actor: Any,
    body: str,
    provider_message_id: str = "",
    now: datetime | None = None,
) -> Reply:
    """Record a message to the customer and, on a conversation channel, queue it for delivery
    there (one transaction; idempotent per message: the dedupe key is the message's id, and
    ``provider_message_id`` — a form's one-time key — makes a resent form the same message)."""
    now = now or utcnow()
    with transaction.atomic():
        message = message_add(
            complaint=complaint,
            actor=actor,
            body=body,
            direction=Direction.OUTBOUND,
            channel=complaint.channel,
            provider_message_id=provider_message_id,
            now=now,
        )
        if complaint.channel not in REPLY_CHANNELS:
            return Reply(message, None, "")
        address = reply_address(complaint)
        if address is None:
            journal_append(
                complaint_id=complaint.pk,
                actor=None,
                action="notice.unreachable",
                target=f"message:{message.pk}",
                after={"notice": REPLY_NOTICE, "channel": complaint.channel},
                at=now,
            )
            return Reply(message, None, complaint.channel)
        channel, recipient = address
        row, _ = outbox_enqueue(
            channel=channel,
            recipient=recipient,
            notice=REPLY_NOTICE,
            dedupe_key=f"reply:{message.pk}",
            language=complaint.language,
            complaint_id=complaint.pk,
            now=now,
            subject=f"[{complaint.code}] Re: {complaint.subject}"[:300],
            body=message.body,
        )
    return Reply(message, row, channel)
