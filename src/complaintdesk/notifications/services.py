"""Writing to the outbox and delivering what it holds.

``outbox_enqueue`` runs inside the caller's transaction: the row, its journal entry and the change
that caused them commit or roll back together; delivery is scheduled with
``transaction.on_commit``. ``outbox_deliver`` claims a row with one conditional UPDATE, so two
workers (or a worker and the retry job) never send the same attempt, and records every attempt
on the complaint's journal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context, Engine, Template

from complaintdesk.core.clock import utcnow
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.deliverers import DeliveryFailed, OutgoingNotice, deliverer_for
from complaintdesk.notifications.domain.retry import RetryPolicy
from complaintdesk.notifications.domain.templates import INTERNAL_NOTICES, NOTICES, template_for
from complaintdesk.notifications.models import RETRYABLE, NoticeTemplate, Outbox, OutboxStatus

logger = logging.getLogger(__name__)
_engine = Engine(autoescape=False)


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    """A notice template compiled once per process (the wordings are few; edits add entries)."""
    return _engine.from_string(text)


def retry_policy() -> RetryPolicy:
    return RetryPolicy(**getattr(settings, "NOTIFICATION_RETRY", {}))


def edited_template(notice: str, language: str) -> tuple[str, str] | None:
    """An administrator's wording of a notice (admin: "Mẫu thông báo"), if any."""
    row = NoticeTemplate.objects.filter(notice=notice, language=language[:2]).first()
    return (row.subject, row.body) if row is not None else None


def render_notice(
    *,
    notice: str,
    language: str,
    context: dict[str, Any],
    template: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """(subject, body) of a notice in the customer's language (``template`` overrides the
    built-in wording)."""
    if notice not in NOTICES:
        raise KeyError(f"unknown notice {notice!r}")
    subject_t, body_t = template or template_for(notice, language)
    aliases = {"customer": "customer_name", "deadline": "due_date", "result": "resolution"}
    aliases["agent"] = "assignee"
    extra = {alias: context[name] for alias, name in aliases.items() if name in context}
    ctx = Context({"org_name": settings.ORGANISATION_NAME, **extra, **context})
    subject = _compiled(subject_t).render(ctx)
    body = _compiled(body_t).render(ctx)
    return " ".join(subject.split())[:300], body


def _schedule(outbox_id: int, run_after: datetime | None = None) -> None:
    """Hand the delivery to the task queue. A failure here is not fatal: the periodic
    ``outbox_dispatch`` job delivers every row still pending."""
    from complaintdesk.notifications.jobs import deliver_notice

    try:
        task = deliver_notice
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the periodic job will retry it
            task = task.using(run_after=run_after)
        task.enqueue(outbox_id)
    except Exception:
        logger.exception("could not enqueue delivery of outbox row %s", outbox_id)


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    notice: str,
    dedupe_key: str,
    context: dict[str, Any] | None = None,
    language: str = "vi",
    complaint_id: int | None = None,
    now: datetime | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> tuple[Outbox, bool]:
    """Queue one notice; idempotent on ``dedupe_key``. Returns (row, created).

    A second call with the same key returns the first row untouched and queues nothing.
    """
    now = now or utcnow()
    dedupe_key = dedupe_key[:200]
    existing = Outbox.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    if subject is None or body is None:
        subject, body = render_notice(
            notice=notice,
            language=language,
            context=context or {},
            template=edited_template(notice, language) if notice in NOTICES else None,
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Outbox.objects.create(
                    channel=channel,
                    recipient=recipient,
                    notice=notice,
                    language=language,
                    internal=notice in INTERNAL_NOTICES,
                    subject=subject,
                    body=body,
                    complaint_id=complaint_id,
                    dedupe_key=dedupe_key,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=now,
                    created_at=now,
                )
        except IntegrityError:
            # Queued by a concurrent transaction that committed first.
            return Outbox.objects.get(dedupe_key=dedupe_key), False
        if complaint_id is not None:
            journal_append(
                complaint_id=complaint_id,
                actor=None,
                action="notice.queued",
                target=f"notice:{row.pk}",
                at=now,
                after={
                    "notice": notice,
                    "channel": channel,
                    "recipient": recipient,
                    "subject": subject,
                },
            )
        transaction.on_commit(partial(_schedule, row.pk))
    return row, True


@dataclass(frozen=True)
class Attempt:
    outbox_id: int
    outcome: str  # sent | failed | dead | skipped | lost
    attempt: int = 0
    error: str = ""
    next_attempt_at: datetime | None = None


def _claimable(now: datetime, policy: RetryPolicy) -> Q:
    return Q(status__in=RETRYABLE, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=now - policy.lease
    )


def outbox_deliver(*, outbox_id: int, now: datetime | None = None) -> Attempt:
    """Make one delivery attempt if the row is due and nobody else is sending it.

    Without ``now`` (production) the claim is stamped when it is made and the outcome when the
    send returned — a send can hang for ``EMAIL_TIMEOUT`` — so the lease, ``sent_at`` and the
    retry's backoff count from the real moments. A given ``now`` (tests) stands for both."""
    fixed = now is not None
    now = now or utcnow()
    policy = retry_policy()
    claimed = Outbox.objects.filter(_claimable(now, policy), pk=outbox_id).update(
        status=OutboxStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return Attempt(outbox_id, "skipped")
    row = Outbox.objects.get(pk=outbox_id)
    attempt = row.attempts
    error, permanent, provider_id = "", False, ""
    deliverer = deliverer_for(row.channel)
    try:
        if deliverer is None:
            raise DeliveryFailed(f"no delivery adapter for channel {row.channel!r}", permanent=True)
        provider_id = deliverer.send(
            OutgoingNotice(
                outbox_id=row.pk,
                channel=row.channel,
                recipient=row.recipient,
                subject=row.subject,
                body=row.body,
                dedupe_key=row.dedupe_key,
                language=row.language,
                complaint_id=row.complaint_id,
            )
        )
    except DeliveryFailed as exc:
        error, permanent = str(exc) or type(exc).__name__, exc.permanent
    except Exception as exc:
        # Deliverers loaded by path (intake.delivery.ChannelSendFailed) say it is a delivery
        # failure by shape: a boolean ``permanent``; their message is the provider's answer.
        shaped = isinstance(getattr(exc, "permanent", None), bool)
        error = (str(exc) or type(exc).__name__) if shaped else f"{type(exc).__name__}: {exc}"
        permanent = getattr(exc, "permanent", False) is True
    if not fixed:
        now = utcnow()
    next_at = (
        None if not error else policy.after_failure(attempts=attempt, now=now, permanent=permanent)
    )
    if not error:
        outcome, fields = (
            "sent",
            {
                "status": OutboxStatus.SENT,
                "sent_at": now,
                "last_error": "",
                "provider_message_id": provider_id[:255],
            },
        )
    elif next_at is None:
        outcome, fields = "dead", {"status": OutboxStatus.DEAD, "last_error": error}
    else:
        outcome, fields = (
            "failed",
            {"status": OutboxStatus.FAILED, "last_error": error, "next_attempt_at": next_at},
        )
    with transaction.atomic():
        # Fencing: only the holder of this attempt may record it.
        if not Outbox.objects.filter(
            pk=row.pk, status=OutboxStatus.SENDING, attempts=attempt
        ).update(**fields):
            return Attempt(outbox_id, "lost", attempt)
        if row.complaint_id is not None:
            journal_append(
                complaint_id=row.complaint_id,
                actor=None,
                action=f"notice.{outcome}",
                target=f"notice:{row.pk}",
                at=now,
                after={
                    "notice": row.notice,
                    "channel": row.channel,
                    "recipient": row.recipient,
                    "attempt": attempt,
                    "error": error,
                    "next_attempt_at": next_at,
                },
            )
        if outcome == "failed":
            transaction.on_commit(partial(_schedule, row.pk, next_at))
    return Attempt(outbox_id, outcome, attempt, error, next_at)


def outbox_dispatch_due(*, now: datetime | None = None, limit: int = 200) -> list[Attempt]:
    """Deliver rows that are due: never scheduled, due for a retry, or abandoned mid-send.

    ``now`` chooses the rows; each delivery then reads the clock itself (unless ``now`` was
    given): with 200 rows and a hanging mail server, a claim stamped with the dispatch's start
    would look abandoned to another worker minutes before its lease really ran out."""
    due = now or utcnow()
    ids = list(
        Outbox.objects.filter(_claimable(due, retry_policy()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return [outbox_deliver(outbox_id=pk, now=now) for pk in ids]


def outbox_retry(*, outbox: Outbox, actor: Any, now: datetime | None = None) -> Outbox:
    """Give a dead (or failing) notice a fresh set of attempts, e.g. after fixing an address."""
    now = now or utcnow()
    with transaction.atomic():
        updated = Outbox.objects.filter(
            pk=outbox.pk, status__in=[OutboxStatus.DEAD, OutboxStatus.FAILED]
        ).update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, claimed_at=None)
        if updated and outbox.complaint_id is not None:
            journal_append(
                complaint_id=outbox.complaint_id,
                actor=actor,
                action="notice.retry_requested",
                target=f"notice:{outbox.pk}",
                at=now,
            )
        if updated:
            transaction.on_commit(partial(_schedule, outbox.pk))
    outbox.refresh_from_db()
    return outbox
