"""Every periodic job, in one list. The scheduler (``manage.py run_scheduler``) enqueues each
job's task every ``every`` seconds; each job is idempotent, so running it twice is harmless."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted path of a django-tasks task
    every: int  # seconds


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("journal_checkpoint", "complaintdesk.journal.jobs.checkpoint", 3600),
)
