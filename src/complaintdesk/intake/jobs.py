"""Task entry points of the intake: polling the configured mailboxes (config/schedule.py) and
filing the webhook events kept at the door (``intake.queue``)."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks import task

from complaintdesk.core.clock import utcnow
from complaintdesk.intake.base import payload_id
from complaintdesk.intake.conf import channel_settings, own_identity
from complaintdesk.intake.email.imap import PollReport, parse_imap_urls, poll_mailbox
from complaintdesk.intake.email.parse import OwnIdentity, normalize_msgid, parse_email
from complaintdesk.intake.services import intake_accept, intake_record_failure

logger = logging.getLogger(__name__)


def receive_mail(raw: bytes, *, own: OwnIdentity | None = None) -> bool:
    """Parse and take in one mail. True once it is recorded (committed) — as a complaint, a
    follow-up, ignored or malformed — so the mailbox may mark it done; False when even keeping
    it failed (database down): it stays in the mailbox for the next poll."""
    assert not connection.in_atomic_block, "a mail is marked done only after its own commit"
    own = own or own_identity()
    now = utcnow()
    try:
        intake_accept(parse_email(raw, received_at=now, own=own), now=now)
        return True
    except Exception as exc:
        logger.exception("intake of a mail failed")
        head = raw[:16384].decode("latin-1")
        found = [line for line in head.splitlines() if line.lower().startswith("message-id:")]
        pmid = normalize_msgid(found[0].split(":", 1)[1]) if found else ""
        try:
            intake_record_failure(
                channel="email",
                provider_message_id=pmid or payload_id(raw),
                raw=raw,
                reason=f"intake failed: {type(exc).__name__}: {exc}",
                now=now,
            )
            return True
        except Exception:
            logger.exception("could not even keep the failed mail; it stays in the mailbox")
            return False


def poll_all_mailboxes(*, limit: int | None = None) -> list[PollReport]:
    config = channel_settings("email")
    if not config.enabled or not config.get("imap_url"):
        return []
    try:
        specs = parse_imap_urls(config.get("imap_url"))
    except ValueError as exc:
        logger.error("email channel: %s", exc)
        return [PollReport(mailbox="?", error=str(exc))]
    limit = limit or int(getattr(settings, "EMAIL_POLL_LIMIT", 50))
    return [poll_mailbox(spec, receive_mail, limit=limit) for spec in specs]


@task()
def poll_mailboxes() -> list[dict[str, Any]]:
    """Periodic: fetch new mail from every configured mailbox into the intake."""
    return [asdict(report) for report in poll_all_mailboxes()]


@task()
def drain_inbound() -> dict[str, int]:
    """File the webhook events kept at the door (``intake.queue``): what the webhooks enqueue,
    at most once a second per server process. A drain stops after ``DRAIN_SECONDS`` (a worker
    asked to stop waits for its task) and, when fresh records remain, asks for the next one."""
    from complaintdesk.intake.models import InboundRecord, InboundStatus
    from complaintdesk.intake.queue import inbound_drain

    began = time.monotonic()
    counts = inbound_drain(max_seconds=DRAIN_SECONDS)
    out_of_time = time.monotonic() - began >= DRAIN_SECONDS
    if (
        out_of_time
        and InboundRecord.objects.filter(status=InboundStatus.QUEUED, reason="").exists()
    ):
        drain_inbound.enqueue()
    return counts


DRAIN_SECONDS = 30.0


@task()
def file_inbound(record_ids: list[int]) -> dict[str, int]:
    """File the given webhook events, once each (tasks enqueued before ``drain_inbound``)."""
    from complaintdesk.intake.queue import inbound_file

    counts: dict[str, int] = {}
    for record_id in record_ids:
        outcome = inbound_file(int(record_id))
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@task()
def sweep_inbound() -> dict[str, int]:
    """Periodic: file queued webhook events whose task was lost or whose pictures wait."""
    from complaintdesk.intake.queue import inbound_sweep

    return inbound_sweep()
