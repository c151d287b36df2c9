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
    # Seal the journal's chain heads into a checkpoint.
    PeriodicJob("journal_checkpoint", "complaintdesk.journal.jobs.checkpoint", 3600),
    # Remove stored attachment files that no attachment row points to (complaints/uploads.py).
    PeriodicJob("attachment_sweep", "complaintdesk.complaints.jobs.sweep_attachment_files", 86400),
    # Warn, mark breaches and escalate along each procedure's chain (sla/jobs.py).
    PeriodicJob("deadline_sweep", "complaintdesk.sla.jobs.sweep", 60),
    # Deliver notices due for a retry or whose delivery task was lost.
    PeriodicJob("outbox_dispatch", "complaintdesk.notifications.jobs.dispatch_due", 60),
    # Finish interrupted force majeure applications; tell customers who arrived during one.
    PeriodicJob("force_majeure_reconcile", "complaintdesk.force_majeure.jobs.reconcile", 300),
    # Fetch new mail from the configured mailboxes into the intake (no-op when not configured).
    PeriodicJob("email_poll", "complaintdesk.intake.jobs.poll_mailboxes", 60),
    # File webhook events (Facebook, Zalo) whose task was lost or whose pictures wait.
    PeriodicJob("inbound_sweep", "complaintdesk.intake.jobs.sweep_inbound", 120),
    # Last month's report (PDF + XLSX) to leadership: sent once per month and address.
    PeriodicJob(
        "report_monthly_delivery", "complaintdesk.reports.jobs.deliver_monthly_report", 3600
    ),
    # Verify the journal's hash chains; the journal page shows the latest result.
    PeriodicJob("journal_verify", "complaintdesk.reports.jobs.verify_journal", 86400),
    # Delete old results of the database task backend (its table would grow forever).
    PeriodicJob("prune_task_results", "complaintdesk.core.jobs.prune_task_results", 86400),
)
