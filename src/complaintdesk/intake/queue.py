"""Webhook events kept at the door, filed by a task.

A provider wants its webhook answered within seconds (Zalo: 2 s), so a webhook view only
verifies the signature, splits the payload into events and calls ``inbound_queue``: one
``InboundRecord`` per event with status ``queued`` — unique on (channel, provider message id), so
a redelivery only counts a delivery — and, after commit, one task (``jobs.file_inbound``) for the
new records. The task (``inbound_file``) parses each record's event with its channel's parser,
downloads the pictures from the provider, and files it through ``intake_accept`` in one
transaction that also removes the queued row, so a record is filed exactly once even when the
task and the sweeper (``jobs.sweep_inbound``, for tasks lost while the worker was down) meet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from complaintdesk.core.clock import utcnow
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


def inbound_queue(
    *, channel: str, events: Iterable[QueuedEvent], now: datetime | None = None
) -> QueueResult:
    """Keep each event (once, each in its own short transaction) and schedule the filing of
    the new ones after commit, in one task."""
    now = now or utcnow()
    queued: list[int] = []
    duplicates = 0
    for event in events:
        pmid = event.provider_message_id.strip()[:255]
        try:
            with transaction.atomic():
                record = InboundRecord.objects.create(
                    channel=channel,
                    provider_message_id=pmid,
                    status=InboundStatus.QUEUED,
                    sender=event.sender[:254],
                    thread_key=event.thread_key[:255],
                    raw=event.raw,
                    raw_size=len(event.raw),
                    received_at=event.received_at,
                    recorded_at=now,
                    last_seen_at=now,
                )
            queued.append(record.pk)
        except IntegrityError:
            duplicates += 1
            InboundRecord.objects.filter(channel=channel, provider_message_id=pmid).update(
                deliveries=F("deliveries") + 1, last_seen_at=now
            )
    if queued:
        transaction.on_commit(partial(_schedule, list(queued)))
    return QueueResult(queued, duplicates)


def _schedule(record_ids: list[int]) -> None:
    from complaintdesk.intake.jobs import file_inbound

    try:
        file_inbound.enqueue(record_ids)
    except Exception:  # the sweeper files them later
        logger.exception("could not enqueue the filing of %d inbound records", len(record_ids))


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
