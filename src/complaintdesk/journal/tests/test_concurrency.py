"""Appends from several connections at once, and verification while others write."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from complaintdesk.journal.models import ChainHead, JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.journal.services import journal_append

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, *args):
    errors: list[BaseException] = []

    def run() -> None:
        try:
            close_old_connections()
            target(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_two_first_appends_to_a_new_chain_queue_up():
    barrier = threading.Barrier(2)

    def append(label: str) -> None:
        barrier.wait(timeout=30)
        with transaction.atomic():
            journal_append(
                complaint_id=None,
                actor=None,
                action="config.changed",
                chain="sys:new",
                actor_label=label,
            )
            time.sleep(0.3)

    runs = [in_thread(append, name) for name in ("a", "b")]
    for thread, errors in runs:
        thread.join(timeout=60)
        assert errors == []
    assert list(
        JournalEntry.objects.filter(chain="sys:new").order_by("seq").values_list("seq", flat=True)
    ) == [1, 2]
    assert ChainHead.objects.get(chain="sys:new").seq == 2
    assert journal_verify()[0] == []


def test_verification_during_writes_sees_no_forgery():
    """Verification reads one snapshot: entries appended meanwhile neither look inserted (chain
    longer than the head read before) nor removed (head read after)."""
    with transaction.atomic():
        for n in range(600):
            journal_append(complaint_id=None, actor=None, action="seed", chain=f"sys:w{n % 50}")
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 3000:
            with transaction.atomic():
                journal_append(complaint_id=None, actor=None, action="tick", chain=f"sys:w{n % 50}")
            n += 1

    thread, errors = in_thread(write)
    try:
        results = [journal_verify()[0] for _ in range(5)]
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []
    assert all(problems == [] for problems in results)
    assert journal_verify()[0] == []
