"""The cable operator's clocks (document 85A/TNKN-THC) through complaints.services."""

from __future__ import annotations

import pytest

from complaintdesk.sla.selectors import (
    clock_next_escalation,
    clocks_due_for_breach,
    clocks_due_for_escalation,
    clocks_due_for_warning,
)
from complaintdesk.sla.services import clock_mark_breached, clock_mark_escalated, clock_mark_warned

from .helpers import act, at, clock, intake, journal_actions, names, next_due, row

pytestmark = pytest.mark.django_db


def letter(org, received, now=None):
    return intake(org.receiver, received=received, now=now, channel="letter", procedure="qcatv")


@pytest.mark.parametrize(
    ("received", "display", "skipped"),
    [
        (at(2026, 2, 13, 10), "24:00 ngày 24/02/2026", "bỏ qua 16–20/02 (Tết Nguyên Đán)"),
        (
            at(2025, 4, 29, 15),
            "24:00 ngày 06/05/2025",
            "bỏ qua 30/04 (Ngày Chiến thắng), 01–02/05 (Ngày Quốc tế Lao động)",
        ),
        (at(2025, 8, 29, 9), "24:00 ngày 04/09/2025", "bỏ qua 01–02/09 (Quốc khánh)"),
        (at(2026, 8, 28, 9), "24:00 ngày 04/09/2026", "bỏ qua 31/08–02/09 (Quốc khánh)"),
    ],
)
def test_written_complaints_get_a_written_reply_within_two_working_days(
    org, received, display, skipped
):
    complaint = letter(org, received)

    assert names(complaint) == ["written_reply", "first_response"]
    shown = clock(complaint, "written_reply")
    assert (shown["state"], shown["due_display"]) == ("running", display)
    assert skipped in shown["explanation"]


def test_first_response_within_24_hours_counts_every_hour(org):
    complaint = letter(org, at(2026, 2, 13, 10))

    shown = clock(complaint, "first_response")
    assert shown["due_at"] == at(2026, 2, 14, 10)
    assert shown["due_display"] == "10:00 ngày 14/02/2026"
    assert shown["explanation"] == "nhận 10:00 13/02/2026; 24 giờ; hạn 10:00 14/02/2026"
    assert clock(complaint, "first_response", "en")["explanation"] == (
        "received 10:00 13/02/2026; 24 hours; due 10:00 14/02/2026"
    )
    assert row(complaint, "first_response").warn_at == at(2026, 2, 14, 6)
    assert next_due(complaint) == at(2026, 2, 14, 10)


def test_other_channels_have_no_written_reply_clock(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), procedure="qcatv")

    assert names(complaint) == ["first_response"]


def test_solved_at_receipt_meets_both_clocks(org):
    complaint = letter(org, at(2026, 2, 13, 10))
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 13, 10, 20))

    assert [clock(complaint, n)["state"] for n in ("written_reply", "first_response")] == [
        "met",
        "met",
    ]
    assert next_due(complaint) is None


def test_answer_later_is_the_first_response_but_not_the_written_reply(org):
    complaint = letter(org, at(2026, 2, 13, 10))
    complaint = act(complaint, "start_verification", org.receiver, at(2026, 2, 13, 11))
    complaint = act(complaint, "answer_later", org.receiver, at(2026, 2, 14, 9))

    assert clock(complaint, "first_response")["state"] == "met"
    assert clock(complaint, "written_reply")["state"] == "running"
    assert next_due(complaint) == at(2026, 2, 25, 0)


def test_a_backfilled_letter_is_breached_at_intake(org):
    complaint = letter(org, at(2026, 2, 13, 10), now=at(2026, 2, 25, 8))

    assert [clock(complaint, n)["state"] for n in ("written_reply", "first_response")] == [
        "breached",
        "breached",
    ]
    assert journal_actions(complaint).count("clock.breached") == 2


def test_unsatisfied_customer_gets_support_within_48_hours_aiming_at_24(org):
    complaint = letter(org, at(2026, 2, 13, 10))
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 13, 11))
    complaint = act(complaint, "mark_unsatisfied", org.receiver, at(2026, 2, 15, 9))

    handling = row(complaint, "handling")
    assert (handling.state, handling.due_at, handling.warn_at) == (
        "running",
        at(2026, 2, 17, 9),
        at(2026, 2, 16, 9),
    )
    assert clock(complaint, "escalation")["due_at"] == at(2026, 2, 17, 9)

    complaint = act(complaint, "resolve", org.receiver, at(2026, 2, 16, 15))
    assert clock(complaint, "handling")["state"] == "met"
    assert clock(complaint, "escalation")["state"] == "running"  # still not satisfied

    complaint = act(complaint, "notify_result", org.receiver, at(2026, 2, 16, 16))
    complaint = act(complaint, "confirm_satisfied", org.receiver, at(2026, 2, 16, 17))
    assert clock(complaint, "escalation")["state"] == "met"
    assert next_due(complaint) is None


def test_still_unsatisfied_after_48_hours_goes_to_leadership(org):
    complaint = letter(org, at(2026, 2, 13, 10))
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 13, 11))
    complaint = act(complaint, "mark_unsatisfied", org.receiver, at(2026, 2, 15, 9))

    assert [c.name for c in clocks_due_for_warning(at(2026, 2, 16, 9, 1))] == ["handling"]
    assert clock_mark_warned(clock=row(complaint, "handling"), now=at(2026, 2, 16, 9, 1))
    assert list(clocks_due_for_warning(at(2026, 2, 16, 9, 2))) == []

    sweep = at(2026, 2, 17, 9, 5)
    due = list(clocks_due_for_breach(sweep))
    assert [c.name for c in due] == ["handling", "escalation"]
    for c in due:
        assert clock_mark_breached(clock=c, now=sweep)
        assert not clock_mark_breached(clock=c, now=sweep)  # the second sweep does nothing
    assert clock(complaint, "escalation")["state"] == "breached"

    escalation = next(c for c in clocks_due_for_escalation(sweep) if c.name == "escalation")
    level = clock_next_escalation(escalation)
    assert level is not None and level.to == ("department_heads", "leadership")
    assert clock_mark_escalated(clock=escalation, level=1, now=sweep)
    assert row(complaint, "escalation").escalate_at is None  # the chain has one level
    assert "clock.escalated" in journal_actions(complaint)

    complaint = act(complaint, "escalate", org.head, at(2026, 2, 17, 10))
    shown = clock(complaint, "escalation")
    assert shown["state"] == "breached"
    assert shown["explanation"].endswith("(quá hạn)")
