"""Writes of the hotline: recording call events, folding missed calls, a complaint from a call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Complaint, CustomerIdentity, Direction, IdentityKind
from complaintdesk.complaints.schemas import ComplaintIn, CustomerIn
from complaintdesk.complaints.services import complaint_create, message_add
from complaintdesk.core.clock import local, utcnow
from complaintdesk.core.errors import Conflict, ValidationFailed
from complaintdesk.intake.hotline.models import (
    Call,
    CallbackStatus,
    CallbackTask,
    CallEvent,
    CallState,
)
from complaintdesk.intake.hotline.parse import CallEventIn
from complaintdesk.intake.phone import e164

logger = logging.getLogger(__name__)
RANK = {CallState.RINGING: 0, CallState.ANSWERED: 1, CallState.ENDED: 2, CallState.MISSED: 2}


@dataclass(frozen=True)
class Recorded:
    call: Call
    duplicate: bool
    callback: CallbackTask | None = None


def _advance(call: Call, event: CallEventIn, now: datetime) -> None:
    """Events may arrive out of order: a call only moves forward (ringing → answered → ended)."""
    fields: dict[str, Any] = {"updated_at": now}
    if RANK[CallState(event.event)] >= RANK[CallState(call.state)]:
        fields["state"] = event.event
    if event.event == CallState.ANSWERED and call.answered_at is None:
        fields["answered_at"] = event.occurred_at
    if event.event in (CallState.ENDED, CallState.MISSED) and call.ended_at is None:
        fields["ended_at"] = event.occurred_at
    if event.occurred_at < call.started_at:
        fields["started_at"] = event.occurred_at
    if event.recording_url and not call.recording_url:
        fields["recording_url"] = event.recording_url
    if event.agent and not call.agent_username:
        fields["agent_username"] = event.agent
        fields["agent"] = User.objects.filter(username=event.agent, is_active=True).first()
    Call.objects.filter(pk=call.pk).update(**fields)
    for key, value in fields.items():
        setattr(call, key, value)


def _fold_missed(call: Call, event: CallEventIn) -> CallbackTask | None:
    """Missed calls of one number on one local day → one callback task with a count."""
    if not call.caller:
        return None
    day = local(event.occurred_at).date()
    for _attempt in range(3):
        task = CallbackTask.objects.select_for_update().filter(phone=call.caller, day=day).first()
        if task is None:
            try:
                with transaction.atomic():
                    return CallbackTask.objects.create(
                        phone=call.caller,
                        day=day,
                        missed_count=1,
                        first_missed_at=event.occurred_at,
                        last_missed_at=event.occurred_at,
                        last_call=call,
                    )
            except IntegrityError:  # created at the same moment by another delivery
                continue
        CallbackTask.objects.filter(pk=task.pk).update(
            missed_count=F("missed_count") + 1,
            last_missed_at=max(task.last_missed_at, event.occurred_at),
            first_missed_at=min(task.first_missed_at, event.occurred_at),
            last_call=call,
            status=CallbackStatus.OPEN,
        )
        task.refresh_from_db()
        return task
    return None


def _close_callbacks_answered(call: Call, event: CallEventIn, now: datetime) -> None:
    """The customer got through later the same day: their callback is no longer owed."""
    if call.caller:
        CallbackTask.objects.filter(
            phone=call.caller,
            day=local(event.occurred_at).date(),
            status=CallbackStatus.OPEN,
            last_missed_at__lte=event.occurred_at,
        ).update(status=CallbackStatus.DONE, done_at=now)


def call_event_record(*, event: CallEventIn, raw: bytes, now: datetime | None = None) -> Recorded:
    """Record one call event, exactly once per (call, event): a redelivery changes nothing."""
    now = now or utcnow()
    caller = e164(event.caller) or event.caller
    with transaction.atomic():
        call, _ = Call.objects.get_or_create(
            call_id=event.call_id,
            defaults={
                "caller": caller,
                "hotline": event.hotline,
                "state": event.event,
                "started_at": event.occurred_at,
                "updated_at": now,
            },
        )
        call = Call.objects.select_for_update().get(pk=call.pk)
        try:
            with transaction.atomic():
                CallEvent.objects.create(
                    call=call,
                    event=event.event,
                    occurred_at=event.occurred_at,
                    received_at=now,
                    raw=raw,
                )
        except IntegrityError:
            CallEvent.objects.filter(call=call, event=event.event).update(
                deliveries=F("deliveries") + 1
            )
            return Recorded(call, duplicate=True)
        _advance(call, event, now)
        callback = None
        if event.event == CallState.MISSED:
            callback = _fold_missed(call, event)
        elif event.event == CallState.ANSWERED:
            _close_callbacks_answered(call, event, now)
    return Recorded(call, duplicate=False, callback=callback)


def _subject(call: Call) -> str:
    when = local(call.started_at).strftime("%H:%M %d/%m/%Y")
    return _("Cuộc gọi từ %(phone)s lúc %(when)s") % {"phone": call.caller, "when": when}


def complaint_from_call(*, call: Call, actor: User, now: datetime | None = None) -> Complaint:
    """One click in the pop-up: a complaint for the caller (channel hotline), the recording
    link in an internal note. Clicking twice gives the same complaint."""
    now = now or utcnow()
    phone = e164(call.caller)
    if phone is None:
        raise ValidationFailed(
            {
                "caller": (
                    "Số gọi đến bị ẩn hoặc không hợp lệ: hãy tạo phiếu bằng tay.",
                    "The caller's number is hidden or invalid: create the complaint by hand.",
                )
            }
        )
    known = (
        CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=phone)
        .select_related("customer")
        .first()
    )
    name = known.customer.name if known else _("Khách gọi %(phone)s") % {"phone": phone}
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.complaint_id:
            return Complaint.objects.get(pk=locked.complaint_id)
        result = complaint_create(
            actor=actor,
            data=ComplaintIn(
                channel="hotline",
                received_at=call.started_at,
                customer=CustomerIn(name=name, phone=phone),
                subject=_subject(call),
            ),
            now=now,
            idempotency_key=f"hotline-call:{call.call_id}",
            idempotency_scope="hotline",
        )
        complaint = result.complaint
        if result.created:
            lines = [_("Tạo từ cuộc gọi %(id)s.") % {"id": call.call_id}]
            if call.recording_url:
                lines.append(_("Ghi âm: %(url)s") % {"url": call.recording_url})
            message_add(
                complaint=complaint,
                actor=actor,
                body="\n".join(lines),
                direction=Direction.NOTE,
                now=now,
            )
        Call.objects.filter(pk=call.pk).update(complaint=complaint, updated_at=now)
    return complaint


def callback_done(
    *,
    task: CallbackTask,
    actor: User,
    seen_count: int | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """The agent called the customer back. ``seen_count``: the missed calls the agent's list
    showed — a call missed since (the task reopened with a higher count) is still owed, so
    the task is not closed (``Conflict``). Marking a closed task again changes nothing (the
    first agent stays the one who did it)."""
    now = now or utcnow()
    open_rows = CallbackTask.objects.filter(pk=task.pk, status=CallbackStatus.OPEN)
    if seen_count is not None:
        open_rows = open_rows.filter(missed_count__lte=seen_count)
    closed = open_rows.update(status=CallbackStatus.DONE, done_by=actor, done_at=now)
    task.refresh_from_db()
    if not closed and task.status == CallbackStatus.OPEN:
        raise Conflict(
            "Khách vừa gọi nhỡ thêm sau khi danh sách được tải; hãy tải lại và gọi lại.",
            "The customer missed another call since the list was loaded; reload and call "
            "back again.",
        )
    return task
