#!/usr/bin/env python
"""The first page of the complaint list: the ORM selector and GET /api/v1/complaints, p50/p95.

Run it on a database seeded by seed_bulk.py (the one the environment names):

    COMPLAINTDESK_VAR_DIR=/tmp/cd-1m .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate
    COMPLAINTDESK_VAR_DIR=/tmp/cd-1m .venv/bin/python benchmarks/bench_list.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_1m .venv/bin/python benchmarks/bench_list.py

ORM: ``complaints.selectors.complaint_list`` (25 rows, as the API's default page) for each kind of
user and the common filters, --runs times each after a warm-up. API: a gunicorn server (DEBUG off)
on the same database, the same first page fetched --runs times over one keep-alive connection.
Target (issue 2 §7): first page p95 ≤ 50 ms at 1M complaints.
"""

from __future__ import annotations

import argparse
import http.client
import os
import time
from collections.abc import Callable
from typing import Any

from _django import database_label, machine_label, setup, summary_ms


def timed(fn: Callable[[], Any], runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def orm_cases(limit: int) -> list[tuple[str, Callable[[], Any]]]:
    from complaintdesk.accounts.models import User
    from complaintdesk.complaints.selectors import ComplaintFilters, complaint_list

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["tiepnhan", "truongphong", "kythuat"])
    }
    receiver, head, staff = users["tiepnhan"], users["truongphong"], users["kythuat"]
    second = complaint_list(user=receiver, filters=ComplaintFilters(), limit=limit).next_cursor

    def page(
        user: Any, order: str = "received", cursor: str | None = None, **filters: Any
    ) -> Callable[[], Any]:
        return lambda: (
            complaint_list(
                user=user,
                filters=ComplaintFilters(**filters),
                limit=limit,
                order=order,
                cursor=cursor,
            ).items
        )

    return [
        ("receiver: newest first", page(receiver)),
        ("receiver: second page (cursor)", page(receiver, cursor=second)),
        ("receiver: status=verifying", page(receiver, status="verifying")),
        ("receiver: channel=zalo", page(receiver, channel="zalo")),
        ("receiver: category=payment-refund", page(receiver, category="payment-refund")),
        ("receiver: nearest deadline first", page(receiver, order="deadline")),
        ("receiver: customer's phone", page(receiver, phone="+84700000042")),
        ("head (own department + escalated)", page(head)),
        ("staff (tasks of own department)", page(staff)),
    ]


def api_case(runs: int, limit: int) -> list[float]:
    from _server import api_token, base_env, gunicorn

    keep = {
        k: os.environ[k]
        for k in ("DATABASE_URL", "COMPLAINTDESK_VAR_DIR", "SQLITE_PATH")
        if k in os.environ
    }
    env = base_env(**keep)
    token = api_token(env, "bench-list", "receiver")
    with gunicorn(env, workers=2, threads=2) as (host, port, _pid):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}

        def get() -> None:
            conn.request("GET", f"/api/v1/complaints?limit={limit}", headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET /api/v1/complaints answered {response.status}")

        try:
            return timed(get, runs, warmup=10)
        finally:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument("--no-api", action="store_true", help="only the ORM selector")
    parser.add_argument(
        "--only", default="", help="ORM cases whose name contains this ('none': no ORM case)"
    )
    args = parser.parse_args()
    setup()
    from complaintdesk.complaints.models import Complaint

    total = Complaint.objects.count()
    print(machine_label())
    print(
        f"{database_label()}, {total:,} complaints, first page of {args.limit}, {args.runs} runs each"
    )
    for name, fn in orm_cases(args.limit):
        if args.only and (args.only == "none" or args.only not in name):
            continue
        print(f"  ORM  {name:<36} {summary_ms(timed(fn, args.runs))}", flush=True)
    if not args.no_api:
        print(
            f"  API  {'GET /api/v1/complaints (receiver)':<36} {summary_ms(api_case(args.runs, args.limit))}"
        )


if __name__ == "__main__":
    main()
