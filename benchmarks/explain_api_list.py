#!/usr/bin/env python
"""Every filter of GET /api/v1/complaints at scale: time of the first and a deep page, and whether
the plan reads complaints_complaint through an index (never a sequential scan of it).

Run it on a database seeded by seed_bulk.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_1m .venv/bin/python benchmarks/explain_api_list.py
    COMPLAINTDESK_VAR_DIR=/tmp/cd-1m .venv/bin/python benchmarks/explain_api_list.py

For each case: p50/max over --runs of ``complaints.selectors.complaint_list`` (page of --limit),
for page 1 and for a page deep in the list (a cursor taken half-way down), and the plan's verdict:
``index`` when complaints_complaint is read through an index only, ``FULL SCAN of complaints``
otherwise (lookup tables the planner scans whole — departments, users, categories, an empty
task table — are listed beside), and
on PostgreSQL the server's execution time of the deep page's query (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from _django import database_label, setup


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--limit", type=int, default=25)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaintdesk.accounts.models import Department, Role, User
    from complaintdesk.complaints import selectors
    from complaintdesk.complaints.models import Category, Complaint, CustomerIdentity
    from complaintdesk.core.clock import utcnow

    def user(role: str) -> User:
        found = User.objects.filter(role=role, is_active=True).exclude(department=None).first()
        return found or User.objects.filter(role=role).first()  # type: ignore[return-value]

    receiver, head, staff = user(Role.RECEIVER), user(Role.HEAD), user(Role.STAFF)
    dept = Department.objects.order_by("id").first()
    assignee = Complaint.objects.exclude(assignee=None).values_list(
        "assignee__username", flat=True
    )[:1]
    category = Category.objects.order_by("id").values_list("code", flat=True).first() or ""
    phone = CustomerIdentity.objects.filter(kind="phone").values_list("value", flat=True).first()
    now = utcnow()
    F = selectors.ComplaintFilters
    cases: list[tuple[str, Any, Any, str]] = [
        ("newest first", receiver, F(), "received"),
        ("status=coordinating", receiver, F(status="coordinating"), "received"),
        ("status=closed", receiver, F(status="closed"), "received"),
        ("channel=zalo", receiver, F(channel="zalo"), "received"),
        ("kind=feedback", receiver, F(kind="feedback"), "received"),
        (
            f"department={dept.code if dept else ''}",
            receiver,
            F(department=dept.code if dept else ""),
            "received",
        ),
        ("assignee", receiver, F(assignee=assignee[0] if assignee else ""), "received"),
        ("phone", receiver, F(phone=phone or ""), "received"),
        (f"category={category}", receiver, F(category=category), "received"),
        ("received last 30 days", receiver, F(received_from=now - timedelta(days=30)), "received"),
        ("status+channel", receiver, F(status="verifying", channel="hotline"), "received"),
        (
            "status+department",
            receiver,
            F(status="coordinating", department=dept.code if dept else ""),
            "received",
        ),
        ("nearest deadline first", receiver, F(), "deadline"),
        ("deadline + status", receiver, F(status="verifying"), "deadline"),
        ("head scope", head, F(), "received"),
        ("staff scope", staff, F(), "received"),
    ]
    total = Complaint.objects.count()  # the benchmark's own count, not the API's
    print(f"{database_label()}, {total:,} complaints, page of {args.limit}, {args.runs} runs")
    print(f"  {'case':<28} {'page 1 p50/max ms':>18} {'deep page p50/max ms':>22}  plan")
    for name, who, filters, order in cases:

        def page(
            cursor: str | None = None, who: Any = who, filters: Any = filters, order: str = order
        ) -> selectors.Page:
            return selectors.complaint_list(
                user=who, filters=filters, limit=args.limit, order=order, cursor=cursor
            )

        # A cursor half-way down: walk pages of 100 to about the middle of the first 20 000 rows.
        deep: str | None = None
        cursor = None
        for _ in range(100):
            step = selectors.complaint_list(
                user=who, filters=filters, limit=100, order=order, cursor=cursor
            )
            cursor = step.next_cursor
            if cursor is None:
                break
            deep = cursor
        first = timed(lambda: page().items, args.runs)
        deeper = timed(lambda d=deep: page(d).items, args.runs) if deep else []
        with CaptureQueriesContext(connection) as captured:
            page(deep)
        sql = [q["sql"] for q in captured if "complaints_complaint" in q["sql"]][-1]
        db_ms = ""
        with connection.cursor() as cur:
            prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
            cur.execute(f"{prefix} {sql}")
            plan = "\n".join(" ".join(str(c) for c in row) for row in cur.fetchall())
            if connection.vendor == "postgresql":
                cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                db_ms = f"  db {cur.fetchone()[0][0]['Execution Time']:.2f} ms"
        # PostgreSQL names the table; SQLite prints "SCAN <table or alias>" for a full scan
        # (sub-selects use aliases such as U0), "SCAN x USING INDEX …" for an index walk.
        full = re.findall(r"Seq Scan on (\w+)", plan) + re.findall(r"SCAN (\w+)$", plan, re.M)
        others = sorted(set(full) - {"complaints_complaint"})
        verdict = "FULL SCAN of complaints" if "complaints_complaint" in full else "index"
        verdict += f" (small tables scanned: {', '.join(others)})" if others else ""

        def fmt(values: list[float]) -> str:
            return f"{statistics.median(values):7.1f}/{max(values):7.1f}" if values else "      –"

        print(f"  {name:<28} {fmt(first):>18} {fmt(deeper):>22}  {verdict}{db_ms}", flush=True)


if __name__ == "__main__":
    main()
