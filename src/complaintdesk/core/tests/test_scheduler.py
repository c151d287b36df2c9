"""The scheduler enqueues every periodic job, and only one scheduler does so at a time."""

from __future__ import annotations

import signal
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import task_backends
from django_tasks.base import Task

from complaintdesk.core.management.commands import run_scheduler
from complaintdesk.core.management.commands.run_scheduler import due, resolve, scheduler_lock
from complaintdesk.core.tests.processes import command_env, manage
from config.schedule import JOBS, PeriodicJob

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_every_job_names_a_task_and_names_are_unique():
    assert len({job.name for job in JOBS}) == len(JOBS)
    for job in JOBS:
        assert isinstance(resolve(job), Task), job.task
        assert job.every >= 60
    assert "journal_checkpoint" in {job.name for job in JOBS}
    assert "deadline_sweep" in {job.name for job in JOBS}


def test_due_moves_each_job_forward_without_replaying_missed_runs():
    jobs = (PeriodicJob("a", "x", 10), PeriodicJob("b", "y", 30))
    next_at: dict[str, float] = {}
    assert [j.name for j in due(jobs, next_at, 100.0)] == ["a", "b"]
    assert due(jobs, next_at, 105.0) == []
    assert [j.name for j in due(jobs, next_at, 110.0)] == ["a"]
    # The scheduler was asleep for a long time: each job runs once, not once per missed period.
    assert [j.name for j in due(jobs, next_at, 1000.0)] == ["a", "b"]
    assert next_at == {"a": 1010.0, "b": 1030.0}


@pytest.mark.django_db
def test_once_enqueues_every_job(settings):
    settings.TASKS = DUMMY
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    enqueued = [r.task.module_path for r in task_backends["default"].results]
    assert enqueued == [job.task for job in JOBS]
    assert out.getvalue().strip() == f"enqueued {len(JOBS)} of {len(JOBS)} jobs"


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_does_not_enqueue_while_the_first_holds_the_lock(settings):
    settings.TASKS = DUMMY
    holder = manage("shell", "-c", _HOLD_LOCK, env=command_env())
    try:
        assert holder.stdout is not None
        lines = iter(holder.stdout.readline, "")
        assert "locked" in (line.strip() for line in lines)
        out = StringIO()
        call_command("run_scheduler", "--once", stdout=out)
        assert out.getvalue().strip() == "another scheduler holds the lock; nothing enqueued"
        assert task_backends["default"].results == []
    finally:
        holder.terminate()
        holder.wait(timeout=20)
    call_command("run_scheduler", "--once", stdout=StringIO())  # free again
    assert len(task_backends["default"].results) == len(JOBS)


_HOLD_LOCK = (
    "import sys, time\n"
    "from complaintdesk.core.management.commands.run_scheduler import scheduler_lock\n"
    "lock = scheduler_lock()\n"
    "assert lock.acquire()\n"
    "print('locked', flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_enqueue_each_job_once():
    """Two real schedulers against the database backend: one enqueues, the other stands by."""
    from django_tasks_db.models import DBTaskResult

    env = command_env(TASKS_BACKEND="database")
    procs = [manage("run_scheduler", "--tick", "0.2", "--max-seconds", "60", env=env) for _ in "ab"]
    said = []
    try:
        for proc in procs:
            assert proc.stdout is not None
            for line in iter(proc.stdout.readline, ""):
                if line.startswith(("lock taken", "another scheduler")):
                    said.append(line.strip())
                    break
        time.sleep(1)  # both are now in their loop: one enqueueing, one waiting
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.communicate(timeout=30)
    assert sorted(said) == [
        "another scheduler holds the lock: standing by",
        "lock taken: this scheduler enqueues",
    ]
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == sorted(job.task for job in JOBS)


def test_file_lock_is_exclusive(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses an advisory lock (covered by the process tests)")
    first, second = scheduler_lock(), scheduler_lock()
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.django_db
def test_loop_runs_jobs_on_time(settings, monkeypatch):
    settings.TASKS = DUMMY
    monkeypatch.setattr(
        run_scheduler, "JOBS", (PeriodicJob("cp", "complaintdesk.journal.jobs.checkpoint", 1),)
    )
    started = time.monotonic()
    call_command("run_scheduler", "--tick", "0.1", "--max-seconds", "2.5", stdout=StringIO())
    assert time.monotonic() - started < 5
    runs = len(task_backends["default"].results)
    assert 2 <= runs <= 4  # at 0 s, 1 s and 2 s


@pytest.mark.django_db
def test_prune_task_results_deletes_old_finished_results(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from complaintdesk.core.jobs import prune_task_results

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old = prune_task_results.enqueue()  # a real row in the queue table
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=8)
    )
    fresh = prune_task_results.enqueue()
    assert prune_task_results.call() == "deleted 1 task results"
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [fresh.db_result.id]
    settings.TASKS = DUMMY
    assert prune_task_results.call() == "not the database backend"
