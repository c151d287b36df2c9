"""Declaring, approving, extending, ending and cancelling force majeure events.

Each function checks the actor's capability (``accounts.permissions``), changes the event in one
transaction, journals it on the event's own chain (``fm:<id>``), bumps ``version`` and, after
commit, hands the event to ``force_majeure.apply`` (a task) which moves the clocks of the
complaints in scope and journals on each of them. Only approved events pause clocks.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F

from complaintdesk.accounts.permissions import has_capability
from complaintdesk.complaints.models import Category, Channel
from complaintdesk.complaints.uploads import CheckedUpload, inspect_upload
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import Conflict, PermissionRefused, ServiceError, ValidationFailed
from complaintdesk.core.text import clean_text
from complaintdesk.force_majeure.domain.scope import ScopeKind, Target, in_scope, overlaps
from complaintdesk.force_majeure.messages import msg, wrong_status
from complaintdesk.force_majeure.models import EventStatus, ForceMajeureEvent
from complaintdesk.journal.services import journal_append

REASON = "force_majeure"  # the pause reason procedures list in ``pause_on``


# Operation on a declared event → the capability it takes (cancelling an event that is already
# in force takes "approve", see force_majeure_cancel). The web page and the API ask it first,
# each to answer in its own way; the services below check it again.
OPERATION_CAPABILITIES: dict[str, str] = {
    "approve": "force_majeure.approve",
    "extend": "force_majeure.approve",
    "end": "force_majeure.approve",
    "cancel": "force_majeure.declare",
}


def _require(actor: Any, capability: str) -> None:
    if not has_capability(actor, capability):
        raise PermissionRefused(*msg("forbidden_" + capability.split(".")[1]))


def _wrong_status(status: str) -> ServiceError:
    vi, en = wrong_status(status)
    return ServiceError(code="wrong_status", message_vi=vi, message_en=en, status=409)


def _schedule_apply(event_id: int) -> None:
    from complaintdesk.force_majeure.jobs import apply_event

    try:
        apply_event.enqueue(event_id)
    except Exception:
        import logging

        logging.getLogger(__name__).exception("could not enqueue force majeure %s", event_id)


def _journal(
    event: ForceMajeureEvent,
    action: str,
    actor: Any,
    now: datetime,
    before: dict[str, Any] | None = None,
    **after: Any,
) -> None:
    journal_append(
        complaint_id=None,
        chain=event.chain,
        actor=actor,
        action=action,
        target=f"force_majeure:{event.pk}",
        before=before,
        after=after,
        at=now,
    )


def _snapshot(event: ForceMajeureEvent) -> dict[str, Any]:
    return {
        "reason": event.reason,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "scope": event.scope,
        "scope_value": event.scope_value,
        "status": event.status,
    }


def _validate_scope(scope: str, value: str) -> dict[str, tuple[str, str]]:
    if scope not in ScopeKind.__members__.values():
        return {"scope": msg("scope_invalid")}
    if scope == ScopeKind.ALL:
        return {}
    if not value:
        return {"scope_value": msg("scope_value_required")}
    if scope == ScopeKind.CHANNEL and value not in Channel.values:
        return {"scope_value": msg("unknown_channel", value=value[:40])}
    if (
        scope in (ScopeKind.SERVICE, ScopeKind.CATEGORY)
        and not Category.objects.filter(code=value).exists()
    ):
        return {"scope_value": msg("unknown_category", value=value[:60])}
    return {}


def declaration_errors(
    *,
    reason: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    scope: str,
    scope_value: str,
    evidence_name: str,
    evidence_content: bytes | None,
    evidence_url: str,
) -> tuple[dict[str, tuple[str, str]], CheckedUpload | None]:
    """Field → (vi, en) problems of a declaration (empty when fine), and the checked file."""
    errors: dict[str, tuple[str, str]] = {}
    if not reason:
        errors["reason"] = msg("reason_required")
    if (
        starts_at is None
        or starts_at.tzinfo is None
        or (ends_at is not None and ends_at.tzinfo is None)
    ):
        errors["starts_at"] = msg("naive_datetime")
    elif ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = msg("ends_before_start")
    errors.update(_validate_scope(scope, scope_value))
    if evidence_url and not evidence_url.lower().startswith(("https://", "http://")):
        errors["evidence_url"] = msg("evidence_url_invalid")
    if not evidence_content and not evidence_url:
        errors["evidence_file"] = msg("evidence_required")
    checked = None
    if evidence_content:
        try:
            checked = inspect_upload(name=evidence_name or "bang-chung", content=evidence_content)
        except ValidationFailed as exc:
            errors["evidence_file"] = next(iter(exc.errors.values()))
    return errors, checked


def force_majeure_declare(
    *,
    actor: Any,
    reason: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    scope: str = ScopeKind.ALL,
    scope_value: str = "",
    evidence_name: str = "",
    evidence_content: bytes | None = None,
    evidence_url: str = "",
    notify_customers: bool = True,
    now: datetime | None = None,
) -> ForceMajeureEvent:
    """Declare an event; it waits for leadership's approval before any clock stops."""
    now = now or utcnow()
    _require(actor, "force_majeure.declare")
    reason = clean_text(reason, max_length=500)
    scope_value = clean_text(scope_value, max_length=200)
    evidence_url = clean_text(evidence_url, max_length=500)
    errors, checked = declaration_errors(
        reason=reason,
        starts_at=starts_at,
        ends_at=ends_at,
        scope=scope,
        scope_value=scope_value,
        evidence_name=evidence_name,
        evidence_content=evidence_content,
        evidence_url=evidence_url,
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        event = ForceMajeureEvent(
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            scope=scope,
            scope_value="" if scope == ScopeKind.ALL else scope_value,
            evidence_url=evidence_url,
            notify_customers=notify_customers,
            status=EventStatus.PENDING,
            declared_by=actor,
            declared_at=now,
        )
        if checked is not None and evidence_content:
            event.evidence_sha256, event.evidence_name = checked.sha256, checked.name
            event.evidence_file.save(checked.name, ContentFile(evidence_content), save=False)
        stored = event.evidence_file.name if event.evidence_file else ""
        try:
            event.save()
            _journal(
                event,
                "force_majeure.declared",
                actor,
                now,
                **_snapshot(event),
                evidence_url=evidence_url,
                evidence_sha256=event.evidence_sha256,
                notify_customers=notify_customers,
            )
        except Exception:
            if stored:
                event.evidence_file.storage.delete(stored)
            raise
    return event


def _lock(
    event: ForceMajeureEvent, allowed: tuple[str, ...], expected_version: int | None
) -> ForceMajeureEvent:
    fresh = ForceMajeureEvent.objects.select_for_update().get(pk=event.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict()
    if fresh.status not in allowed:
        raise _wrong_status(fresh.status)
    return fresh


def _changed(fresh: ForceMajeureEvent, event: ForceMajeureEvent, **fields: Any) -> None:
    ForceMajeureEvent.objects.filter(pk=fresh.pk).update(version=F("version") + 1, **fields)
    fresh.refresh_from_db()
    event.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    transaction.on_commit(partial(_schedule_apply, fresh.pk))


def force_majeure_approve(
    *,
    event: ForceMajeureEvent,
    actor: Any,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ForceMajeureEvent:
    """Leadership approves: from now on the clocks in scope stop for the event's window."""
    now = now or utcnow()
    _require(actor, OPERATION_CAPABILITIES["approve"])
    with transaction.atomic():
        fresh = _lock(event, (EventStatus.PENDING,), expected_version)
        _changed(fresh, event, status=EventStatus.APPROVED, approved_by=actor, approved_at=now)
        _journal(fresh, "force_majeure.approved", actor, now, **_snapshot(fresh))
    return event


def force_majeure_extend(
    *,
    event: ForceMajeureEvent,
    actor: Any,
    ends_at: datetime | None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ForceMajeureEvent:
    """Move the end of a pending or approved event (``None`` = open-ended again)."""
    now = now or utcnow()
    _require(actor, OPERATION_CAPABILITIES["extend"])
    with transaction.atomic():
        fresh = _lock(event, (EventStatus.PENDING, EventStatus.APPROVED), expected_version)
        if ends_at is not None and (ends_at.tzinfo is None or ends_at <= fresh.starts_at):
            raise ValidationFailed({"ends_at": msg("ends_before_start")})
        before = {"ends_at": fresh.ends_at}
        _changed(fresh, event, ends_at=ends_at)
        _journal(fresh, "force_majeure.extended", actor, now, before, ends_at=ends_at)
    return event


def force_majeure_end(
    *,
    event: ForceMajeureEvent,
    actor: Any,
    now: datetime | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> ForceMajeureEvent:
    """The event is over (at ``at``, default now): the clocks resume with recomputed deadlines."""
    now = now or utcnow()
    at = at or now
    _require(actor, OPERATION_CAPABILITIES["end"])
    with transaction.atomic():
        fresh = _lock(event, (EventStatus.APPROVED,), expected_version)
        if at.tzinfo is None or at <= fresh.starts_at or at > now:
            raise ValidationFailed({"ends_at": msg("end_invalid")})
        before = {"ends_at": fresh.ends_at, "status": fresh.status}
        _changed(fresh, event, ends_at=at, status=EventStatus.ENDED, closed_by=actor, closed_at=now)
        _journal(fresh, "force_majeure.ended", actor, now, before, ends_at=at, status=fresh.status)
    return event


def force_majeure_cancel(
    *,
    event: ForceMajeureEvent,
    actor: Any,
    now: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ForceMajeureEvent:
    """Withdraw an event declared by mistake; an approved one gives the time back (its pauses
    are removed and the deadlines recomputed as if it never happened)."""
    now = now or utcnow()
    pending = ForceMajeureEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).exists()
    _require(actor, OPERATION_CAPABILITIES["cancel" if pending else "approve"])
    with transaction.atomic():
        allowed = (EventStatus.PENDING,) if pending else (EventStatus.APPROVED, EventStatus.ENDED)
        fresh = _lock(event, allowed, expected_version)
        before = {"status": fresh.status}
        _changed(fresh, event, status=EventStatus.CANCELLED, closed_by=actor, closed_at=now)
        _journal(
            fresh,
            "force_majeure.cancelled",
            actor,
            now,
            before,
            status=fresh.status,
            note=clean_text(note, max_length=500),
        )
    return event


# --- hooks for sla (registered in apps.py) -----------------------------------------------------


def target_of(complaint: Any) -> Target:
    path: list[str] = []
    category = complaint.category
    while category is not None and len(path) < 20:
        path.append(category.code)
        category = category.parent
    return Target(
        channel=complaint.channel,
        address=complaint.customer.address or "",
        category_path=tuple(path),
    )


def _events_not_over(start: datetime) -> list[ForceMajeureEvent]:
    """Approved or ended events not over at ``start`` (every new clock asks: one plain query,
    written out because building it with the ORM costs ten times more than running it; the
    usual answer, none, is known from a bare cursor before any model is built)."""
    meta = ForceMajeureEvent._meta
    quote = connection.ops.quote_name
    status = quote(meta.get_field("status").column)
    ends_at = quote(meta.get_field("ends_at").column)
    condition = (
        f"FROM {quote(meta.db_table)} "
        f"WHERE {status} IN (%s, %s) AND ({ends_at} IS NULL OR {ends_at} > %s)"
    )
    params = [
        EventStatus.APPROVED.value,
        EventStatus.ENDED.value,
        connection.ops.adapt_datetimefield_value(start),
    ]
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 {condition} LIMIT 1", params)
        if cur.fetchone() is None:
            return []
    return list(ForceMajeureEvent.objects.raw(f"SELECT * {condition}", params))


def fm_pauses_for_new_clock(
    complaint: Any, spec: Any, start: datetime, now: datetime
) -> list[tuple[str, datetime, datetime | None, str]]:
    """Pauses already in force when a clock starts: approved events covering the complaint."""
    if REASON not in spec.pause_on:
        return []
    events = [e for e in _events_not_over(start) if overlaps(e.starts_at, e.ends_at, start)]
    if not events:
        return []
    target = target_of(complaint)
    return [
        (REASON, e.starts_at, e.ends_at, e.source)
        for e in events
        if in_scope(e.scope, e.scope_value, target)
    ]


def fm_describe_pause(source: str) -> tuple[str, str] | None:
    """How a clock's explanation names a pause caused by an event."""
    prefix, _, pk = source.partition(":")
    if prefix != "force_majeure" or not (pk.isascii() and pk.isdigit()):
        return None
    reason = ForceMajeureEvent.objects.filter(pk=int(pk)).values_list("reason", flat=True).first()
    if reason is None:
        return None
    return f"bất khả kháng: {reason}", f"force majeure: {reason}"
