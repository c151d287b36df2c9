"""The statutory minimum (Law 19/2023 Art. 57 and Art. 8) through complaints.services."""

from __future__ import annotations

import pytest

from complaintdesk.complaints.models import Complaint

from .helpers import act, at, clock, intake, journal_actions, names, next_due

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "display", "en"),
    [
        (
            at(2026, 2, 13, 10),
            "24:00 ngày 03/03/2026",
            "received Friday 13/02/2026; skipped 16–20/02 (Lunar New Year); working day 7 is Tuesday "
            "03/03/2026; due 24:00 on 03/03/2026",
        ),
        (
            at(2025, 4, 29, 15),
            "24:00 ngày 13/05/2025",
            "received Tuesday 29/04/2025; skipped 30/04 (Liberation Day/Reunification Day), 01–02/05 "
            "(International Labor Day); working day 7 is Tuesday 13/05/2025; due 24:00 on 13/05/2025",
        ),
        (
            at(2025, 8, 29, 9),
            "24:00 ngày 11/09/2025",
            "received Friday 29/08/2025; skipped 01–02/09 (National Day); working day 7 is Thursday "
            "11/09/2025; due 24:00 on 11/09/2025",
        ),
    ],
)
def test_negotiation_within_seven_working_days_of_receipt(org, received, display, en):
    complaint = intake(org.receiver, received=received, procedure="consumer-law")

    assert names(complaint) == ["negotiate"]
    shown = clock(complaint, "negotiate")
    assert (shown["state"], shown["due_display"]) == ("running", display)
    assert clock(complaint, "negotiate", "en")["explanation"] == en


def test_an_outbound_message_takes_up_the_negotiation(org):
    from complaintdesk.complaints.services import message_add

    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), procedure="consumer-law")
    message_add(
        complaint=complaint,
        actor=org.receiver,
        body="Chúng tôi đã nhận yêu cầu thương lượng.",
        direction="out",
        channel="email",
        now=at(2026, 2, 23, 9),
    )

    assert clock(complaint, "negotiate")["state"] == "met"
    assert next_due(complaint) is None


def test_vulnerable_consumers_come_first(org):
    complaint = intake(
        org.receiver,
        received=at(2026, 2, 13, 10),
        procedure="consumer-law",
        vulnerable=True,
        priority="low",
    )

    assert Complaint.objects.get(pk=complaint.pk).priority == "urgent"
    assert "procedure.priority" in journal_actions(complaint)


def test_other_procedures_leave_the_priority_alone(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), vulnerable=True, priority="low")

    assert Complaint.objects.get(pk=complaint.pk).priority == "low"


def test_reopening_restarts_the_statutory_clock(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), procedure="consumer-law")
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 23, 10))
    complaint = act(complaint, "confirm_satisfied", org.receiver, at(2026, 2, 23, 11))
    complaint = act(complaint, "reopen", org.receiver, at(2026, 2, 24, 9))

    shown = clock(complaint, "negotiate")
    assert (shown["run"], shown["state"], shown["due_display"]) == (
        2,
        "running",
        "24:00 ngày 05/03/2026",
    )
