"""Task entry points of the notifications app."""

from __future__ import annotations

from django_tasks import task

from complaintdesk.notifications.services import outbox_deliver, outbox_dispatch_due


@task()
def deliver_notice(outbox_id: int) -> str:
    """Deliver one outbox row (scheduled after the commit that queued it)."""
    return outbox_deliver(outbox_id=outbox_id).outcome


@task()
def dispatch_due() -> int:
    """Periodic safety net: deliver rows due for a retry or whose task was lost."""
    return len(outbox_dispatch_due())
