#!/usr/bin/env python
"""Report figures over a large table: the monthly and quarterly reports, their exports, the
daily report journal.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate
    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/bench_reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench .venv/bin/python benchmarks/bench_reports.py

Bulk-seeded complaints carry no handling history, so before measuring, the script gives the
complaints of the measured month one (once; idempotent): acknowledgement, first response and
resolution times, a verification cause on a third of them, a satisfaction answer, a few
escalations and two deadline clocks each (met or breached). Then it times
``report_summary`` for the last complete month (target <= 2 s) and the last complete quarter,
the PDF and XLSX of the month, and the report journal of one day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta

from _django import database_label, setup

CAUSES = (
    "Lỗi đường truyền khu vực",
    "Khách nhập sai mật khẩu",
    "Cổng thanh toán trả lỗi",
    "Nội dung bị gỡ theo bản quyền",
    "Ứng dụng phiên bản cũ",
)


def prepare(period, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    """Handling history for the month's complaints (skipped when already there)."""
    from django.db import transaction

    from complaintdesk.complaints.models import Complaint
    from complaintdesk.reports.selectors import local_start
    from complaintdesk.sla.models import Clock

    qs = Complaint.objects.filter(
        received_at__gte=local_start(period.start),
        received_at__lt=local_start(period.end + timedelta(days=1)),
    )
    if qs.filter(acknowledged_at__isnull=False).exists():
        return 0
    rows = list(qs.values_list("pk", "received_at", "status"))
    clocks = []
    with transaction.atomic():
        for start in range(0, len(rows), 2000):
            batch = []
            for pk, received, status in rows[start : start + 2000]:
                c = Complaint(pk=pk, received_at=received, status=status)
                c.acknowledged_at = received + timedelta(hours=rng.uniform(0.1, 30))
                c.first_response_at = c.acknowledged_at + timedelta(hours=rng.uniform(0, 40))
                done = status in ("closed", "resolved", "result_notified")
                c.resolved_at = (
                    c.first_response_at + timedelta(hours=rng.uniform(0, 90)) if done else None
                )
                c.satisfaction = rng.choice(
                    ("satisfied", "satisfied", "satisfied", "unsatisfied", "")
                )
                c.escalation_level = 2 if rng.random() < 0.02 else 1 if rng.random() < 0.05 else 0
                c.verification = (
                    {
                        "checked": "Đã kiểm tra",
                        "scope": "Một khách",
                        "cause_analysis": rng.choice(CAUSES),
                    }
                    if rng.random() < 0.33
                    else {}
                )
                batch.append(c)
                for name, days in (("acknowledge", 3), ("written_reply", 2)):
                    late = rng.random() < 0.12
                    clocks.append(
                        Clock(
                            complaint_id=pk,
                            name=name,
                            label=name,
                            spec={},
                            calendar="vn-official",
                            state="breached" if late else "met",
                            start_event="received",
                            started_at=received,
                            due_at=received + timedelta(days=days),
                            stopped_at=received + timedelta(days=days + (1 if late else -1)),
                        )
                    )
            Complaint.objects.bulk_update(
                batch,
                [
                    "acknowledged_at",
                    "first_response_at",
                    "resolved_at",
                    "satisfaction",
                    "escalation_level",
                    "verification",
                ],
            )
        Clock.objects.bulk_create(clocks, batch_size=5000)
    return len(rows)


def timed(label: str, fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    print(
        f"  {label:<44} median {statistics.median(times):6.2f} s  max {max(times):6.2f} s  (n={runs})"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the reports tables, on a database seeded earlier
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.core.clock import local, utcnow
    from complaintdesk.reports import journal_selectors
    from complaintdesk.reports.document import report_document
    from complaintdesk.reports.domain import figures as fig
    from complaintdesk.reports.exports.pdf import document_pdf
    from complaintdesk.reports.exports.xlsx import document_xlsx
    from complaintdesk.reports.filters import ReportFilters
    from complaintdesk.reports.selectors import report_summary

    today = local(utcnow()).date()
    month = fig.previous_month(today)
    q_start = fig.quarter_start(fig.quarter_start(today) - timedelta(days=1))
    print(f"{database_label()}: {Complaint.objects.count():,} complaints")
    prepared = prepare(month, random.Random(5))
    if prepared:
        print(
            f"  (gave {prepared:,} complaints of {month.start:%m/%Y} a handling history and clocks)"
        )
    monthly = ReportFilters(date_from=month.start, date_to=month.end)
    quarterly = ReportFilters(date_from=q_start, date_to=fig.quarter_end(q_start))
    summary = timed(
        f"monthly report {month.start:%m/%Y} (figures)",
        lambda: report_summary(filters=monthly),
        args.runs,
    )
    print(
        f"    {summary.received:,} received, {summary.closed_in_period:,} closed, "
        f"{sum(c.total for c in summary.clocks):,} clocks"
    )
    timed(
        f"quarterly report from {q_start:%d/%m/%Y} (figures)",
        lambda: report_summary(filters=quarterly),
        max(1, args.runs // 2),
    )
    doc = report_document(summary)
    timed("monthly report PDF", lambda: document_pdf(doc), max(1, args.runs // 2))
    timed("monthly report XLSX", lambda: document_xlsx(doc), max(1, args.runs // 2))
    day = ReportFilters(date_from=month.end, date_to=month.end)
    rows = timed(
        f"report journal of {month.end:%d/%m/%Y} (all rows)",
        lambda: list(journal_selectors.report_journal_rows(day)),
        args.runs,
    )
    print(f"    {len(rows):,} rows")


if __name__ == "__main__":
    main()
