"""Task entry points of the force majeure app."""

from __future__ import annotations

from django_tasks import task

from complaintdesk.force_majeure.apply import force_majeure_apply, force_majeure_reconcile


@task()
def apply_event(event_id: int) -> dict[str, int]:
    """Move the clocks after a change to the event (enqueued after the change commits)."""
    r = force_majeure_apply(event_id=event_id)
    return {"paused": r.paused, "changed": r.changed, "notified": r.notified}


@task()
def reconcile() -> int:
    """Periodic: finish interrupted applications; tell customers whose complaints arrived
    during an event."""
    return force_majeure_reconcile()
