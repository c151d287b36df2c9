"""What a customer can do from the tracking page; every write is journaled as "customer"."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from complaintdesk.complaints.domain.lifecycle import Action
from complaintdesk.complaints.models import Attachment, Complaint, Direction, Message, Visibility
from complaintdesk.complaints.services import attachment_add, complaint_transition, message_add
from complaintdesk.core.clock import utcnow
from complaintdesk.journal.services import journal_append
from complaintdesk.portal.access import CUSTOMER

# What the page offers, and the lifecycle action behind it.
CUSTOMER_ACTIONS = {
    "negotiate": Action.REQUEST_NEGOTIATION,
    "withdraw": Action.WITHDRAW,
    "satisfied": Action.CONFIRM_SATISFIED,
    "unsatisfied": Action.MARK_UNSATISFIED,
}
_INPUT = {
    Action.REQUEST_NEGOTIATION: "note",
    Action.WITHDRAW: "reason",
    Action.CONFIRM_SATISFIED: "comment",
    Action.MARK_UNSATISFIED: "comment",
}


def _mark(complaint: Complaint, action: str, target: str, now: datetime) -> None:
    journal_append(
        complaint_id=complaint.pk,
        actor=None,
        actor_label=CUSTOMER,
        action=action,
        target=target,
        at=now,
        public=True,
    )


def portal_message_add(
    *, complaint: Complaint, body: str, submit_key: str = "", now: datetime | None = None
) -> Message:
    """More information from the customer (an inbound message on the web channel).
    ``submit_key`` (the page's one-time key): the same form sent twice is one message."""
    now = now or utcnow()
    once = f"portal:{complaint.pk}:{submit_key}" if submit_key else ""
    with transaction.atomic():
        if once:
            known = Message.objects.filter(channel="web", provider_message_id=once).first()
            if known is not None:
                return known
        message = message_add(
            complaint=complaint,
            actor=None,
            body=body,
            direction=Direction.INBOUND,
            channel="web",
            provider_message_id=once,
            now=now,
        )
        _mark(complaint, "portal.message_added", f"message:{message.pk}", now)
    return message


def portal_attachment_add(
    *, complaint: Complaint, name: str, content: bytes, now: datetime | None = None
) -> Attachment:
    """A file from the customer, checked by content like every upload."""
    now = now or utcnow()
    with transaction.atomic():
        attachment = attachment_add(
            complaint=complaint,
            actor=None,
            name=name,
            content=content,
            visibility=Visibility.PUBLIC,
            now=now,
        )
        _mark(complaint, "portal.attachment_added", f"attachment:{attachment.pk}", now)
    return attachment


def portal_act(
    *,
    complaint: Complaint,
    what: str,
    text: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Negotiate, withdraw or rate the result as the customer (TransitionRefused when it does
    not apply now; Conflict when the complaint changed since the page showed
    ``expected_version``)."""
    now = now or utcnow()
    action = CUSTOMER_ACTIONS[what]
    return complaint_transition(
        complaint=complaint,
        action=action,
        actor=None,
        role=CUSTOMER,
        inputs={_INPUT[action]: text},
        expected_version=expected_version,
        now=now,
    )
