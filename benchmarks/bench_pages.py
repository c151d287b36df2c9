#!/usr/bin/env python
"""Server time of the agent workspace's pages: complaint list, my work, complaint page. p50/p95.

Run it on a database seeded by seed_bulk.py (the one the environment names):

    COMPLAINTDESK_VAR_DIR=/tmp/cd-1m .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate
    COMPLAINTDESK_VAR_DIR=/tmp/cd-1m .venv/bin/python benchmarks/bench_pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_1m .venv/bin/python benchmarks/bench_pages.py

Each page is rendered in-process by Django's test Client (DEBUG off, the full middleware stack,
templates included; no network), --runs times after a warm-up, signed in as the seeded receiver
(my work, list) and administrator (list). Target (issue 4): p95 ≤ 100 ms at 1M complaints.
Exits 1 when a case misses the target and --strict is given.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable

os.environ["DJANGO_DEBUG"] = "0"  # no query log; the production code path
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-pages-only")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")

from _django import database_label, machine_label, percentile, setup

TARGET_MS = 100.0


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run (SQLite runs in-process, so CPU time includes
    the queries; on a loaded machine it is the steadier of the two)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--strict", action="store_true", help="exit 1 if a p95 exceeds the target")
    args = parser.parse_args()
    setup()
    from django.test import Client

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.complaints.models import Complaint, CustomerIdentity

    def user(role: str, preferred: str = "") -> User:
        found = User.objects.filter(username=preferred).first() if preferred else None
        return found or User.objects.filter(role=role, is_active=True).order_by("pk").first()

    receiver, admin = user(Role.RECEIVER, "tiepnhan"), user(Role.ADMIN)
    total_hint = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    phone = (
        CustomerIdentity.objects.filter(kind="phone")
        .order_by("-pk")
        .values_list("value", flat=True)
        .first()
    )
    sample_code = Complaint.objects.order_by("-pk").values_list("code", flat=True).first()
    rng = random.Random(4)
    ids = [
        pk
        for pk in (rng.randint(1, total_hint) for _ in range(args.runs * 2))
        if Complaint.objects.filter(pk=pk).exists()
    ][: args.runs] or [total_hint]

    clients: dict[str, Client] = {}
    for name, who in (("receiver", receiver), ("admin", admin)):
        c = Client()
        c.force_login(who)
        clients[name] = c

    def get(client: str, url: str, data: dict[str, str] | None = None) -> Callable[[], object]:
        def call() -> object:
            response = clients[client].get(url, data or {})
            if response.status_code != 200:
                raise SystemExit(f"{url} {data} → {response.status_code}")
            return response

        return call

    html = clients["admin"].get("/complaints/").content.decode()
    found = re.search(r"cursor=([\w-]+)", html)
    first = found.group(1) if found else ""
    detail_iter = iter(ids * 10)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("list: first page (admin)", get("admin", "/complaints/")),
        ("list: first page (receiver)", get("receiver", "/complaints/")),
        ("list: second page (cursor)", get("admin", "/complaints/", {"cursor": first})),
        ("list: status=open", get("admin", "/complaints/", {"status": "open"})),
        ("list: status=escalated", get("admin", "/complaints/", {"status": "escalated"})),
        ("list: channel=letter", get("admin", "/complaints/", {"channel": "letter"})),
        (
            "list: department + status",
            get("admin", "/complaints/", {"department": "ky-thuat", "status": "coordinating"}),
        ),
        ("list: clock=breached", get("admin", "/complaints/", {"clock": "breached"})),
        ("list: order by deadline", get("admin", "/complaints/", {"order": "due"})),
        (
            "list: date range (one month)",
            get("admin", "/complaints/", {"date_from": "01/03/2026", "date_to": "31/03/2026"}),
        ),
        ("list: search phone", get("admin", "/complaints/", {"q": phone or "0912345678"})),
        ("list: search code", get("admin", "/complaints/", {"q": sample_code or "KN-2026-000001"})),
        ("my work (receiver)", get("receiver", "/my-work/")),
        (
            "complaint page (random)",
            lambda: clients["admin"].get(f"/complaints/{next(detail_iter)}/"),
        ),
    ]
    print(
        f"Workspace pages on {database_label()}, ~{total_hint:,} complaints, {args.runs} runs each"
    )
    print(machine_label())
    print(f"{'case':34} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu p95':>8}")
    worst = 0.0
    for name, fn in cases:
        wall, cpu = timed(fn, args.runs)
        p95 = percentile(wall, 95)
        worst = max(worst, p95)
        flag = "" if p95 <= TARGET_MS else "  > target"
        print(
            f"{name:34} {percentile(wall, 50):9.1f} {p95:9.1f} "
            f"{percentile(cpu, 50):8.1f} {percentile(cpu, 95):8.1f}{flag}"
        )
    print(
        f"worst wall p95 {worst:.1f} ms (target ≤ {TARGET_MS:.0f} ms); load average after: {os.getloadavg()[0]:.1f}"
    )
    return 1 if args.strict and worst > TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
