"""Housekeeping tasks of the background machinery itself."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django_tasks import task


@task()
def prune_task_results() -> str:
    """Delete finished task results of the database backend (kept 7 days, failed ones 30)."""
    if not str(settings.TASKS["default"]["BACKEND"]).endswith("DatabaseBackend"):
        return "not the database backend"
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.count()
    call_command(
        "prune_db_task_results", "--min-age-days", "7", "--failed-min-age-days", "30", verbosity=0
    )
    return f"deleted {before - DBTaskResult.objects.count()} task results"
