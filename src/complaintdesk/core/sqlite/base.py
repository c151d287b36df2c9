"""SQLite with writers queued on an operating-system lock instead of SQLite's busy handler.

SQLite lets one writer in at a time. With ``transaction_mode: IMMEDIATE`` every transaction
asks for the write lock at ``BEGIN``; a writer that finds it taken is put to sleep by SQLite's
busy handler in growing steps (1, 2, 5, 10, … 100 ms) and retries. Under steady concurrent
intake most of a request's time is then spent asleep while the lock is free.

This backend takes an exclusive ``flock`` on ``<database>-writer.lock`` before ``BEGIN`` and
drops it after ``COMMIT`` or ``ROLLBACK``. Threads of one process first queue on a
``threading.Lock`` per database (woken the moment it is released, without polling); the thread
at the head of its process's queue then takes the ``flock``, retrying every 0.1–0.5 ms while
another process holds it, so writes follow one another almost back to back. SQLite's own
locking is unchanged underneath (writes outside a transaction, other programs), and the wait
is bounded by the database ``timeout``.
Set ``ENGINE`` to ``complaintdesk.core.sqlite``; in-memory databases are left as they are.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# One in-process queue per database file: threads wait here, not in the polling loop.
_THREAD_QUEUES: dict[str, threading.Lock] = {}
_THREAD_QUEUES_LOCK = threading.Lock()


def _thread_queue(path: str) -> threading.Lock:
    with _THREAD_QUEUES_LOCK:
        return _THREAD_QUEUES.setdefault(path, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_held = False
        self._writer_queue: threading.Lock | None = None

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return f"{name}-writer.lock"

    def _acquire_writer(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_held:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            self._writer_queue = _thread_queue(os.path.realpath(path))
        assert self._writer_queue is not None
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        started = time.monotonic()
        if not self._writer_queue.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        try:
            fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                self._wait_writer(max(0.0, timeout - (time.monotonic() - started)))
            except BaseException:
                self._writer_queue.release()
                raise
        self._writer_held = True

    def _wait_writer(self, timeout: float) -> None:
        """Retry in short steps (the lock is normally held for a few milliseconds); give up
        with SQLite's own error after ``timeout`` seconds."""
        assert self._writer_fd is not None
        started = time.monotonic()
        delay = 0.0001
        while True:
            time.sleep(delay)
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() - started > timeout:
                    raise OperationalError("database is locked") from None
                delay = min(delay * 1.5, 0.0005)

    def _release_writer(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
            if self._writer_queue is not None:
                self._writer_queue.release()
        self._writer_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_writer()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
