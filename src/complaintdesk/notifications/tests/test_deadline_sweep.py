"""The deadline sweep acting on time: warnings, breaches, escalation along the chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.tests.factories import complaint_at, give_emails
from complaintdesk.procedures.presets import preset_source
from complaintdesk.procedures.services import procedure_publish
from complaintdesk.sla import jobs
from complaintdesk.sla.jobs import sweep_deadlines
from complaintdesk.sla.models import Clock, ClockState

WARN = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)  # 24:00 Wed 04/03 local: 2 working days
DUE = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 24:00 Thu 05/03 local: 3 working days
LEVEL2 = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # + 1 working day → department head
LEVEL3 = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)  # + 3 working days → leadership
MINUTE = timedelta(minutes=1)


@pytest.fixture
def staffed(org):
    give_emails(org)
    # The procedure tells the customer when a deadline escalates the complaint.
    source = preset_source("vieon").replace(
        "  escalation: [escalate]", "  escalation: [escalate, clock.escalated]"
    )
    procedure_publish(slug="vieon", source=source, actor=org.admin)
    return org


def _actions(complaint, prefix):
    return list(
        JournalEntry.objects.filter(complaint_id=complaint.pk, action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _outbox(complaint):
    return sorted(Outbox.objects.filter(complaint=complaint).values_list("notice", "recipient"))


def test_warning_goes_to_the_assignee_once(staffed):
    complaint = complaint_at(staffed.receiver)
    assert sweep_deadlines(now=WARN - MINUTE).warned == 0
    assert sweep_deadlines(now=WARN + MINUTE).warned == 1
    assert sweep_deadlines(now=WARN + 2 * MINUTE).warned == 0
    [row] = Outbox.objects.filter(complaint=complaint)
    assert (row.notice, row.recipient) == ("deadline_warning", "receiver@complaintdesk.vn")
    assert row.subject == f"[{complaint.code}] Sắp đến hạn: Báo đã tiếp nhận (03 ngày làm việc)"
    assert 'sắp đến hạn "Báo đã tiếp nhận (03 ngày làm việc)" lúc 24:00 ngày 05/03/2026' in row.body
    assert _actions(complaint, "clock.") == ["clock.started", "clock.warned"]


def test_sweep_twice_gives_one_notice_and_one_escalation(
    staffed, django_capture_on_commit_callbacks
):
    complaint = complaint_at(staffed.receiver)
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_deadlines(now=DUE + MINUTE)
    second = sweep_deadlines(now=DUE + 2 * MINUTE)
    assert (first.breached, first.escalated) == (1, 1)
    assert (second.breached, second.escalated, second.warned) == (0, 0, 0)
    clock = Clock.objects.get(complaint=complaint)
    assert (clock.state, clock.escalated_level, clock.escalate_at) == (
        ClockState.BREACHED,
        1,
        LEVEL2,
    )
    assert clock.explanation.endswith("hạn 24:00 ngày 05/03/2026; đã quá hạn")
    assert _actions(complaint, "clock.") == ["clock.started", "clock.breached", "clock.escalated"]
    # Level 1 reminds the assignee; the customer is not told yet.
    assert _outbox(complaint) == [("deadline_breach", "receiver@complaintdesk.vn")]
    [email] = mail.outbox
    assert email.to == ["receiver@complaintdesk.vn"]
    assert email.subject == (
        f"[{complaint.code}] Quá hạn: Báo đã tiếp nhận (03 ngày làm việc) — chuyển người phụ trách"
    )


def test_escalation_climbs_the_chain_once_per_level(staffed):
    complaint = complaint_at(staffed.receiver)
    sweep_deadlines(now=DUE + MINUTE)
    assert sweep_deadlines(now=LEVEL2 - MINUTE).escalated == 0
    assert sweep_deadlines(now=LEVEL2 + MINUTE).escalated == 1
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1  # department heads can now see it
    assert sweep_deadlines(now=LEVEL3 + MINUTE).escalated == 1
    assert sweep_deadlines(now=LEVEL3 + 2 * MINUTE).escalated == 0
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    customer = complaint.customer.identities.get(kind="email").value
    assert _outbox(complaint) == sorted(
        [
            ("deadline_breach", "receiver@complaintdesk.vn"),
            ("deadline_breach", "head@complaintdesk.vn"),
            ("deadline_breach", "leadership@complaintdesk.vn"),
            ("escalation", customer),
            ("escalation", customer),
        ]
    )
    head_mail = Outbox.objects.get(complaint=complaint, recipient="head@complaintdesk.vn")
    assert head_mail.subject.endswith("— chuyển lãnh đạo phòng ban")
    assert Clock.objects.get(complaint=complaint).escalate_at is None  # chain exhausted
    assert journal_verify()[0] == []


def test_a_late_sweep_catches_up_every_level_once(staffed):
    complaint = complaint_at(staffed.receiver)
    result = sweep_deadlines(now=LEVEL3 + timedelta(days=1))
    assert (result.breached, result.escalated) == (1, 3)
    assert sweep_deadlines(now=LEVEL3 + timedelta(days=2)).escalated == 0
    assert Outbox.objects.filter(complaint=complaint, notice="deadline_breach").count() == 3


class WorkerKilled(BaseException):
    """Stands for the process dying: not an error the sweep could catch and work around."""


def test_crash_half_way_then_rerun_finishes_without_duplicates(staffed, monkeypatch):
    complaints = [complaint_at(staffed.receiver) for _ in range(5)]
    seen: set[int] = set()
    real = list(jobs._HANDLERS)

    def crashing(events, now):
        for event in events:
            if event.clock.pk not in seen and len(seen) == 2:
                raise WorkerKilled  # the process dies while handling the third clock
            seen.add(event.clock.pk)
            for handler in real:
                handler([event], now)

    monkeypatch.setattr(jobs, "_HANDLERS", [crashing])
    with pytest.raises(WorkerKilled):
        sweep_deadlines(now=DUE + MINUTE, batch_size=2)
    # The first batch (2 clocks: breached and escalated) committed; the second rolled back.
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == 2
    assert JournalEntry.objects.filter(action="clock.breached").count() == 2
    assert Outbox.objects.count() == 2

    monkeypatch.setattr(jobs, "_HANDLERS", real)
    result = sweep_deadlines(now=DUE + MINUTE, batch_size=2)
    assert (result.breached, result.escalated) == (3, 3)
    assert sweep_deadlines(now=DUE + 2 * MINUTE).escalated == 0
    for complaint in complaints:
        assert _actions(complaint, "clock.") == [
            "clock.started",
            "clock.breached",
            "clock.escalated",
        ]
        assert _outbox(complaint) == [("deadline_breach", "receiver@complaintdesk.vn")]


def test_failure_while_queueing_notices_rolls_the_marks_back(staffed, monkeypatch):
    complaint = complaint_at(staffed.receiver)
    sweep_deadlines(now=DUE + MINUTE)
    from complaintdesk.notifications import deadlines

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(deadlines, "_tell_colleagues", broken)
    assert sweep_deadlines(now=LEVEL2 + MINUTE).failed == 1
    clock = Clock.objects.get(complaint=complaint)
    assert clock.escalated_level == 1  # the level-2 mark rolled back with its notices
    monkeypatch.undo()
    assert sweep_deadlines(now=LEVEL2 + MINUTE).escalated == 1
    assert (
        Outbox.objects.filter(complaint=complaint, recipient="head@complaintdesk.vn").count() == 1
    )


def test_nobody_to_tell_falls_back_to_leadership(staffed):
    # No assignee (an admin recorded it) and the billing department has no head.
    complaint = complaint_at(staffed.admin, department="ke-toan")
    sweep_deadlines(now=DUE + MINUTE)
    assert _outbox(complaint) == [("deadline_breach", "leadership@complaintdesk.vn")]


def test_stopped_clock_is_left_alone(staffed):
    from complaintdesk.complaints.services import complaint_transition

    complaint = complaint_at(staffed.receiver)
    complaint_transition(
        complaint=complaint,
        action="acknowledge",
        actor=staffed.receiver,
        now=DUE - timedelta(hours=1),
    )
    result = sweep_deadlines(now=LEVEL3 + MINUTE)
    assert (result.breached, result.escalated, result.warned) == (0, 0, 0)
    assert Clock.objects.get(complaint=complaint).state == ClockState.MET
    # Only the acknowledgement the action itself queued: nothing from the sweep.
    rows = Outbox.objects.filter(complaint=complaint)
    assert [(r.notice, r.dedupe_key) for r in rows] == [
        ("acknowledgement", f"procedure:{complaint.pk}:acknowledge:acknowledgement:v2")
    ]


def test_one_bad_clock_does_not_hold_up_the_others(staffed, monkeypatch):
    complaints = [complaint_at(staffed.receiver) for _ in range(4)]
    bad = Clock.objects.get(complaint=complaints[1]).pk
    real = list(jobs._HANDLERS)

    def picky(events, now):
        if any(e.clock.pk == bad for e in events):
            raise ValueError("template error for this one clock")
        for handler in real:
            handler(events, now)

    monkeypatch.setattr(jobs, "_HANDLERS", [picky])
    result = sweep_deadlines(now=DUE + MINUTE)
    assert result.failed == 1
    states = {c.pk: Clock.objects.get(complaint=c).state for c in complaints}
    assert states[complaints[1].pk] == ClockState.RUNNING  # still due: tried again next run
    assert sum(state == ClockState.BREACHED for state in states.values()) == 3
    monkeypatch.setattr(jobs, "_HANDLERS", real)
    again = sweep_deadlines(now=DUE + 2 * MINUTE)
    assert (again.breached, again.escalated, again.failed) == (1, 1, 0)
    assert Outbox.objects.filter(notice="deadline_breach").count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_complaint_being_worked_on_is_left_to_the_next_sweep(staffed):
    """PostgreSQL: the sweep locks complaints before clocks and skips one an agent holds, so it
    neither waits for the agent nor deadlocks with them (SQLite serialises writers instead)."""
    import threading
    import time

    from django.db import connection, transaction

    from complaintdesk.complaints.models import Complaint

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises writers)")
    busy, free = complaint_at(staffed.receiver), complaint_at(staffed.receiver)
    locked, release = threading.Event(), threading.Event()

    def agent() -> None:
        from django.db import connection as own

        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(30)
        finally:
            own.close()

    thread = threading.Thread(target=agent)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        result = sweep_deadlines(now=DUE + MINUTE)
        assert time.monotonic() - started < 10  # did not wait for the agent
    finally:
        release.set()
        thread.join(30)
    assert (result.breached, result.escalated) == (1, 1)
    assert Clock.objects.get(complaint=busy).state == ClockState.RUNNING
    assert Clock.objects.get(complaint=free).state == ClockState.BREACHED
    assert sweep_deadlines(now=DUE + 2 * MINUTE).breached == 1
    assert Clock.objects.get(complaint=busy).state == ClockState.BREACHED
