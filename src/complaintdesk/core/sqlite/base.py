"""SQLite with writers queued on an operating-system lock instead of SQLite's busy handler.

SQLite lets one writer in at a time. With ``transaction_mode: IMMEDIATE`` every transaction
asks for the write lock at ``BEGIN``; a writer that finds it taken is put to sleep by SQLite's
busy handler in growing steps (1, 2, 5, 10, … 100 ms) and retries. Under steady concurrent
intake most of a request's time is then spent asleep while the lock is free.

This backend takes an exclusive ``flock`` on ``<database>-writer.lock`` before ``BEGIN`` and
drops it after ``COMMIT`` or ``ROLLBACK``. Waiting writers (threads or processes: each
connection has its own open file) retry every 0.2–2 ms, so writes follow one another almost
back to back. SQLite's own locking is unchanged underneath (writes
outside a transaction, other programs), and the wait is bounded by the database ``timeout``.
Set ``ENGINE`` to ``complaintdesk.core.sqlite``; in-memory databases are left as they are.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_held = False

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
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        try:
            fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait_writer(timeout)
        self._writer_held = True

    def _wait_writer(self, timeout: float) -> None:
        """Retry in short steps (the lock is normally held for a few milliseconds); give up
        with SQLite's own error after ``timeout`` seconds."""
        assert self._writer_fd is not None
        started = time.monotonic()
        delay = 0.0002
        while True:
            time.sleep(delay)
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() - started > timeout:
                    raise OperationalError("database is locked") from None
                delay = min(delay * 1.5, 0.002)

    def _release_writer(self) -> None:
        if self._writer_held and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
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
