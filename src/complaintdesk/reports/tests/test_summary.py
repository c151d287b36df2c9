"""The report's figures, compared with the same figures worked out by hand (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.tests.factories import UserFactory
from complaintdesk.reports.filters import ReportFilters
from complaintdesk.reports.selectors import report_summary
from complaintdesk.reports.tests.conftest import CAUSE_A

MARCH = ReportFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


def by_code(rows):
    return {code: n for code, _label, n in rows}


def test_volume_open_closed_and_dimensions(known):
    s = report_summary(filters=MARCH)
    assert (s.received, s.open, s.closed, s.closed_in_period) == (5, 4, 1, 1)
    assert by_code(s.by_channel) == {"hotline": 2, "email": 1, "letter": 1, "facebook": 1}
    assert s.by_channel[0][:2] == ("hotline", "Tổng đài")
    assert by_code(s.by_kind) == {"complaint": 3, "request": 1, "feedback": 1}
    assert by_code(s.by_category) == {"technical": 2, "": 2, "payment": 1}
    assert by_code(s.by_status) == {"closed": 1, "resolved": 1, "received": 2, "escalated": 1}


def test_series_by_local_day_week_and_month(known):
    s = report_summary(filters=MARCH)
    days = dict(s.by_day)
    assert len(days) == 31 and sum(days.values()) == 5
    assert days[date(2026, 3, 2)] == 2
    # 31/03 23:30 in Vietnam is 16:30 UTC: counted on the 31st; 01/04 00:10 is not in March.
    assert days[date(2026, 3, 31)] == 1
    assert dict(s.by_week)[date(2026, 3, 30)] == 1  # the week of Monday 30/03 (cut at 31/03)
    assert s.by_month == [(date(2026, 3, 1), 5)]
    assert s.grain == "day" and s.series == s.by_day


def test_times_average_and_90th_percentile(known):
    times = {t.key: t for t in report_summary(filters=MARCH).times}
    # acknowledge: 2 h and 4 h; p90 = 2 + (4 - 2) * 0.9
    assert times["acknowledge"].count == 2
    assert times["acknowledge"].average_hours == pytest.approx(3.0)
    assert times["acknowledge"].p90_hours == pytest.approx(3.8)
    # first response: 5, 24, 30 h; p90 = 24 + (30 - 24) * 0.8
    assert times["first_response"].average_hours == pytest.approx(59 / 3)
    assert times["first_response"].p90_hours == pytest.approx(28.8)
    # resolution: 5, 30, 48 h; p90 = 30 + (48 - 30) * 0.8
    assert times["resolution"].average_hours == pytest.approx(83 / 3)
    assert times["resolution"].p90_hours == pytest.approx(44.4)


def test_clocks_escalations_satisfaction_and_causes(known):
    s = report_summary(filters=MARCH)
    (clock,) = s.clocks
    assert (clock.name, clock.total, clock.met, clock.breached, clock.running) == (
        "written_reply",
        4,
        2,
        1,
        1,
    )
    assert clock.met_share == pytest.approx(200 / 3)
    assert clock.breached_share == pytest.approx(100 / 3)
    assert s.reply_clock is clock
    assert (s.escalated_heads, s.escalated_leadership) == (1, 1)
    assert s.escalation_share == pytest.approx(20.0)
    assert (s.satisfied, s.unsatisfied, s.satisfaction_share) == (1, 1, 50.0)
    # Two spellings of one cause are one cause; the usual spelling is shown.
    assert s.top_causes == [(CAUSE_A, 2)]


def test_written_complaints_per_100_customers_per_quarter(known):
    (quarter,) = report_summary(filters=MARCH).quarters
    assert (quarter.start, quarter.end) == (date(2026, 1, 1), date(2026, 3, 31))
    # c2 (email, March) and c4 (email, February); c3 is a letter but a request.
    assert (quarter.written, quarter.customers) == (2, 1000)
    assert quarter.per_100 == pytest.approx(0.2)
    assert quarter.meets_target is True


def test_filters_and_scope(known, org):
    s = report_summary(
        filters=ReportFilters(
            date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), channel="hotline"
        )
    )
    assert s.received == 2 and by_code(s.by_channel) == {"hotline": 2}
    # A billing head sees only what is escalated (c7) or belongs to billing.
    head = UserFactory(username="billing-head", role=Role.HEAD, department=org.billing)
    s = report_summary(filters=MARCH, user=head)
    assert s.received == 1 and by_code(s.by_kind) == {"complaint": 1}


def test_english_labels(known):
    s = report_summary(filters=MARCH, lang="en")
    assert s.by_channel[0][:2] == ("hotline", "Hotline")
    assert dict((code, label) for code, label, _n in s.by_status)["closed"] == "Closed"
    assert s.clocks[0].label == "Written reply (2 working days)"
