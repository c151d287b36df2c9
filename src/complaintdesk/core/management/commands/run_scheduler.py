"""Enqueue every periodic job of ``config/schedule.py`` every ``every`` seconds.

Only one scheduler enqueues at a time: it holds a lock for as long as it runs — a PostgreSQL
advisory lock (works across hosts) or, on SQLite (one host by nature), an exclusive file lock
under the var directory. A second scheduler waits as a standby and takes over when the first
stops. The jobs are idempotent, so a handover that enqueues one job early is harmless.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import signal
import time
import zlib
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.module_loading import import_string
from django_tasks.base import Task

from config.schedule import JOBS, PeriodicJob

logger = logging.getLogger("complaintdesk.scheduler")
LOCK_NAME = "complaintdesk.scheduler"


class SchedulerLock(Protocol):
    def acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLock:
    """A session-level PostgreSQL advisory lock on the default connection."""

    def __init__(self, name: str = LOCK_NAME) -> None:
        self.key = zlib.crc32(name.encode())

    def acquire(self) -> bool:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
            return bool(cur.fetchone()[0])

    def held(self) -> bool:
        # After a reconnect the session (and its lock) is gone: re-check every tick.
        try:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                    "AND pid = pg_backend_pid() AND granted",
                    [self.key & 0xFFFFFFFF],
                )
                return cur.fetchone() is not None
        except Exception:
            logger.exception("scheduler: cannot check the advisory lock")
            connection.close()
            return False

    def release(self) -> None:
        with contextlib.suppress(Exception), connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [self.key])


class FileLock:
    """An exclusive ``flock`` on a file: released by the kernel if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def scheduler_lock() -> SchedulerLock:
    if connection.vendor == "postgresql":
        return AdvisoryLock()
    return FileLock(Path(settings.VAR_DIR) / "scheduler.lock")


def resolve(job: PeriodicJob) -> Task[Any, Any]:
    task = import_string(job.task)
    if not isinstance(task, Task):
        raise TypeError(f"{job.task} is not a django-tasks task")
    return task


def enqueue(job: PeriodicJob) -> bool:
    try:
        result = resolve(job).enqueue()
    except Exception:
        logger.exception("scheduler: could not enqueue %s", job.name)
        return False
    logger.info("scheduler: enqueued %s (%s)", job.name, result.id)
    return True


def due(jobs: tuple[PeriodicJob, ...], next_at: dict[str, float], now: float) -> list[PeriodicJob]:
    """Jobs whose time has come; moves their next time forward (missed runs are not replayed)."""
    out = []
    for job in jobs:
        when = next_at.get(job.name, now)
        if now >= when:
            out.append(job)
            following = when + job.every
            next_at[job.name] = following if following > now else now + job.every
    return out


class Command(BaseCommand):
    help = (
        "Run the periodic-job scheduler (config/schedule.py). Use --once to enqueue every job once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and exit.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between checks.")
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop after this long (tests, supervised restarts).",
        )

    def handle(
        self, *args: Any, once: bool, tick: float, max_seconds: float | None, **options: Any
    ) -> None:
        for job in JOBS:
            resolve(job)  # fail fast on a typo in config/schedule.py
        lock = scheduler_lock()
        stop = {"now": False}

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        started = time.monotonic()
        if once:
            if not lock.acquire():
                self.stdout.write("another scheduler holds the lock; nothing enqueued")
                return
            try:
                ok = sum(enqueue(job) for job in JOBS)
            finally:
                lock.release()
            self.stdout.write(f"enqueued {ok} of {len(JOBS)} jobs")
            return
        next_at: dict[str, float] = {}
        leader = standby_said = False
        self.stdout.write(
            f"scheduler: {len(JOBS)} jobs: " + ", ".join(f"{j.name} every {j.every}s" for j in JOBS)
        )
        try:
            while not stop["now"]:
                now = time.monotonic()
                if max_seconds is not None and now - started >= max_seconds:
                    break
                if not leader or not lock.held():
                    was, leader = leader, lock.acquire()
                    if leader:
                        self.stdout.write("lock taken: this scheduler enqueues")
                        next_at.clear()
                    elif was or not standby_said:
                        self.stdout.write("another scheduler holds the lock: standing by")
                        standby_said = True
                    self.stdout.flush()
                if leader:
                    for job in due(JOBS, next_at, now):
                        enqueue(job)
                time.sleep(tick)
        finally:
            lock.release()
