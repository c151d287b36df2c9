"""The clock services other apps build on: pauses, the sweep's marks, recomputation, journal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from complaintdesk.journal.models import JournalEntry
from complaintdesk.procedures.tests.helpers import act, at, clock, intake, next_due, row
from complaintdesk.sla import services
from complaintdesk.sla.models import ClockPause
from complaintdesk.sla.selectors import clocks_due_for_warning
from complaintdesk.sla.services import (
    clock_mark_breached,
    clock_mark_escalated,
    clock_mark_warned,
    clock_pause,
    clock_pause_cancel,
    clock_resume,
    clock_start,
)

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_journal_records_each_change_with_its_explanation(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))

    entry = JournalEntry.objects.filter(complaint_id=complaint.pk, action="clock.started").get()
    assert entry.after["clock"] == "acknowledge"
    assert entry.after["state"] == "running"
    assert entry.after["explanation"].startswith("nhận thứ Sáu 13/02/2026; bỏ qua 16–20/02")
    assert entry.after["event"] == "received"
    assert entry.target == f"clock:{row(complaint, 'acknowledge').pk}"


def test_starting_an_active_clock_again_returns_it(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    first = row(complaint, "acknowledge")

    again = clock_start(
        complaint=complaint,
        spec=first.spec,
        event="received",
        start=at(2026, 2, 20),
        now=at(2026, 2, 20),
    )
    assert again.pk == first.pk and again.started_at == first.started_at


def test_pauses_only_touch_clocks_that_list_the_reason(org):
    complaint = intake(
        org.receiver, received=at(2026, 2, 13, 10), channel="letter", procedure="qcatv"
    )

    paused = clock_pause(
        complaint=complaint,
        reason="force_majeure",
        start=at(2026, 2, 13, 12),
        now=at(2026, 2, 13, 12),
        source="force_majeure:3",
    )
    assert paused == []
    assert ClockPause.objects.count() == 0


def test_a_pause_already_in_force_applies_to_a_clock_starting_now(org, monkeypatch):
    def storm(complaint, spec, start, now):
        return [("force_majeure", at(2026, 2, 12, 0), None, "force_majeure:9")]

    monkeypatch.setattr(services, "_PAUSE_PROVIDERS", [])
    services.register_pause_provider(storm)
    services.register_pause_provider(storm)
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))

    assert clock(complaint, "acknowledge")["state"] == "paused"
    assert next_due(complaint) is None
    assert ClockPause.objects.get().source == "force_majeure:9"

    clock_resume(source="force_majeure:9", end=at(2026, 2, 23, 0), now=at(2026, 2, 23, 0))
    assert clock(complaint, "acknowledge")["due_display"] == "24:00 ngày 25/02/2026"


def test_a_pause_declared_by_mistake_can_be_cancelled(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    clock_pause(
        complaint=complaint,
        reason="force_majeure",
        start=at(2026, 2, 23, 8),
        now=at(2026, 2, 23, 8),
        source="force_majeure:4",
    )
    assert clock(complaint, "acknowledge")["state"] == "paused"

    changed = clock_pause_cancel(source="force_majeure:4", now=at(2026, 2, 23, 9))

    assert [c.name for c in changed] == ["acknowledge"]
    assert clock(complaint, "acknowledge")["due_display"] == "24:00 ngày 25/02/2026"
    assert next_due(complaint) == at(2026, 2, 26, 0)


def test_a_force_majeure_declared_after_the_fact_lifts_a_breach(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), now=at(2026, 2, 26, 9))
    assert clock(complaint, "acknowledge")["state"] == "breached"

    clock_pause(
        complaint=complaint,
        reason="force_majeure",
        start=at(2026, 2, 24, 0),
        end=at(2026, 2, 26, 0),
        now=at(2026, 2, 26, 9),
        source="force_majeure:5",
    )

    shown = clock(complaint, "acknowledge")
    assert (shown["state"], shown["due_display"]) == ("running", "24:00 ngày 27/02/2026")
    assert row(complaint, "acknowledge").breached_at is None


def test_the_sweep_marks_are_idempotent(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    ack = row(complaint, "acknowledge")

    assert not clock_mark_warned(clock=ack, now=at(2026, 2, 24, 23))  # not yet
    assert [c.pk for c in clocks_due_for_warning(at(2026, 2, 25, 0))] == [ack.pk]
    assert clock_mark_warned(clock=ack, now=at(2026, 2, 25, 0))
    assert not clock_mark_warned(clock=ack, now=at(2026, 2, 25, 1))

    assert not clock_mark_breached(clock=ack, now=at(2026, 2, 25, 23))  # not yet due
    assert clock_mark_breached(clock=ack, now=at(2026, 2, 26, 0, 5))
    assert row(complaint, "acknowledge").escalate_at == at(2026, 2, 26, 0)

    assert clock_mark_escalated(clock=ack, level=1, now=at(2026, 2, 26, 0, 5))
    assert not clock_mark_escalated(clock=ack, level=1, now=at(2026, 2, 26, 0, 6))
    # vieon: level 2 (department head) one working day after the due instant.
    assert row(complaint, "acknowledge").escalate_at == at(2026, 2, 27, 0)
    escalated = JournalEntry.objects.filter(
        complaint_id=complaint.pk, action="clock.escalated"
    ).get()
    assert (escalated.after["level"], escalated.after["to"]) == (1, ["assignee"])


def test_stopping_a_breached_clock_keeps_it_breached_and_clears_the_deadline(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    clock_mark_breached(clock=row(complaint, "acknowledge"), now=at(2026, 2, 26, 1))
    assert next_due(complaint) == at(2026, 2, 26, 0)

    complaint = act(complaint, "acknowledge", org.receiver, at(2026, 2, 26, 9))

    stopped = row(complaint, "acknowledge")
    assert (stopped.state, stopped.stop_event, stopped.escalate_at) == (
        "breached",
        "acknowledge",
        None,
    )
    assert next_due(complaint) is None
