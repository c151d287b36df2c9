"""Sending to a customer on a channel, threaded onto their conversation.

``outbound_send`` is what the notifications outbox (through ``intake.delivery``) and any other
sender use: it fills in the threading (In-Reply-To / References / conversation key), makes sure
the subject carries the complaint code, sends through the channel's adapter and remembers the
Message-ID we sent, so that the customer's reply to it joins the same complaint.
"""

from __future__ import annotations

from datetime import datetime

from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import utcnow
from complaintdesk.intake.base import OutboundMessage, SendResult
from complaintdesk.intake.models import ComplaintThread, ThreadKind
from complaintdesk.intake.registry import adapter_for
from complaintdesk.intake.selectors import reply_threading


def subject_with_code(subject: str, code: str) -> str:
    """``[KN-2026-000123] subject`` unless the code is already in it."""
    subject = " ".join(subject.split())
    if code and code.lower() not in subject.lower():
        subject = f"[{code}] {subject}".strip()
    return subject[:300]


def _reply_subject(last_subject: str) -> str:
    if not last_subject:
        return ""
    return (
        last_subject if last_subject.lower().startswith(("re:", "tl:")) else f"Re: {last_subject}"
    )


def outbound_send(
    *,
    complaint: Complaint,
    channel: str,
    recipient: str,
    text: str,
    subject: str = "",
    html: str = "",
    message_id: str = "",
    now: datetime | None = None,
) -> SendResult:
    """Send one message about ``complaint``; never raises for a provider's refusal (see
    ``SendResult``). A ``LookupError`` means no adapter is configured for ``channel``."""
    now = now or utcnow()
    adapter = adapter_for(channel)
    thread = reply_threading(complaint_id=complaint.pk, channel=channel, recipient=recipient)
    subject = subject_with_code(
        subject or _reply_subject(thread.subject) or complaint.subject, complaint.code
    )
    result = adapter.send(
        OutboundMessage(
            channel=channel,
            recipient=recipient,
            text=text,
            subject=subject,
            html=html,
            thread_key=thread.thread_key,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            message_id=message_id,
            last_inbound_at=thread.last_inbound_at,
        )
    )
    sent_id = (result.provider_message_id or message_id)[:255]
    if result.ok and sent_id:
        ComplaintThread.objects.bulk_create(
            [
                ComplaintThread(
                    channel=channel,
                    kind=ThreadKind.MESSAGE_ID,
                    value=sent_id,
                    direction="out",
                    complaint=complaint,
                    created_at=now,
                )
            ],
            ignore_conflicts=True,
        )
    return result
