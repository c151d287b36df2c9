"""Run the background worker of the configured task backend.

``TASKS_BACKEND=database`` (default) runs ``manage.py db_worker``; ``TASKS_BACKEND=redis`` runs
django-rq's ``rqworker`` on the same queue. Run as many workers as you like: each task is
taken by exactly one of them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a background worker for the configured TASKS_BACKEND (database or redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", default="default", help="Queue to process.")
        parser.add_argument(
            "--batch", action="store_true", help="Process what is queued, then exit."
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after this many tasks (database backend).",
        )

    def handle(
        self, *args: Any, queue: str, batch: bool, max_tasks: int | None, **options: Any
    ) -> None:
        backend = str(settings.TASKS["default"]["BACKEND"])
        verbosity = options.get("verbosity", 1)
        if backend.endswith("DatabaseBackend"):
            db_args = ["--queue-name", queue, "--no-reload"]
            if batch:
                db_args.append("--batch")
            if max_tasks is not None:
                db_args += ["--max-tasks", str(max_tasks)]
            call_command("db_worker", *db_args, verbosity=verbosity)
        elif backend.endswith("RQBackend"):
            # django-tasks-rq needs its own job class; the RQ scheduler runs deferred retries.
            rq_args = [queue, "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
            if batch:
                rq_args.append("--burst")
            call_command("rqworker", *rq_args, verbosity=verbosity)
        else:
            raise CommandError(
                f"TASKS_BACKEND runs tasks in-process ({backend}); there is no worker to start."
            )
