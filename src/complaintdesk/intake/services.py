"""The single way in: every channel hands its messages to ``intake_receive``.

Idempotent on (channel, provider_message_id): the InboundRecord row is inserted first in the
transaction, so a second delivery of the same message — later, or at the same moment from
another worker — finds it (or waits on its unique index and then finds it) and gets the first
result back without creating anything. A follow-up joins its complaint by the provider's
thread key, In-Reply-To / References, then the complaint code (see ``selectors.thread_match``);
anything else opens a new complaint through ``complaints.services.complaint_create``. The
journal entries come from the complaint services, in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from pydantic import ValidationError

from complaintdesk.complaints.domain.identity import (
    InvalidIdentity,
    normalize_email,
    normalize_phone,
)
from complaintdesk.complaints.models import Complaint, Direction, Message
from complaintdesk.complaints.schemas import ComplaintIn, CustomerIn
from complaintdesk.complaints.services import attachment_add, complaint_create, message_add
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import ServiceError, ValidationFailed
from complaintdesk.intake.base import (
    MALFORMED,
    InboundMessage,
    InboundRejected,
)
from complaintdesk.intake.models import ComplaintThread, InboundRecord, InboundStatus, ThreadKind
from complaintdesk.intake.selectors import thread_match

logger = logging.getLogger(__name__)
MAX_TEXT = 20000
OLDEST = timedelta(days=365 * 3)


@dataclass(frozen=True)
class IntakeResult:
    record: InboundRecord
    complaint: Complaint | None
    message: Message | None  # None when the message opened the complaint (it is its description)
    created_complaint: bool
    duplicate: bool
    threaded_by: str = ""  # thread_key | in_reply_to | references | code | "" (new complaint)

    @property
    def status(self) -> str:
        return self.record.status


def _invalid(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed({field: (vi, en)})


def _raw(payload: bytes) -> tuple[bytes, bool]:
    limit = int(getattr(settings, "INTAKE_RAW_MAX_BYTES", 10 * 1024 * 1024))
    return (payload[:limit], True) if len(payload) > limit else (payload, False)


def _seen_again(record: InboundRecord, now: datetime) -> IntakeResult:
    InboundRecord.objects.filter(pk=record.pk).update(
        deliveries=F("deliveries") + 1, last_seen_at=now
    )
    record.refresh_from_db()
    return IntakeResult(
        record=record,
        complaint=record.complaint,
        message=record.message,
        created_complaint=False,
        duplicate=True,
    )


def _claim(
    *, channel: str, provider_message_id: str, now: datetime, **fields: object
) -> InboundRecord | None:
    """Insert the record, or ``None`` when a parallel delivery committed it first."""
    try:
        with transaction.atomic():
            return InboundRecord.objects.create(
                channel=channel,
                provider_message_id=provider_message_id,
                recorded_at=now,
                last_seen_at=now,
                **fields,
            )
    except IntegrityError:
        return None


def _customer(message: InboundMessage, notes: list[str]) -> CustomerIn:
    phone = email = ""
    if message.sender_phone:
        try:
            phone = normalize_phone(message.sender_phone)
        except InvalidIdentity:
            notes.append(f"invalid sender phone {message.sender_phone[:40]!r} ignored")
    if message.sender_email:
        try:
            email = normalize_email(message.sender_email)
        except InvalidIdentity:
            notes.append("invalid sender email ignored")
    name = message.sender_name.strip() or (email.split("@")[0] if email else "") or phone
    return CustomerIn(
        name=(name or f"Khách hàng ({message.channel})")[:200],
        phone=phone,
        email=email,
        facebook_id=message.sender_facebook_id[:100],
        zalo_id=message.sender_zalo_id[:100],
        language=message.language if message.language in ("vi", "en") else "vi",
    )


def _subject(message: InboundMessage) -> str:
    if message.subject.strip():
        return message.subject.strip()[:300]
    first = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    if first:
        return first if len(first) <= 120 else first[:119] + "…"
    return f"Tin nhắn qua kênh {message.channel} (không có nội dung chữ)"


def _received_at(message: InboundMessage, now: datetime) -> datetime:
    value = message.received_at
    if value is None or value.tzinfo is None or value > now or value < now - OLDEST:
        return now
    return value


def _open_complaint(
    message: InboundMessage, text: str, now: datetime, notes: list[str]
) -> Complaint:
    data = ComplaintIn(
        channel=message.channel,
        kind="complaint",
        received_at=_received_at(message, now),
        customer=_customer(message, notes),
        subject=_subject(message),
        description=text,
        language=message.language if message.language in ("vi", "en") else "vi",
    )
    return complaint_create(actor=None, data=data, now=now).complaint


def _attach(complaint: Complaint, message: InboundMessage, now: datetime, notes: list[str]) -> None:
    """Keep the attachments; one that is refused (type, size) is noted on the complaint."""
    refused: list[str] = []
    for item in message.attachments:
        try:
            attachment_add(
                complaint=complaint, actor=None, name=item.name, content=item.content, now=now
            )
        except ValidationFailed as exc:
            refused.append(f"{item.name[:100]} ({exc.message_vi})")
    if refused:
        notes.append("refused attachments: " + "; ".join(refused))
        message_add(
            complaint=complaint,
            actor=None,
            body="Tệp đính kèm không được nhận: " + "; ".join(refused),
            direction=Direction.NOTE,
            now=now,
        )


def _remember_thread(
    complaint: Complaint, message: InboundMessage, pmid: str, now: datetime
) -> None:
    keys = [
        ComplaintThread(
            channel=message.channel,
            kind=ThreadKind.MESSAGE_ID,
            value=pmid,
            complaint=complaint,
            created_at=now,
        )
    ]
    if message.thread_key:
        keys.append(
            ComplaintThread(
                channel=message.channel,
                kind=ThreadKind.THREAD,
                value=message.thread_key[:255],
                complaint=complaint,
                created_at=now,
            )
        )
    ComplaintThread.objects.bulk_create(keys, ignore_conflicts=True)


def intake_receive(message: InboundMessage, *, now: datetime | None = None) -> IntakeResult:
    """Take one inbound message from any channel: open a complaint or join one, exactly once.

    A message the complaint services refuse (no way to identify the sender, unknown channel…)
    is kept as ``malformed`` with the reason, and nothing else is written.
    """
    now = now or utcnow()
    channel = message.channel.strip()[:16]
    pmid = message.provider_message_id.strip()[:255]
    if not channel or not pmid:
        raise _invalid(
            "provider_message_id",
            "Thiếu kênh hoặc mã tin của nhà cung cấp.",
            "The channel or the provider message id is missing.",
        )
    known = InboundRecord.objects.filter(channel=channel, provider_message_id=pmid).first()
    if known is not None:
        return _seen_again(known, now)
    raw, truncated = _raw(message.raw)
    text = message.text.strip()
    notes = ["raw payload truncated"] if truncated else []
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
        notes.append("text truncated")
    with transaction.atomic():
        record = _claim(
            channel=channel,
            provider_message_id=pmid,
            status=InboundStatus.OK,
            sender=(
                message.sender_email
                or message.sender_phone
                or message.sender_facebook_id
                or message.sender_zalo_id
                or message.sender_name
            )[:254],
            subject=message.subject[:300],
            thread_key=message.thread_key[:255],
            in_reply_to=message.in_reply_to[:255],
            references=" ".join(message.references),
            raw=raw,
            raw_size=len(message.raw),
            received_at=_received_at(message, now),
            now=now,
        )
        if record is None:  # a parallel delivery of the same message committed first
            return _seen_again(
                InboundRecord.objects.get(channel=channel, provider_message_id=pmid), now
            )
        return _file(record, message, text, now, notes)


def _file(
    record: InboundRecord, message: InboundMessage, text: str, now: datetime, notes: list[str]
) -> IntakeResult:
    def done(status: str, **fields: object) -> InboundRecord:
        record.status = status
        record.reason = "; ".join(notes)[:2000]
        for key, value in fields.items():
            setattr(record, key, value)
        record.save(update_fields=["status", "reason", *fields])
        return record

    pmid = record.provider_message_id
    stored = Message.objects.filter(channel=record.channel, provider_message_id=pmid).first()
    if stored is not None:  # already on a timeline by another way (typed in by an agent)
        notes.append(f"already on complaint {stored.complaint_id}")
        done(InboundStatus.DUPLICATE, complaint_id=stored.complaint_id, message=stored)
        return IntakeResult(record, stored.complaint, stored, False, True)
    match = thread_match(message)
    if match is None:
        try:
            with transaction.atomic():
                complaint = _open_complaint(message, text, now, notes)
        except (ValidationFailed, ValidationError) as exc:
            reason = exc.message_en if isinstance(exc, ServiceError) else str(exc).splitlines()[0]
            notes.append(f"refused by complaint intake: {reason}"[:500])
            done(InboundStatus.MALFORMED)
            return IntakeResult(record, None, None, False, False)
        _attach(complaint, message, now, notes)
        _remember_thread(complaint, message, pmid, now)
        done(InboundStatus.OK, complaint=complaint, created_complaint=True)
        return IntakeResult(record, complaint, None, True, False)
    complaint = match.complaint
    body = text or "(Khách gửi tệp đính kèm, không có nội dung chữ)"
    try:
        with transaction.atomic():
            added = message_add(
                complaint=complaint,
                actor=None,
                body=body,
                direction=Direction.INBOUND,
                channel=record.channel,
                provider_message_id=pmid,
                now=now,
            )
    except ValidationFailed as exc:
        notes.append(f"refused by complaint {complaint.code}: {exc.message_en}"[:500])
        done(InboundStatus.MALFORMED)
        return IntakeResult(record, None, None, False, False)
    _attach(complaint, message, now, notes)
    _remember_thread(complaint, message, pmid, now)
    notes.append(f"joined by {match.by}")
    done(InboundStatus.OK, complaint=complaint, message=added)
    return IntakeResult(record, complaint, added, False, False, match.by)


def intake_reject(rejected: InboundRejected, *, now: datetime | None = None) -> IntakeResult:
    """Keep a payload that must not become a complaint (ignored or malformed), once."""
    now = now or utcnow()
    channel = rejected.channel.strip()[:16]
    pmid = rejected.provider_message_id.strip()[:255]
    known = InboundRecord.objects.filter(channel=channel, provider_message_id=pmid).first()
    if known is not None:
        return _seen_again(known, now)
    raw, truncated = _raw(rejected.raw)
    reason = rejected.reason + ("; raw payload truncated" if truncated else "")
    status = InboundStatus.IGNORED if rejected.status != MALFORMED else InboundStatus.MALFORMED
    with transaction.atomic():
        record = _claim(
            channel=channel,
            provider_message_id=pmid,
            status=status,
            reason=reason[:2000],
            sender=rejected.sender[:254],
            subject=rejected.subject[:300],
            raw=raw,
            raw_size=len(rejected.raw),
            received_at=rejected.received_at or now,
            now=now,
        )
    if record is None:
        return _seen_again(
            InboundRecord.objects.get(channel=channel, provider_message_id=pmid), now
        )
    return IntakeResult(record, None, None, False, False)


def intake_accept(
    outcome: InboundMessage | InboundRejected, *, now: datetime | None = None
) -> IntakeResult:
    """What an adapter's parser produced → recorded (and filed when it is a message)."""
    if isinstance(outcome, InboundRejected):
        return intake_reject(outcome, now=now)
    return intake_receive(outcome, now=now)


def intake_record_failure(
    *, channel: str, provider_message_id: str, raw: bytes, reason: str, now: datetime | None = None
) -> IntakeResult:
    """A payload whose processing crashed: kept as malformed so that the loop goes on and a
    person can look at it (and re-process it once the cause is fixed)."""
    now = now or utcnow()
    logger.warning("intake of %s message failed: %s", channel, reason[:200])
    return intake_reject(
        InboundRejected(channel, provider_message_id, MALFORMED, reason[:2000], now, raw), now=now
    )


def intake_reprocess(
    *, record: InboundRecord, outcome: InboundMessage | InboundRejected, now: datetime | None = None
) -> IntakeResult:
    """Run a kept malformed/ignored payload through intake again (after a fix, or when a
    person decides an "ignored" mail is a real complaint): the old record is replaced."""
    now = now or utcnow()
    if record.status not in (InboundStatus.MALFORMED, InboundStatus.IGNORED):
        raise _invalid(
            "status",
            "Chỉ xử lý lại được tin lỗi hoặc bị bỏ qua.",
            "Only malformed or ignored messages can be re-processed.",
        )
    with transaction.atomic():
        deleted, _ = InboundRecord.objects.filter(
            pk=record.pk, status__in=[InboundStatus.MALFORMED, InboundStatus.IGNORED]
        ).delete()
        if not deleted:
            raise _invalid("status", "Tin này vừa được xử lý.", "This message was just processed.")
        return intake_accept(outcome, now=now)
