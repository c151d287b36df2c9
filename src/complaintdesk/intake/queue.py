"""Webhook events kept at the door, filed by the worker.

A provider wants its webhook answered within seconds (Zalo: 2 s), so a webhook view only
verifies the signature, splits the payload into events and calls ``inbound_queue``: one
``InboundRecord`` per event with status ``queued``, written by one ``INSERT … ON CONFLICT DO
NOTHING`` (unique on channel + provider message id, so a redelivery only counts a delivery) and
committed before the view answers — an acknowledged event is never lost. Filing is the worker's:
``_schedule`` asks for a drain (``jobs.drain_inbound``) at most once per process and
``INTAKE_DRAIN_DELAY_SECONDS``, deferred just past that window, so one task covers every event
the process kept meanwhile. A drain (``inbound_drain``) claims batches of fresh records and files
each (``inbound_file``): the channel's parser turns the event into an ``InboundMessage``, pictures
are downloaded from the provider, and ``intake_accept`` files it in one transaction that also
removes the queued row, so a record is filed exactly once even when drains and the sweeper
(``jobs.sweep_inbound``: queued records past the grace period — tasks lost, workers stopped,
pictures the provider could not serve yet) meet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from complaintdesk.core.clock import utcnow
from complaintdesk.core.inserts import Inserter
from complaintdesk.intake.base import (
    MALFORMED,
    InboundAttachment,
    InboundMessage,
    InboundRejected,
)
from complaintdesk.intake.http import DownloadFailed, download
from complaintdesk.intake.models import InboundRecord, InboundStatus
from complaintdesk.intake.services import intake_accept

logger = logging.getLogger(__name__)

Parser = Callable[[bytes, datetime], InboundMessage | InboundRejected]

# channel → the parser of one queued event (its raw bytes) into what the intake takes.
PARSERS: dict[str, str] = {
    "facebook": "complaintdesk.intake.facebook.parse.parse_event",
    "zalo": "complaintdesk.intake.zalo.parse.parse_event",
}
# InboundRecord.reason of a queued record: "" fresh (a drain's), or one of these (the sweeper's).
CLAIMED = "being filed by a worker"
WAITING = "waiting for the provider to serve the pictures"
ATTACHMENT_URLS = "attachment_urls"  # InboundMessage.extra key: URLs to download, one a line
MAX_ATTACHMENTS = 10


@dataclasses.dataclass(frozen=True)
class QueuedEvent:
    provider_message_id: str
    raw: bytes
    received_at: datetime
    sender: str = ""
    thread_key: str = ""


@dataclasses.dataclass(frozen=True)
class QueueResult:
    queued: list[int]
    duplicates: int


# ``INSERT … ON CONFLICT (channel, provider_message_id) DO NOTHING RETURNING id, pmid``
# (SQLite ≥ 3.35 and PostgreSQL): one statement keeps the events or skips the ones already kept,
# without the ORM's per-field work on the webhooks' hot path (rows are built in ``_insert``).
_INSERT = Inserter(
    InboundRecord,
    fields=(
        "channel",
        "provider_message_id",
        "status",
        "reason",
        "sender",
        "subject",
        "thread_key",
        "in_reply_to",
        "references",
        "raw",
        "raw_size",
        "created_complaint",
        "received_at",
        "recorded_at",
        "last_seen_at",
        "deliveries",
    ),
    on_conflict=("channel", "provider_message_id"),
    returning=("id", "provider_message_id"),
)
INSERT_CHUNK = 200  # rows per statement (SQLite allows 32,766 parameters, 16 a row)


def inbound_queue(
    *, channel: str, events: Iterable[QueuedEvent], now: datetime | None = None
) -> QueueResult:
    """Keep each event once — all of one payload in a single ``INSERT … ON CONFLICT DO NOTHING``,
    committed (or part of the caller's transaction) before the view answers — and have
    the worker file them (``_schedule``: at most one drain task per process and
    ``INTAKE_DRAIN_DELAY_SECONDS``). A redelivery only counts a delivery."""
    now = now or utcnow()
    fresh: dict[str, QueuedEvent] = {}
    repeated: list[str] = []  # the same id twice in one payload
    for event in events:
        pmid = event.provider_message_id.strip()[:255]
        if pmid in fresh:
            repeated.append(pmid)
        else:
            fresh[pmid] = event
    items = list(fresh.items())
    kept: dict[str, int] = {}
    for start in range(0, len(items), INSERT_CHUNK):
        kept.update(_insert(channel, items[start : start + INSERT_CHUNK], now))
    queued = [kept[pmid] for pmid in fresh if pmid in kept]
    repeated += [pmid for pmid in fresh if pmid not in kept]
    for pmid in repeated:  # rare: a provider's redelivery
        InboundRecord.objects.filter(channel=channel, provider_message_id=pmid).update(
            deliveries=F("deliveries") + 1, last_seen_at=now
        )
    if queued:
        transaction.on_commit(_schedule)
    return QueueResult(queued, len(repeated))


def _insert(channel: str, items: list[tuple[str, QueuedEvent]], now: datetime) -> dict[str, int]:
    """Insert the events not kept yet; provider message id → new record id."""
    adapt = connection.ops.adapt_datetimefield_value
    recorded = adapt(now)
    rows: list[tuple[Any, ...]] = []
    for pmid, event in items:
        rows.append(
            (
                channel,
                pmid,
                InboundStatus.QUEUED.value,
                "",  # reason: "" = fresh, a drain's to claim
                event.sender[:254],
                "",
                event.thread_key[:255],
                "",
                "",
                event.raw,
                len(event.raw),
                False,
                adapt(event.received_at),
                recorded,
                recorded,
                1,
            )
        )
    # SQLite: inside a transaction, so the write waits in the same queue as every other writer
    # (core/sqlite's writer lock) instead of on SQLite's busy handler, which sleeps in steps of
    # up to 100 ms and loses the lock to queued writers. PostgreSQL: one autocommit statement.
    atomic = transaction.atomic() if connection.vendor == "sqlite" else contextlib.nullcontext()
    with atomic:
        return {str(pmid): int(pk) for pk, pmid in _INSERT.returned(rows)}


class _DrainPlan:
    """When this process last asked the worker for a drain: while one is pending, new records
    need no task of their own — the pending drain starts after they were committed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending_until = 0.0  # time.monotonic()

    def claim(self, delay: float) -> bool:
        now = time.monotonic()
        with self.lock:
            if now < self.pending_until:
                return False
            self.pending_until = now + delay
            return True

    def release(self) -> None:
        with self.lock:
            self.pending_until = 0.0


drain_plan = _DrainPlan()


def _schedule() -> None:
    """Ask the worker to file the queue. With a backend that can defer (database, RQ) one task
    ``INTAKE_DRAIN_DELAY_SECONDS`` (default 1) ahead covers every record this process commits
    until then: at 300 events/s that is one task per second and process instead of 300. A
    backend that runs tasks at once (tests, ``immediate``) drains now. Whatever a task misses
    (worker down, task lost), ``inbound_sweep`` files later: the records are committed."""
    if time.monotonic() < drain_plan.pending_until:  # the common case under load: nothing to do
        return
    from complaintdesk.intake.jobs import drain_inbound

    try:
        if not drain_inbound.get_backend().supports_defer:
            drain_inbound.enqueue()
            return
        delay = max(float(getattr(settings, "INTAKE_DRAIN_DELAY_SECONDS", 1.0)), 0.0)
        if delay and not drain_plan.claim(delay):
            return
        # A little after this process's window closes, so the drain sees all of its records
        # even with the worker's clock slightly ahead.
        run_after = utcnow() + timedelta(seconds=delay + DRAIN_SLACK_SECONDS)
        drain_inbound.using(run_after=run_after).enqueue()
    except Exception:  # the sweeper files them later
        drain_plan.release()
        logger.exception("could not enqueue the filing of the inbound queue")


DRAIN_SLACK_SECONDS = 0.5


def parser_for(channel: str) -> Parser | None:
    path = PARSERS.get(channel)
    return import_string(path) if path else None


def _serialize_thread(channel: str, thread_key: str) -> None:
    """Two workers filing two messages of one conversation at once would both find no complaint
    and open two. PostgreSQL: a transaction-level advisory lock per conversation (SQLite's
    IMMEDIATE transactions already run one at a time)."""
    if not thread_key or connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{channel}:{thread_key}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _fetch(message: InboundMessage, record: InboundRecord, now: datetime) -> InboundMessage | None:
    """The message with its pictures downloaded; ``None`` when a download failed for a reason that
    may pass (the record stays queued for the sweeper) and the record is still young enough."""
    urls = [u for u in message.extra.get(ATTACHMENT_URLS, "").splitlines() if u][:MAX_ATTACHMENTS]
    if not urls:
        return message
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    patience = timedelta(hours=float(getattr(settings, "INTAKE_DOWNLOAD_RETRY_HOURS", 6)))
    attachments = list(message.attachments)
    missing: list[str] = []
    for index, url in enumerate(urls, start=1):
        try:
            content = download(url, max_bytes=limit)
        except DownloadFailed as exc:
            if exc.transient and now - record.recorded_at < patience:
                logger.warning(
                    "%s record %s: picture %d not downloaded yet (%s)",
                    record.channel,
                    record.pk,
                    index,
                    exc,
                )
                return None
            missing.append(f"{index}: {exc}")
            continue
        attachments.append(InboundAttachment(name=f"anh-{index}", content=content))
    text = message.text
    if missing:
        note = "(Không tải được ảnh khách gửi: " + "; ".join(missing) + ")"
        text = f"{text}\n{note}".strip()
    return dataclasses.replace(message, attachments=tuple(attachments), text=text)


def inbound_file(record_id: int, *, now: datetime | None = None) -> str:
    """File one queued record. Returns ``filed``, ``gone`` (already filed) or ``later``."""
    now = now or utcnow()
    record = InboundRecord.objects.filter(pk=record_id, status=InboundStatus.QUEUED).first()
    if record is None:
        return "gone"
    parser = parser_for(record.channel)
    raw = bytes(record.raw)
    outcome: InboundMessage | InboundRejected
    try:
        if parser is None:
            raise LookupError(f"no parser for channel {record.channel!r}")
        outcome = parser(raw, record.received_at)
        if isinstance(outcome, InboundMessage):
            fetched = _fetch(outcome, record, now)
            if fetched is None:
                # Not the drains' any more (they take fresh records only): the sweeper's.
                InboundRecord.objects.filter(pk=record.pk, status=InboundStatus.QUEUED).update(
                    reason=WAITING
                )
                return "later"
            outcome = fetched
    except Exception as exc:
        logger.exception("parsing %s record %s failed", record.channel, record.pk)
        outcome = InboundRejected(
            record.channel,
            record.provider_message_id,
            MALFORMED,
            f"parse failed: {type(exc).__name__}: {exc}"[:500],
            record.received_at,
            raw,
        )
    try:
        return _file(record, outcome, now)
    except Exception as exc:
        logger.exception("filing %s record %s failed", record.channel, record.pk)
        failed = InboundRejected(
            record.channel,
            record.provider_message_id,
            MALFORMED,
            f"intake failed: {type(exc).__name__}: {exc}"[:2000],
            record.received_at,
            raw,
        )
        return _file(record, failed, now)  # database down: raises, the record stays queued


def _file(record: InboundRecord, outcome: InboundMessage | InboundRejected, now: datetime) -> str:
    thread_key = outcome.thread_key if isinstance(outcome, InboundMessage) else ""
    with transaction.atomic():
        _serialize_thread(record.channel, thread_key)
        deleted, _ = InboundRecord.objects.filter(
            pk=record.pk, status=InboundStatus.QUEUED
        ).delete()
        if not deleted:
            return "gone"
        result = intake_accept(outcome, now=now)
        # The filed record takes the place of the queued one: keep when and how often it came.
        InboundRecord.objects.filter(pk=result.record.pk).update(
            recorded_at=record.recorded_at, deliveries=record.deliveries
        )
    return "filed"


def inbound_drain(*, batch: int = 50, max_seconds: float = 60.0) -> dict[str, int]:
    """File the records the webhooks queued, oldest first, until none is left (or
    ``max_seconds`` passed: the next drain or the sweeper goes on). Each batch is claimed first
    (``reason`` set to ``CLAIMED`` in one UPDATE that only takes unclaimed rows), so drains
    running in several workers at once file different records instead of racing for the same
    ones. A record a drain claimed but did not file (worker stopped) stays queued and is filed by
    ``inbound_sweep``, which takes every queued record past the grace period."""
    began = time.monotonic()
    pause = _writer_pause()
    counts: dict[str, int] = {}
    while True:
        ids = _claim_batch(batch)
        for pk in ids:
            outcome = inbound_file(pk)
            counts[outcome] = counts.get(outcome, 0) + 1
            if pause:
                time.sleep(pause)
        if len(ids) < batch or time.monotonic() - began > max_seconds:
            return counts


def _writer_pause() -> float:
    """SQLite has one writer: a drain filing back to back would hold the write lock almost all
    the time, and the webhooks' INSERTs — waiting for it in short polls — would keep missing the
    moment it is free (their answer time grows with the backlog). A pause between records,
    longer than a waiting writer's poll interval (core/sqlite: ≤ 0.5 ms), lets them in.
    ``INTAKE_DRAIN_PAUSE_MS`` (SQLite default 3; PostgreSQL 0: rows, not the database, are
    locked)."""
    default = "3" if connection.vendor == "sqlite" else "0"
    return max(float(getattr(settings, "INTAKE_DRAIN_PAUSE_MS", default)), 0.0) / 1000


def _claim_batch(size: int) -> list[int]:
    with transaction.atomic():
        rows = InboundRecord.objects.filter(status=InboundStatus.QUEUED, reason="")
        rows = rows.order_by("recorded_at", "pk")  # walks inbound_status_idx, stops early
        if connection.vendor == "postgresql":  # SQLite: one writer at a time already
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:size])
        if ids:
            InboundRecord.objects.filter(pk__in=ids).update(reason=CLAIMED)
    return ids


def inbound_sweep(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """File queued records whose task was lost (worker down) or that wait for a download."""
    now = now or utcnow()
    grace = timedelta(seconds=int(getattr(settings, "INTAKE_QUEUE_GRACE_SECONDS", 120)))
    ids = list(
        InboundRecord.objects.filter(status=InboundStatus.QUEUED, recorded_at__lt=now - grace)
        .order_by("recorded_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in ids:
        outcome = inbound_file(pk, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
