"""clocks_plan_new + clocks_insert_new (a complaint's first clocks, computed in memory and inserted at once) gives
the same clocks as the general path: recomputing them from their rows changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.complaints.models import Complaint
from complaintdesk.journal.models import JournalEntry
from complaintdesk.procedures.tests.helpers import at, intake
from complaintdesk.sla.models import Clock
from complaintdesk.sla.services import clocks_recompute

pytestmark = pytest.mark.django_db

FIELDS = ("due_at", "warn_at", "escalate_at", "state", "explanation", "explanation_en")


@pytest.mark.parametrize(
    ("received", "now"),
    [
        (at(2026, 2, 13, 10), at(2026, 2, 13, 10, 5)),  # before Tết: days skipped
        (at(2026, 4, 29, 16), at(2026, 4, 29, 16, 1)),  # before 30/4 – 1/5
        (at(2026, 1, 5, 9), at(2026, 3, 2, 9)),  # a letter entered weeks late: breached at once
    ],
)
def test_new_clocks_equal_a_recomputation(org, received, now):
    complaint = intake(org.receiver, received=received, now=now)
    clocks = list(Clock.objects.filter(complaint=complaint).order_by("id"))
    assert clocks, "the procedure starts at least one clock on receipt"
    stored = {c.pk: tuple(getattr(c, f) for f in FIELDS) for c in clocks}

    changed = clocks_recompute(clocks=clocks, now=now)

    assert changed == []
    for clock in Clock.objects.filter(pk__in=stored):
        assert tuple(getattr(clock, f) for f in FIELDS) == stored[clock.pk]
    active = [c.due_at for c in clocks if c.due_at and c.state in ("running", "breached")]
    assert Complaint.objects.get(pk=complaint.pk).next_due_at == min(active)
    started = JournalEntry.objects.filter(complaint_id=complaint.pk, action="clock.started")
    assert sorted(e.target for e in started) == sorted(f"clock:{c.pk}" for c in clocks)
    breached = [c for c in clocks if c.state == "breached"]
    assert JournalEntry.objects.filter(
        complaint_id=complaint.pk, action="clock.breached"
    ).count() == len(breached)
    if now - received > timedelta(days=30):
        assert breached, "a complaint entered weeks after receipt starts overdue"
