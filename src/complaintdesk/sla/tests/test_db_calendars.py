"""Calendars built from the database: decisions, the organisation's days, hours, switches —
and edits that apply without a restart."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.journal.models import JournalEntry
from complaintdesk.sla.calendars import calendar_get
from complaintdesk.sla.models import Calendar, CalendarDay, GovernmentDecision
from complaintdesk.sla.services import calendar_changed

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRI_13_FEB = datetime(2026, 2, 13, 10, tzinfo=VN)


def due(slug: str, start: datetime = FRI_13_FEB, n: int = 3) -> str:
    return calendar_get(slug).add_working_days(start, n).due_display()


def test_builtin_calendars_and_decisions_are_seeded():
    assert set(Calendar.objects.values_list("slug", flat=True)) >= {
        "vn-official",
        "vn-labor-code",
        "24x7",
    }
    assert Calendar.objects.get(is_default=True).slug == "vn-official"
    decision = GovernmentDecision.objects.get(day=date(2026, 1, 10))
    assert (decision.working, decision.reference) == (
        True,
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    )


def test_the_new_year_2026_swap_applies_to_the_official_calendar_only():
    start = datetime(2025, 12, 31, 9, tzinfo=VN)

    assert due("vn-official", start) == "24:00 ngày 07/01/2026"
    assert due("vn-labor-code", start) == "24:00 ngày 06/01/2026"
    assert due("24x7", start) == "24:00 ngày 03/01/2026"


def test_an_organisation_day_off_applies_at_once():
    assert due("vn-official") == "24:00 ngày 25/02/2026"
    CalendarDay.objects.create(
        calendar=Calendar.objects.get(slug="vn-official"),
        day=date(2026, 2, 23),
        working=False,
        name="Nghỉ tất niên công ty",
    )

    deadline = calendar_get("vn-official").add_working_days(FRI_13_FEB, 3)
    assert deadline.due_display() == "24:00 ngày 26/02/2026"
    assert "23/02 (Nghỉ tất niên công ty)" in deadline.explain()


def test_an_administrators_decision_applies_and_can_be_withdrawn():
    decision = GovernmentDecision.objects.create(
        day=date(2026, 2, 23), working=False, name="Nghỉ bù Tết", reference="Công văn 1/VPCP-TEST"
    )
    assert due("vn-official") == "24:00 ngày 26/02/2026"
    assert due("vn-labor-code") == "24:00 ngày 25/02/2026"

    decision.active = False
    decision.save()
    assert due("vn-official") == "24:00 ngày 25/02/2026"


def test_weekly_hours_and_the_culture_day_switch():
    Calendar.objects.create(
        slug="cskh-thu-bay",
        name="CSKH làm thứ Bảy",
        base="vn-labor-code",
        weekly={
            "mon": ["08:00-17:00"],
            "tue": ["08:00-17:00"],
            "wed": ["08:00-17:00"],
            "thu": ["08:00-17:00"],
            "fri": ["08:00-17:00"],
            "sat": ["08:00-12:00"],
        },
        culture_day=False,
    )
    cal = calendar_get("cskh-thu-bay")

    assert cal.slug == "cskh-thu-bay"
    assert due("cskh-thu-bay") == "24:00 ngày 23/02/2026"  # Saturdays 14/02 and 21/02 count
    assert cal.is_working_day(date(2026, 11, 24))
    assert not calendar_get("vn-official").is_working_day(date(2026, 11, 24))
    business = cal.add_hours(datetime(2026, 2, 21, 11, tzinfo=VN), 2, business=True)
    assert business.due_at == datetime(2026, 2, 23, 9, tzinfo=VN)


def test_unknown_or_inactive_calendars_are_not_found():
    with pytest.raises(LookupError):
        calendar_get("khong-co")
    Calendar.objects.filter(slug="vn-labor-code").update(active=False)
    with pytest.raises(LookupError):
        calendar_get("vn-labor-code")


def test_builtins_still_work_when_their_rows_are_gone():
    Calendar.objects.all().delete()
    GovernmentDecision.objects.all().delete()

    assert due("vn-official", datetime(2025, 12, 31, 9, tzinfo=VN)) == "24:00 ngày 07/01/2026"


def test_a_calendar_change_is_journaled_and_moves_running_clocks(
    org, django_capture_on_commit_callbacks
):
    from complaintdesk.procedures.tests.helpers import clock, intake

    complaint = intake(org.receiver, received=FRI_13_FEB)
    assert clock(complaint, "acknowledge")["due_display"] == "24:00 ngày 25/02/2026"
    CalendarDay.objects.create(
        calendar=Calendar.objects.get(slug="vn-official"),
        day=date(2026, 2, 24),
        working=False,
        name="Mất điện toàn khu",
    )

    with django_capture_on_commit_callbacks(execute=True):
        calendar_changed(
            slugs=["vn-official"],
            actor=org.admin,
            what="saved",
            now=datetime(2026, 2, 23, 9, tzinfo=VN),
        )

    shown = clock(complaint, "acknowledge")
    assert shown["due_display"] == "24:00 ngày 26/02/2026"
    assert "24/02 (Mất điện toàn khu)" in shown["explanation"]
    assert JournalEntry.objects.filter(chain="sys:calendars", action="calendar.saved").exists()
    assert (
        JournalEntry.objects.filter(complaint_id=complaint.pk, action="clock.recomputed").count()
        == 1
    )


def test_the_recompute_job_rebuilds_a_calendar_another_process_changed(org, settings):
    """The worker may have read the calendar stamp a moment before the admin's commit; the
    web process's signals cleared only the web's caches. The job must not reuse its own."""
    from datetime import timedelta

    from complaintdesk.core.clock import utcnow
    from complaintdesk.procedures.tests.helpers import intake, row
    from complaintdesk.sla.jobs import recompute_clocks

    settings.REFERENCE_CACHE_SECONDS = 600
    complaint = intake(org.receiver, received=utcnow())
    before = row(complaint, "acknowledge").due_at
    calendar_get("vn-official")  # this process has the calendar and its stamp cached
    last_day = (before - timedelta(microseconds=1)).astimezone(VN).date()
    CalendarDay.objects.bulk_create(  # as another process would: no signal reaches us
        [
            CalendarDay(
                calendar=Calendar.objects.get(slug="vn-official"),
                day=last_day,
                working=False,
                name="Nghỉ đột xuất",
            )
        ]
    )
    assert recompute_clocks.call(calendar="vn-official") == 1
    after = row(complaint, "acknowledge").due_at
    assert after > before + timedelta(hours=23)


def test_a_recompute_moves_the_next_escalation_of_a_breached_clock(org, settings):
    """Breached on Thu 05/03/2026, next level due 24:00 Fri 06/03; Friday becomes a day off:
    the next level moves to 24:00 Mon 09/03 though the due instant itself does not move."""
    from complaintdesk.procedures.tests.helpers import intake, row
    from complaintdesk.sla.jobs import sweep_deadlines
    from complaintdesk.sla.services import clocks_recompute

    complaint = intake(org.receiver, received=datetime(2026, 3, 2, 10, tzinfo=VN))
    sweep_deadlines(now=datetime(2026, 3, 6, 1, tzinfo=VN))
    breached = row(complaint, "acknowledge")
    assert breached.state == "breached"
    assert breached.escalate_at == datetime(2026, 3, 7, 0, tzinfo=VN)
    CalendarDay.objects.create(
        calendar=Calendar.objects.get(slug="vn-official"),
        day=date(2026, 3, 6),
        working=False,
        name="Nghỉ đột xuất",
    )
    changed = clocks_recompute(calendar="vn-official", now=datetime(2026, 3, 6, 2, tzinfo=VN))
    assert [c.pk for c in changed] == [breached.pk]
    moved = row(complaint, "acknowledge")
    assert (moved.due_at, moved.state) == (breached.due_at, "breached")
    assert moved.escalate_at == datetime(2026, 3, 10, 0, tzinfo=VN)
