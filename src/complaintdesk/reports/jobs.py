"""Task entry points of the reports (scheduled in config/schedule.py)."""

from __future__ import annotations

from django_tasks import task

from complaintdesk.core.clock import local, utcnow
from complaintdesk.reports.domain.figures import previous_month
from complaintdesk.reports.services import journal_verification_run, monthly_report_deliver


@task()
def deliver_monthly_report() -> dict[str, int]:
    """Send last month's report to leadership; runs often, sends each month once per address."""
    now = utcnow()
    return monthly_report_deliver(period=previous_month(local(now).date()), now=now)


@task()
def verify_journal() -> int:
    """Verify the journal's hash chains and store the result for the journal page."""
    return journal_verification_run().pk
