"""Task entry points of the complaints app (scheduled in config/schedule.py)."""

from __future__ import annotations

from django_tasks import task

from complaintdesk.complaints.uploads import sweep_orphaned_files


@task()
def sweep_attachment_files() -> int:
    """Delete stored files no attachment points to (left by a rolled-back caller)."""
    return len(sweep_orphaned_files())
