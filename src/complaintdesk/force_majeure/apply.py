"""Applying an event to the clocks of the complaints it covers (idempotent, batched).

``force_majeure_apply`` brings the clocks in line with the event as it is now:

* pending — nothing; cancelled — its pauses are removed and the deadlines recomputed;
* approved / ended — every active clock of an open complaint in scope whose procedure lets
  ``force_majeure`` pause it gets a pause ``[starts_at, ends_at)`` with source
  ``force_majeure:<id>``; existing pauses take the event's current end (extended, ended).

Each complaint touched gets a journal entry on its own chain (``force_majeure.applied`` /
``.extended`` / ``.ended`` / ``.cancelled``) next to the clock entries ``sla`` writes, and —
if the event says so and the procedure names the notice — the ``force_majeure_delay`` notice,
deduplicated per complaint and event. Work is done in batches, each in its own transaction; a
crash leaves ``applied_version`` behind ``version`` and the reconcile job finishes the work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from complaintdesk.complaints.models import OPEN_STATUS_VALUES, Category, Complaint
from complaintdesk.core.clock import utcnow
from complaintdesk.force_majeure.domain.scope import ScopeKind, region_matches
from complaintdesk.force_majeure.models import EventStatus, ForceMajeureEvent
from complaintdesk.force_majeure.services import REASON
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.notices import customer_notice_enqueue, format_datetime
from complaintdesk.procedures.services import procedure_definition
from complaintdesk.sla.models import Clock, ClockPause
from complaintdesk.sla.services import (
    clock_pause,
    clock_pause_cancel,
    clock_resume,
    clocks_recompute,
)

logger = logging.getLogger(__name__)
BATCH = 200
SETTLE = timedelta(minutes=1)  # complaints newer than this may still be committing


@dataclass
class ApplyResult:
    paused: int = 0  # complaints whose clocks were newly paused
    changed: int = 0  # complaints whose pauses changed end or were removed
    notified: int = 0


def _descendants(code: str) -> list[int]:
    rows = list(Category.objects.values_list("pk", "code", "parent_id"))
    root = [pk for pk, c, _ in rows if c == code]
    found, frontier = set(root), set(root)
    while frontier:
        frontier = {pk for pk, _, parent in rows if parent in frontier} - found
        found |= frontier
    return sorted(found)


def complaints_in_scope(event: ForceMajeureEvent, *, after_id: int = 0) -> Iterator[Complaint]:
    """Open complaints with running clocks that the event covers (pk > ``after_id``)."""
    qs = Complaint.objects.filter(
        status__in=OPEN_STATUS_VALUES,
        pk__gt=after_id,
        pk__in=Clock.objects.filter(stopped_at__isnull=True).values("complaint_id"),
    )
    if event.ends_at is not None:
        qs = qs.filter(received_at__lt=event.ends_at)
    value = event.scope_value
    if event.scope == ScopeKind.CHANNEL:
        qs = qs.filter(channel=value)
    elif event.scope == ScopeKind.CATEGORY:
        qs = qs.filter(category__code=value)
    elif event.scope == ScopeKind.SERVICE:
        qs = qs.filter(category_id__in=_descendants(value))
    for complaint in qs.select_related("customer").order_by("pk").iterator(chunk_size=BATCH):
        if event.scope == ScopeKind.REGION and not region_matches(
            complaint.customer.address, value
        ):
            continue
        yield complaint


def _why(event: ForceMajeureEvent) -> dict[str, Any]:
    return {
        "force_majeure": event.pk,
        "reason": event.reason,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "explanation": f"Thời hạn không tính trong thời gian bất khả kháng: {event.reason}",
        "explanation_en": f"Deadlines do not run during force majeure: {event.reason}",
    }


def _journal_complaints(
    clocks: list[Clock], action: str, event: ForceMajeureEvent, now: datetime
) -> int:
    ids = sorted({c.complaint_id for c in clocks})
    for complaint_id in ids:
        journal_append(
            complaint_id=complaint_id,
            actor=None,
            action=action,
            target=f"force_majeure:{event.pk}",
            after=_why(event),
            at=now,
        )
    return len(ids)


def _notify(event: ForceMajeureEvent, complaint: Complaint, now: datetime) -> bool:
    if not event.notify_customers:
        return False
    try:
        definition = procedure_definition(complaint.procedure, complaint.procedure_version)
    except LookupError:
        return False
    if "force_majeure_delay" not in definition.notices_for("force_majeure.declared"):
        return False
    row = customer_notice_enqueue(
        complaint=complaint,
        notice="force_majeure_delay",
        now=now,
        dedupe_key=f"fm:{event.pk}:complaint:{complaint.pk}",
        context={
            "reason": event.reason,
            "starts": format_datetime(event.starts_at),
            "ends": format_datetime(event.ends_at),
        },
    )
    return row is not None


def _lock_complaints(ids: Any) -> None:
    """Lock the complaints before their clocks, in id order: the order agent actions and the
    deadline sweep take them, so none of them can deadlock with another."""
    list(Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _paused_complaints(event: ForceMajeureEvent) -> Any:
    return ClockPause.objects.filter(source=event.source).values("clock__complaint_id")


def _move_ends(event: ForceMajeureEvent, now: datetime) -> int:
    """Give existing pauses the event's current end; returns complaints changed."""
    pauses = ClockPause.objects.filter(source=event.source, clock__stopped_at__isnull=True)
    if event.ends_at is None:
        stale = pauses.filter(end__isnull=False)
    else:
        stale = pauses.filter(Q(end__isnull=True) | ~Q(end=event.ends_at))
    if not stale.exists():
        return 0
    action = (
        "force_majeure.ended" if event.status == EventStatus.ENDED else "force_majeure.extended"
    )
    with transaction.atomic():
        _lock_complaints(_paused_complaints(event))
        if event.ends_at is None:  # made open-ended again
            ids = list(stale.values_list("clock_id", flat=True))
            stale.update(end=None)
            clocks = clocks_recompute(clocks=list(Clock.objects.filter(pk__in=ids)), now=now)
        else:
            clocks = clock_resume(source=event.source, end=event.ends_at, now=now)
        return _journal_complaints(clocks, action, event, now)


def force_majeure_apply(*, event_id: int, now: datetime | None = None) -> ApplyResult:
    """Bring the clocks in scope in line with the event (see the module docstring)."""
    now = now or utcnow()
    result = ApplyResult()
    event = ForceMajeureEvent.objects.get(pk=event_id)
    version, full = event.version, event.applied_version < event.version
    if event.status == EventStatus.CANCELLED:
        with transaction.atomic():
            _lock_complaints(_paused_complaints(event))
            clocks = clock_pause_cancel(source=event.source, now=now)
            result.changed = _journal_complaints(clocks, "force_majeure.cancelled", event, now)
    elif event.pauses_clocks:
        result.changed = _move_ends(event, now)
        seen = event.applied_complaint_id
        settled = seen
        batch: list[Complaint] = []
        for complaint in complaints_in_scope(event, after_id=0 if full else seen):
            batch.append(complaint)
            if len(batch) >= BATCH:
                _apply_batch(event, batch, seen, now, result)
                settled = _settled(batch, settled, now)
                batch = []
        if batch:
            _apply_batch(event, batch, seen, now, result)
            settled = _settled(batch, settled, now)
        ForceMajeureEvent.objects.filter(pk=event.pk).update(applied_complaint_id=settled)
    ForceMajeureEvent.objects.filter(pk=event.pk, version=version).update(
        applied_version=version, applied_through=now
    )
    return result


def _settled(batch: list[Complaint], current: int, now: datetime) -> int:
    done = [c.pk for c in batch if c.recorded_at <= now - SETTLE]
    return max([current, *done])


def _apply_batch(
    event: ForceMajeureEvent, batch: list[Complaint], seen: int, now: datetime, result: ApplyResult
) -> None:
    with transaction.atomic():
        _lock_complaints([c.pk for c in batch])
        for complaint in batch:
            todo = list(
                Clock.objects.filter(complaint=complaint, stopped_at__isnull=True).exclude(
                    pauses__source=event.source
                )
            )
            paused = (
                clock_pause(
                    clocks=todo,
                    reason=REASON,
                    start=event.starts_at,
                    end=event.ends_at,
                    source=event.source,
                    now=now,
                )
                if todo
                else []
            )
            if paused:
                result.paused += _journal_complaints(paused, "force_majeure.applied", event, now)
            # Tell the customer once: when we paused it now, or when it arrived paused (the
            # clock started during the event) since the last look.
            new_arrival = (
                complaint.pk > seen
                and ClockPause.objects.filter(
                    clock__complaint=complaint, source=event.source
                ).exists()
            )
            if (paused or new_arrival) and _notify(event, complaint, now):
                result.notified += 1


def force_majeure_reconcile(*, now: datetime | None = None) -> int:
    """Finish interrupted applications and tell customers of complaints that arrived paused."""
    now = now or utcnow()
    events = (
        ForceMajeureEvent.objects.filter(
            Q(applied_version__lt=F("version"))
            | Q(status=EventStatus.APPROVED, ends_at__isnull=True)
            | Q(status=EventStatus.APPROVED, ends_at__gt=now - SETTLE * 10)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(events):
        try:
            force_majeure_apply(event_id=pk, now=now)
            done += 1
        except Exception:
            logger.exception("force majeure %s: apply failed; will retry", pk)
    return done
