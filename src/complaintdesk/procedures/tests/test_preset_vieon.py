"""The streaming procedure's clocks, driven through complaints.services around the holidays."""

from __future__ import annotations

import pytest

from complaintdesk.sla.services import clock_pause, clock_resume

from .helpers import act, at, clock, intake, journal_actions, names, next_due, row

pytestmark = pytest.mark.django_db

# received (local), n working days → (due display, what the explanation must say)
ACKNOWLEDGE_TABLE = [
    pytest.param(
        at(2026, 2, 13, 10),
        "24:00 ngày 25/02/2026",
        at(2026, 2, 26, 0),
        "nhận thứ Sáu 13/02/2026; bỏ qua 16–20/02 (Tết Nguyên Đán); ngày làm việc thứ 3 là thứ Tư "
        "25/02/2026; hạn 24:00 ngày 25/02/2026",
        "received Friday 13/02/2026; skipped 16–20/02 (Lunar New Year); working day 3 is Wednesday "
        "25/02/2026; due 24:00 on 25/02/2026",
        id="tet-2026",
    ),
    pytest.param(
        at(2025, 4, 29, 15),
        "24:00 ngày 07/05/2025",
        at(2025, 5, 8, 0),
        "nhận thứ Ba 29/04/2025; bỏ qua 30/04 (Ngày Chiến thắng), 01–02/05 (Ngày Quốc tế Lao động); "
        "ngày làm việc thứ 3 là thứ Tư 07/05/2025; hạn 24:00 ngày 07/05/2025",
        "received Tuesday 29/04/2025; skipped 30/04 (Liberation Day/Reunification Day), 01–02/05 "
        "(International Labor Day); working day 3 is Wednesday 07/05/2025; due 24:00 on 07/05/2025",
        id="30-4-2025",
    ),
    pytest.param(
        at(2025, 8, 29, 9),
        "24:00 ngày 05/09/2025",
        at(2025, 9, 6, 0),
        "nhận thứ Sáu 29/08/2025; bỏ qua 01–02/09 (Quốc khánh); ngày làm việc thứ 3 là thứ Sáu "
        "05/09/2025; hạn 24:00 ngày 05/09/2025",
        "received Friday 29/08/2025; skipped 01–02/09 (National Day); working day 3 is Friday "
        "05/09/2025; due 24:00 on 05/09/2025",
        id="2-9-2025",
    ),
    pytest.param(
        at(2026, 8, 28, 9),
        "24:00 ngày 07/09/2026",
        at(2026, 9, 8, 0),
        "nhận thứ Sáu 28/08/2026; bỏ qua 31/08–02/09 (Quốc khánh); ngày làm việc thứ 3 là thứ Hai "
        "07/09/2026; hạn 24:00 ngày 07/09/2026",
        "received Friday 28/08/2026; skipped 31/08–02/09 (National Day); working day 3 is Monday "
        "07/09/2026; due 24:00 on 07/09/2026",
        id="2-9-2026",
    ),
]


@pytest.mark.parametrize(("received", "display", "due", "vi", "en"), ACKNOWLEDGE_TABLE)
def test_acknowledge_clock_counts_three_working_days(org, received, display, due, vi, en):
    complaint = intake(org.receiver, received=received)

    assert complaint.procedure == "vieon"
    assert names(complaint) == ["acknowledge"]
    shown = clock(complaint, "acknowledge")
    assert (shown["state"], shown["due_at"], shown["due_display"]) == ("running", due, display)
    assert shown["explanation"] == vi
    assert clock(complaint, "acknowledge", "en")["explanation"] == en
    assert next_due(complaint) == due


def test_acknowledging_in_time_meets_the_clock(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "acknowledge", org.receiver, at(2026, 2, 24, 9, 30))

    shown = clock(complaint, "acknowledge")
    assert shown["state"] == "met"
    assert shown["explanation"].endswith("; hoàn thành lúc 09:30 24/02/2026 (đúng hạn)")
    assert next_due(complaint) is None
    # The procedure's acknowledgement is due to the customer; a hotline caller without an SMS
    # gateway configured cannot be reached, which the journal says.
    assert journal_actions(complaint)[-3:] == [
        "action.acknowledge",
        "clock.stopped",
        "notice.unreachable",
    ]


def test_answering_now_also_meets_the_acknowledgement(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 13, 10, 5))

    assert clock(complaint, "acknowledge")["state"] == "met"


def test_acknowledging_after_the_deadline_is_a_breach(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "acknowledge", org.receiver, at(2026, 2, 26, 0, 1))

    shown = clock(complaint, "acknowledge")
    assert shown["state"] == "breached"
    assert shown["explanation"].endswith("; hoàn thành lúc 00:01 26/02/2026 (quá hạn)")
    assert clock(complaint, "acknowledge", "en")["explanation"].endswith("(late)")


def test_a_letter_entered_after_its_deadline_starts_breached(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), now=at(2026, 2, 27, 8))

    shown = clock(complaint, "acknowledge")
    assert shown["state"] == "breached"
    assert shown["explanation"].endswith("; đã quá hạn")
    assert row(complaint, "acknowledge").breached_at == at(2026, 2, 27, 8)
    assert journal_actions(complaint)[-2:] == ["clock.started", "clock.breached"]
    # Overdue complaints sort first by deadline.
    assert next_due(complaint) == at(2026, 2, 26, 0)


@pytest.mark.parametrize(
    ("requested", "display", "makeup"),
    [
        (at(2026, 2, 13, 10), "24:00 ngày 03/03/2026", ""),
        (at(2025, 4, 25, 15), "24:00 ngày 08/05/2025", "tính thứ Bảy 26/04/2025 (làm bù)"),
        (at(2026, 8, 21, 9), "24:00 ngày 03/09/2026", "tính thứ Bảy 22/08/2026 (làm bù)"),
    ],
)
def test_negotiation_starts_on_the_request(org, requested, display, makeup):
    complaint = intake(org.receiver, received=requested.replace(hour=8))
    assert "negotiate" not in names(complaint)

    complaint = act(complaint, "request_negotiation", org.receiver, requested)

    shown = clock(complaint, "negotiate")
    assert (shown["state"], shown["due_display"]) == ("running", display)
    assert makeup in shown["explanation"]
    assert next_due(complaint) == clock(complaint, "acknowledge")["due_at"]


def test_a_second_request_while_negotiating_keeps_the_first_deadline(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 8))
    complaint = act(complaint, "request_negotiation", org.receiver, at(2026, 2, 13, 10))
    complaint = act(complaint, "request_negotiation", org.receiver, at(2026, 2, 24, 10))

    assert clock(complaint, "negotiate")["due_display"] == "24:00 ngày 03/03/2026"
    assert row(complaint, "negotiate").run == 1


def test_force_majeure_days_are_not_counted(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    clock_pause(
        complaint=complaint,
        reason="force_majeure",
        start=at(2026, 2, 23, 8),
        end=at(2026, 2, 25, 8),
        source="force_majeure:1",
        now=at(2026, 2, 23, 8),
    )

    shown = clock(complaint, "acknowledge")
    assert shown["state"] == "running"
    assert shown["due_display"] == "24:00 ngày 02/03/2026"
    assert (
        "tạm dừng 08:00 23/02/2026 – 08:00 25/02/2026 (không tính 23–25/02)" in shown["explanation"]
    )
    assert next_due(complaint) == at(2026, 3, 3, 0)


def test_an_open_force_majeure_pauses_until_it_ends(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "request_negotiation", org.receiver, at(2026, 2, 13, 11))
    paused = clock_pause(
        complaint=complaint,
        reason="force_majeure",
        start=at(2026, 2, 23, 8),
        source="force_majeure:7",
        now=at(2026, 2, 23, 8),
    )

    # Only the acknowledgement is "not counted during force majeure" in the seed.
    assert [c.name for c in paused] == ["acknowledge"]
    shown = clock(complaint, "acknowledge")
    assert (shown["state"], shown["due_at"], shown["due_display"]) == (
        "paused",
        None,
        "đang tạm dừng",
    )
    assert clock(complaint, "negotiate")["state"] == "running"
    assert next_due(complaint) == clock(complaint, "negotiate")["due_at"]

    clock_resume(source="force_majeure:7", end=at(2026, 2, 24, 17), now=at(2026, 2, 24, 17))

    shown = clock(complaint, "acknowledge")
    assert (shown["state"], shown["due_display"]) == ("running", "24:00 ngày 27/02/2026")
    assert journal_actions(complaint)[-2:] == ["clock.paused", "clock.resumed"]


def test_withdrawing_stops_every_clock(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "request_negotiation", org.receiver, at(2026, 2, 13, 11))
    complaint = act(complaint, "withdraw", org.receiver, at(2026, 2, 23, 9))

    assert {
        c["name"]: c["state"]
        for c in [clock(complaint, "acknowledge"), clock(complaint, "negotiate")]
    } == {"acknowledge": "met", "negotiate": "met"}
    assert next_due(complaint) is None


def test_reopening_restarts_the_acknowledgement(org):
    complaint = intake(org.receiver, received=at(2026, 2, 13, 10))
    complaint = act(complaint, "answer_now", org.receiver, at(2026, 2, 13, 10, 30))
    complaint = act(complaint, "confirm_satisfied", org.receiver, at(2026, 2, 13, 11))
    complaint = act(complaint, "reopen", org.receiver, at(2026, 2, 27, 9))

    shown = clock(complaint, "acknowledge")
    assert (shown["run"], shown["state"], shown["due_display"]) == (
        2,
        "running",
        "24:00 ngày 04/03/2026",
    )
    assert next_due(complaint) == at(2026, 3, 5, 0)


def test_answering_later_then_notifying_the_result_stops_the_acknowledgement_clock(org):
    """The customer told more time is needed has been acknowledged: the clock must not run on,
    breach and escalate after the result was sent (``acknowledge`` is not offered once resolved)."""
    complaint = intake(org.receiver, received=at(2026, 3, 2, 9))
    complaint = act(complaint, "start_verification", org.receiver, at(2026, 3, 2, 10))
    complaint = act(complaint, "answer_later", org.receiver, at(2026, 3, 3, 9))
    assert clock(complaint, "acknowledge")["state"] == "met"
    complaint = act(complaint, "resolve", org.receiver, at(2026, 3, 4, 9))
    complaint = act(complaint, "notify_result", org.receiver, at(2026, 3, 4, 10))
    assert clock(complaint, "acknowledge")["state"] == "met"
    assert next_due(complaint) is None


def test_the_migration_moves_an_unedited_vieon_to_version_2(org):
    """Databases seeded with the shipped version 1 get the fixed stops as version 2; a copy the
    organisation edited is left alone."""
    from importlib import import_module

    from django.apps import apps

    from complaintdesk.procedures.domain.parse import load_definition
    from complaintdesk.procedures.models import Procedure, ProcedureVersion
    from complaintdesk.procedures.presets import checksum, preset_source

    migration = import_module("complaintdesk.procedures.migrations.0003_vieon_acknowledge_stops")
    old_source = preset_source("vieon").replace(
        "stop: [acknowledge, answer_now, answer_later, notify_result]",
        "stop: [acknowledge, answer_now]",
    )
    old = load_definition(old_source).to_dict()
    assert checksum(old) == migration.SHIPPED_V1
    procedure = Procedure.objects.get(slug="vieon")
    ProcedureVersion.objects.filter(procedure=procedure, version=procedure.current_version).update(
        source=old_source, definition=old, checksum=migration.SHIPPED_V1
    )
    migration.publish(apps, None)
    procedure.refresh_from_db()
    latest = ProcedureVersion.objects.get(procedure=procedure, version=procedure.current_version)
    stops = next(c for c in latest.definition["clocks"] if c["name"] == "acknowledge")["stop"]
    assert "notify_result" in stops and "answer_later" in stops
    migration.publish(apps, None)  # the current version is no longer the shipped one: no-op
    assert Procedure.objects.get(pk=procedure.pk).current_version == procedure.current_version
