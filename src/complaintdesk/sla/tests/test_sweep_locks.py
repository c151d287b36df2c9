"""The deadline sweep's locking (``sla.jobs``, "Locks and deadlocks"): marks are fenced on what
was read; on PostgreSQL complaints someone holds are passed over, two sweeps split the work, and
a transaction holding a chain head without the complaint (the outbox worker) cannot deadlock it.
Real threads with their own connections."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction

from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.tests.factories import complaint_at, give_emails
from complaintdesk.sla import jobs
from complaintdesk.sla.jobs import mark_breached, select_due, sweep_deadlines
from complaintdesk.sla.models import Clock, ClockState

DUE = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # acknowledge clock of complaint_at(): 3 w.d.
AFTER = DUE + timedelta(minutes=1)


def _pg_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises writers)")


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread with its own connection; the list gets ('ok'|'error', value)."""
    out: list[Any] = []

    def run() -> None:
        try:
            close_old_connections()
            out.append(("ok", call()))
        except Exception as exc:
            out.append(("error", exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _waiting_for_a_lock(timeout: float = 10) -> bool:
    """True once another backend of this database waits for a lock."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _breached_entries(clock: Clock) -> int:
    return JournalEntry.objects.filter(action="clock.breached", target=f"clock:{clock.pk}").count()


@pytest.mark.django_db
def test_a_clock_changed_after_it_was_read_is_not_marked(org):
    changed_complaint, kept_complaint = complaint_at(org.receiver), complaint_at(org.receiver)
    with transaction.atomic():
        rows = select_due("breached", AFTER, 10)
        assert {d.complaint_id for d in rows} == {changed_complaint.pk, kept_complaint.pk}
        # Someone else moves the due instant (a pause, a recomputation) before the marks.
        changed = Clock.objects.get(complaint=changed_complaint)
        Clock.objects.filter(pk=changed.pk).update(
            due_at=DUE + timedelta(minutes=30), escalate_at=DUE + timedelta(minutes=30)
        )
        marks = mark_breached(rows, AFTER)
    kept = Clock.objects.get(complaint=kept_complaint)
    assert [(m.clock_id, m.breached, m.level) for m in marks] == [(kept.pk, True, 1)]
    changed.refresh_from_db()
    kept.refresh_from_db()
    assert (changed.state, changed.escalated_level) == (ClockState.RUNNING, 0)
    assert (kept.state, kept.escalated_level) == (ClockState.BREACHED, 1)
    # The sweep proper leaves it for its next run, which marks it once it is due.
    assert sweep_deadlines(now=AFTER).breached == 0
    assert sweep_deadlines(now=DUE + timedelta(minutes=31)).breached == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_passes_over_a_busy_complaint_and_fills_up_with_others(org):
    _pg_only()
    from complaintdesk.complaints.models import Complaint

    busy, free = complaint_at(org.receiver), complaint_at(org.receiver)
    # The busy complaint's clock is the earliest due: a batch of one would pick it first.
    Clock.objects.filter(complaint=busy).update(due_at=DUE - timedelta(hours=1))
    locked, release = threading.Event(), threading.Event()

    def agent() -> None:
        with transaction.atomic():
            Complaint.objects.select_for_update().get(pk=busy.pk)
            locked.set()
            release.wait(30)

    thread, out = _in_thread(agent)
    try:
        assert locked.wait(10)
        with transaction.atomic():
            rows = select_due("breached", AFTER, 1)
        assert [d.complaint_id for d in rows] == [free.pk]
        result = sweep_deadlines(now=AFTER, batch_size=1)
    finally:
        release.set()
        thread.join(30)
    assert out == [("ok", None)]
    assert (result.breached, result.escalated) == (1, 1)
    assert Clock.objects.get(complaint=busy).state == ClockState.RUNNING
    assert sweep_deadlines(now=AFTER).breached == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_split_the_clocks_and_do_each_once(org, monkeypatch):
    _pg_only()
    give_emails(org)
    complaints = [complaint_at(org.receiver) for _ in range(6)]
    real = list(jobs._HANDLERS)

    def slow(events: Any, now: datetime) -> None:
        time.sleep(0.2)  # hold each batch open so that the two sweeps overlap
        for handler in real:
            handler(events, now)

    monkeypatch.setattr(jobs, "_HANDLERS", [slow])
    start = threading.Barrier(2)

    def sweep() -> jobs.SweepResult:
        start.wait(10)
        return sweep_deadlines(now=AFTER, batch_size=1)

    runs = [_in_thread(sweep) for _ in range(2)]
    for thread, _ in runs:
        thread.join(60)
    results = [out[0] for _, out in runs]
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sum(r.breached for _, r in results) == 6
    assert sum(r.escalated for _, r in results) == 6
    assert all(r.breached for _, r in results), "both sweeps took part"
    for complaint in complaints:
        clock = Clock.objects.get(complaint=complaint)
        assert (clock.state, clock.escalated_level) == (ClockState.BREACHED, 1)
        assert _breached_entries(clock) == 1
        assert Outbox.objects.filter(dedupe_key__startswith=f"clock:{clock.pk}:").count() == 1
    assert journal_verify()[0] == []


@pytest.mark.django_db(transaction=True)
def test_a_chain_head_held_without_the_complaint_does_not_deadlock_the_sweep(org, caplog):
    """A writer that journals on the complaint's chain and queues a notice for it without
    locking the complaint (as the outbox worker journals a delivery) holds the chain head, and
    the outbox row's foreign key locks the complaint FOR KEY SHARE at its commit. The sweep
    holds the complaint and waits for the head: had it locked the complaint FOR UPDATE, the
    writer's commit would wait for the sweep — a deadlock; FOR NO KEY UPDATE lets it commit."""
    _pg_only()
    give_emails(org)
    complaint = complaint_at(org.receiver)
    held, go = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():
            journal_append(complaint_id=complaint.pk, actor=None, action="notice.sent", at=AFTER)
            Outbox.objects.create(
                channel="email",
                recipient="khach@example.vn",
                notice="test",
                subject="s",
                body="b",
                complaint=complaint,
                dedupe_key=f"test:{complaint.pk}",
                next_attempt_at=AFTER,
                created_at=AFTER,
            )
            held.set()
            go.wait(30)

    writer_thread, writer_out = _in_thread(writer)
    assert held.wait(10)
    sweep_thread, sweep_out = _in_thread(lambda: sweep_deadlines(now=AFTER))
    try:
        assert _waiting_for_a_lock(), "the sweep should wait for the chain head"
    finally:
        go.set()
        writer_thread.join(30)
        sweep_thread.join(30)
    assert writer_out == [("ok", None)]
    [(kind, result)] = sweep_out
    assert kind == "ok", result
    assert (result.breached, result.escalated, result.failed) == (1, 1, 0)
    # Not even a batch aborted by PostgreSQL's deadlock detector and redone clock by clock.
    assert not [r for r in caplog.records if r.name == jobs.__name__], caplog.text
    actions = list(
        JournalEntry.objects.filter(complaint=complaint)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    order = [actions.index(a) for a in ("notice.sent", "clock.breached", "clock.escalated")]
    assert order == sorted(order), actions
    assert journal_verify()[0] == []
