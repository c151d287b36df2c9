"""The channel adapters as a delivery adapter of the notifications outbox.

``intake`` and ``notifications`` are independent apps (neither imports the other), so the outbox
loads this class by its dotted path::

    NOTIFICATION_DELIVERERS = {"email": "complaintdesk.intake.delivery.OutboxDeliverer"}

It follows the outbox's deliverer protocol by shape: ``send(notice) -> provider message id``,
raising an exception with a ``permanent`` attribute when delivery failed. The notice's
complaint (its ``complaint_id`` if it has one, else the complaint code in its subject) decides
the threading; without one the message is sent unthreaded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from complaintdesk.complaints.models import Complaint
from complaintdesk.intake.base import OutboundMessage
from complaintdesk.intake.email.outbound import message_id_domain
from complaintdesk.intake.outbound import outbound_send
from complaintdesk.intake.registry import adapter_for
from complaintdesk.intake.selectors import code_pattern


class ChannelSendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def stable_message_id(dedupe_key: str) -> str:
    """The same notice retried carries the same Message-ID (as the outbox's own email sender)."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{message_id_domain()}>"


def _complaint_of(notice: Any) -> Complaint | None:
    complaint_id = getattr(notice, "complaint_id", None)
    if complaint_id:
        return Complaint.objects.filter(pk=complaint_id).first()
    found = code_pattern().search(getattr(notice, "subject", "") or "")
    return Complaint.objects.filter(code=found.group(1).upper()).first() if found else None


class OutboxDeliverer:
    channel = "*"  # serves every channel that has an adapter in ``intake.registry``

    def send(self, notice: Any) -> str:
        # The same notice retried carries the same id: the Message-ID of a mail, the idempotency
        # key of an SMS (eSMS RequestId), a ZNS tracking_id or a chat line.
        message_id = stable_message_id(notice.dedupe_key)
        try:
            complaint = _complaint_of(notice)
            if complaint is not None:
                result = outbound_send(
                    complaint=complaint,
                    channel=notice.channel,
                    recipient=notice.recipient,
                    text=notice.body,
                    subject=notice.subject,
                    message_id=message_id,
                )
            else:
                result = adapter_for(notice.channel).send(
                    OutboundMessage(
                        channel=notice.channel,
                        recipient=notice.recipient,
                        text=notice.body,
                        subject=notice.subject,
                        message_id=message_id,
                    )
                )
        except LookupError as exc:
            raise ChannelSendFailed(str(exc), permanent=True) from exc
        if not result.ok:
            raise ChannelSendFailed(result.error or "send failed", permanent=not result.retryable)
        return result.provider_message_id or message_id
