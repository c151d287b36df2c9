from django_tasks import task

from complaintdesk.journal.services import journal_checkpoint


@task()
def checkpoint() -> int | None:
    cp = journal_checkpoint()
    return cp.id if cp else None
