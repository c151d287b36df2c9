"""core.sqlite: writers queue on a file lock before BEGIN IMMEDIATE and release it at the end."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction

from complaintdesk.complaints.models import CodeCounter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend only"),
]


def lock_path() -> str:
    return f"{connection.settings_dict['NAME']}-writer.lock"


def test_a_transaction_holds_the_writer_lock_until_commit_or_rollback():
    assert connection.settings_dict["ENGINE"] == "complaintdesk.core.sqlite"
    with transaction.atomic():
        CodeCounter.objects.create(year=1901, last=1)
        assert connection._writer_held  # type: ignore[attr-defined]
        probe = os.open(lock_path(), os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # another writer would have to wait
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(probe)
    assert not connection._writer_held  # type: ignore[attr-defined]
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        CodeCounter.objects.create(year=1902, last=1)
        1 / 0  # noqa: B018
    assert not connection._writer_held  # type: ignore[attr-defined]
    assert set(CodeCounter.objects.values_list("year", flat=True)) >= {1901}
    assert not CodeCounter.objects.filter(year=1902).exists()


def test_a_writer_waits_for_the_lock_and_then_goes_through():
    CodeCounter.objects.create(year=1903, last=0)
    holder = os.open(lock_path(), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another process in the middle of a write
    finished: list[float] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                CodeCounter.objects.filter(year=1903).update(last=1)
            finished.append(time.monotonic())
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    released = time.monotonic()
    assert not finished  # still queued behind the lock
    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)
    thread.join(10)
    assert finished and finished[0] - released < 0.2  # went through promptly after release
    assert CodeCounter.objects.get(year=1903).last == 1


def test_many_threads_write_without_database_is_locked_errors():
    CodeCounter.objects.create(year=1904, last=0)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with transaction.atomic():
                    CodeCounter.objects.filter(year=1904).update(
                        last=CodeCounter.objects.get(year=1904).last + 1
                    )
        except DatabaseError as exc:  # pragma: no cover - the failure this test looks for
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert CodeCounter.objects.get(year=1904).last == 150  # read-modify-write never interleaved


def test_a_thread_queued_behind_another_thread_gives_up_after_the_timeout(monkeypatch):
    """Threads of one process queue on an in-process lock (no polling); the wait is bounded by
    the database timeout like SQLite's own, and the queue is free again afterwards."""
    CodeCounter.objects.create(year=1905, last=0)
    inside, leave = threading.Event(), threading.Event()
    outcome: list[object] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                CodeCounter.objects.filter(year=1905).update(last=1)
                inside.set()
                leave.wait(10)
        finally:
            connections.close_all()

    def waiter() -> None:
        connection.settings_dict.setdefault("OPTIONS", {})
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
        try:
            with transaction.atomic():
                CodeCounter.objects.filter(year=1905).update(last=2)
            outcome.append("wrote")
        except DatabaseError as exc:
            outcome.append(str(exc))
        finally:
            connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    assert inside.wait(10)
    began = time.monotonic()
    second = threading.Thread(target=waiter)
    second.start()
    second.join(10)
    waited = time.monotonic() - began
    leave.set()
    first.join(10)
    assert outcome == ["database is locked"]
    assert 0.25 < waited < 3
    with transaction.atomic():  # both queues are free again
        CodeCounter.objects.filter(year=1905).update(last=3)
    assert CodeCounter.objects.get(year=1905).last == 3
