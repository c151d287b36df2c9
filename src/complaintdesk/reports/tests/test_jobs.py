"""Scheduled jobs: the monthly report to leadership (once per month and address) and the
stored journal verification."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.tests.factories import UserFactory
from complaintdesk.core.clock import utcnow
from complaintdesk.reports.domain.figures import Period, previous_month
from complaintdesk.reports.models import DeliveryStatus, JournalVerification, ReportDelivery
from complaintdesk.reports.services import journal_verification_run, monthly_report_deliver

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def board(org):
    org.leadership.email = "giamdoc@example.vn"
    org.leadership.save()
    UserFactory(username="pho-gd", role=Role.LEADERSHIP, email="PhoGD@Example.vn", language="en")
    UserFactory(username="no-mail", role=Role.LEADERSHIP, email="")
    UserFactory(username="gone", role=Role.LEADERSHIP, email="gone@example.vn", is_active=False)
    UserFactory(username="head-mail", role=Role.HEAD, email="head@example.vn")
    return org


def test_monthly_report_goes_to_leadership_with_pdf_and_xlsx_once(board, known):
    assert monthly_report_deliver(period=MARCH) == {"planned": 2, "sent": 2}
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"giamdoc@example.vn", "phogd@example.vn"}
    vi, en = by_to["giamdoc@example.vn"], by_to["phogd@example.vn"]
    assert vi.subject == "Báo cáo khiếu nại tháng 03/2026"
    assert en.subject == "Complaint report for 03/2026"
    names = [a[0] for a in vi.attachments]
    assert names == ["bao-cao-khieu-nai-2026-03.pdf", "bao-cao-khieu-nai-2026-03.xlsx"]
    assert vi.attachments[0][1].startswith(b"%PDF")
    # Run again (the job runs every hour): nothing more is sent.
    assert monthly_report_deliver(period=MARCH) == {"planned": 0, "sent": 0}
    assert len(mail.outbox) == 2
    assert set(ReportDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_failed_delivery_is_retried_and_sent_once(board):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
        assert monthly_report_deliver(period=MARCH)["sent"] == 0
    failed = ReportDelivery.objects.get(recipient="giamdoc@example.vn")
    assert failed.status == DeliveryStatus.FAILED and failed.last_error == "SMTP down"
    assert monthly_report_deliver(period=MARCH) == {"planned": 0, "sent": 2}
    assert len(mail.outbox) == 2


def test_a_row_being_sent_by_another_worker_is_not_sent_again(board):
    from complaintdesk.reports.services import monthly_deliveries_plan

    monthly_deliveries_plan(period=MARCH)
    ReportDelivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=utcnow())
    assert monthly_report_deliver(period=MARCH)["sent"] == 0
    assert mail.outbox == []
    # A claim left behind by a worker that died is taken over after a while.
    later = utcnow() + timedelta(hours=1)
    assert monthly_report_deliver(period=MARCH, now=later)["sent"] == 2


def test_the_job_reports_on_the_previous_month(board, known):
    from complaintdesk.reports.jobs import deliver_monthly_report

    assert previous_month(date(2026, 4, 1)) == MARCH
    assert previous_month(date(2026, 1, 15)) == Period(date(2025, 12, 1), date(2025, 12, 31))
    with mock.patch("complaintdesk.reports.jobs.utcnow") as now:
        from datetime import UTC, datetime

        now.return_value = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)  # 09:00 on 1 April in Vietnam
        deliver_monthly_report.call()
    assert {d.period_start for d in ReportDelivery.objects.all()} == {date(2026, 3, 1)}


def test_journal_verification_is_stored_and_spots_tampering(known):
    first = journal_verification_run()
    assert first.ok and first.entries > 10 and first.problems == []
    from complaintdesk.journal.models import JournalEntry

    entry = JournalEntry.objects.filter(complaint=known.c["c2"]).order_by("seq")[2]
    JournalEntry.objects.filter(pk=entry.pk).update(after={"forged": True})
    second = journal_verification_run(actor=known.org.admin)
    assert not second.ok
    assert second.problems[0]["kind"] == "altered" and second.problems[0]["entry_id"] == entry.pk
    assert JournalVerification.objects.count() == 2
