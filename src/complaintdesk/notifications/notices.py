"""Notices about a complaint: who receives them, through which channel, with which words.

Callers name a notice and a dedupe key; these helpers pick the recipient's address and channel,
build the template context and queue the row through :func:`outbox_enqueue` (in the caller's
transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from complaintdesk.complaints.models import Complaint, IdentityKind
from complaintdesk.core.clock import local, utcnow
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.deliverers import channels_available
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.services import outbox_enqueue

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


def customer_address(complaint: Complaint) -> tuple[str, str] | None:
    """(channel, address) to reach the customer: the preferred channel when it can be used,
    then email, then any other channel that has an adapter."""
    available = channels_available()
    identities = list(complaint.customer.identities.order_by("id"))
    by_channel: dict[str, str] = {}
    for identity in identities:
        channel = CHANNEL_OF_IDENTITY.get(identity.kind)
        if channel and channel not in by_channel:
            by_channel[channel] = identity.value
    preferred = complaint.customer.preferred_channel
    for channel in [preferred, "email", *sorted(by_channel)]:
        if channel and channel in available and channel in by_channel:
            return channel, by_channel[channel]
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
    address = customer_address(complaint)
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
