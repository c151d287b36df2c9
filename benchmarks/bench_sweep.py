#!/usr/bin/env python
"""One deadline sweep over 1,000,000 open complaints of which 10,000 are due.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench-sweep .venv/bin/python benchmarks/bench_sweep.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_sweep .venv/bin/python benchmarks/bench_sweep.py

Set-up (not measured; skipped when the data is already there): migrates the database named by
the environment, bulk-inserts ``--complaints`` open complaints with one running ``acknowledge``
clock each (the vieon preset's spec, escalation level 1 at the due instant); ``--due`` of them
are past due at the benchmark's instant, the others due within the next 30 days.

Measured (best and median of ``--repeat`` runs, the due clocks reset in between):

* **select + mark** — what the sweep does to find and claim the due clocks: read the partial
  index ``clock_due_running_idx`` in batches of ``sla.jobs.BATCH_SIZE`` (1,000), mark each batch breached with one UPDATE;
  then the same for the escalation index (``clock_escalate_idx``), moving each clock to level 1
  and computing its next escalation instant on the working calendar. Target: ≤ 1 s.
* **full sweep** (``--full N``, default 1,000 due) — ``sla.jobs.sweep_deadlines`` as the
  scheduler runs it: marks plus a journal entry per change, the internal emails queued in the
  outbox (one per clock, deduplicated) and their own journal entries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _bulk import Inserter, reset_sequences
from _django import database_label, setup

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
PREFIX = "BSW-"
SPEC: dict[str, Any] = {
    "name": "acknowledge",
    "label": "Báo đã tiếp nhận (03 ngày làm việc)",
    "label_en": "Acknowledge receipt (3 working days)",
    "target": {"working_days": 3},
    "calendar": "vn-official",
    "pause_on": ["force_majeure"],
    "warning": {"after": {"working_days": 2}},
    "escalation": [
        {"level": 1, "to": ["assignee"], "after": {"hours": 0}},
        {"level": 2, "to": ["department_head"], "after": {"working_days": 1}},
        {"level": 3, "to": ["leadership"], "after": {"working_days": 3}},
    ],
    "start": ["received", "reopen"],
    "stop": ["acknowledge", "answer_now"],
    "procedure": {"slug": "vieon", "version": 1},
}


def seed(n: int, due: int, batch: int) -> None:
    from django.db import transaction

    from complaintdesk.complaints.models import Complaint, Customer
    from complaintdesk.sla.models import Clock

    have = Complaint.objects.filter(code__startswith=PREFIX).count()
    if have >= n:
        print(f"data present: {have:,} complaints")
        return
    if have:
        raise SystemExit(f"{have:,} benchmark complaints exist (need {n:,}): use a fresh database")
    rng = random.Random(7)
    t0 = time.perf_counter()
    customers = Inserter(Customer, NOW)
    n_customers = max(1, n // 100)
    customer_ids = customers.take_ids(n_customers)
    with transaction.atomic():
        customers.insert(
            [
                {"id": i, "name": f"Khách hàng {i}", "address": "Quy Nhơn, Bình Định"}
                for i in customer_ids
            ]
        )
    complaints, clocks = Inserter(Complaint, NOW), Inserter(Clock, NOW)
    due_set = set(rng.sample(range(n), due))
    done = 0
    while done < n:
        size = min(batch, n - done)
        ids = complaints.take_ids(size)
        rows_c, rows_k = [], []
        for offset, cid in enumerate(ids):
            k = done + offset
            if k in due_set:
                due_at = NOW - timedelta(seconds=rng.randint(1, 6 * 3600))
            else:
                due_at = NOW + timedelta(seconds=rng.randint(600, 30 * 86400))
            received = due_at - timedelta(days=3)
            rows_c.append(
                {
                    "id": cid,
                    "code": f"{PREFIX}{k:08d}",
                    "channel": "hotline",
                    "kind": "complaint",
                    "status": "verifying",
                    "received_at": received,
                    "customer_id": customer_ids[k % n_customers],
                    "subject": "Không xem được phim",
                    "priority": "normal",
                    "language": "vi",
                    "procedure": "vieon",
                    "procedure_version": 1,
                    "next_due_at": due_at,
                    "account_info": {},
                    "content_info": {},
                    "payment_info": {},
                    "verification": {},
                }
            )
            rows_k.append(
                {
                    "id": cid,
                    "complaint_id": cid,
                    "name": "acknowledge",
                    "run": 1,
                    "label": SPEC["label"],
                    "label_en": SPEC["label_en"],
                    "spec": SPEC,
                    "calendar": "vn-official",
                    "state": "running",
                    "start_event": "received",
                    "started_at": received,
                    "due_at": due_at,
                    "warn_at": None,
                    "escalate_at": due_at,
                    "explanation": "hạn 24:00",
                    "explanation_en": "due 24:00",
                }
            )
        with transaction.atomic():
            complaints.insert(rows_c)
            clocks.insert(rows_k)
        done += size
        if done % 100_000 == 0 or done == n:
            print(
                f"  {done:,} complaints and clocks ({time.perf_counter() - t0:.0f} s)", flush=True
            )
    reset_sequences(Customer, Complaint, Clock)
    _analyze()


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def reset(now: datetime) -> int:
    """Put every clock due at ``now`` back to running, not escalated (between repetitions), then
    VACUUM on PostgreSQL: in production autovacuum clears the dead row versions a sweep leaves
    long before the next 10,000 clocks fall due; here the resets would pile them up."""
    from django.db import connection
    from django.db.models import F

    from complaintdesk.sla.models import Clock

    n = Clock.objects.filter(due_at__lte=now).update(
        state="running",
        breached_at=None,
        escalated_level=0,
        escalate_at=F("due_at"),
        warned_at=None,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {Clock._meta.db_table}")
    return n


def server_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backend serving this connection (same host),
    0 on SQLite (whose work runs in this process and shows in its own CPU time)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def select_and_mark(now: datetime) -> tuple[int, int, float, float]:
    """The sweep's selection + marking, pass by pass, in its batches (what ``sweep_deadlines``
    does before journaling and notifying): (breached, escalated, wall s, CPU s of this process
    and, on PostgreSQL, of its server backend)."""
    from django.db import transaction

    from complaintdesk.sla.jobs import BATCH_SIZE, mark_breached, mark_escalated, select_due

    breached = escalated = 0
    cpu, server, t0 = time.process_time(), server_cpu(), time.perf_counter()
    for kind, mark in (("breached", mark_breached), ("escalated", mark_escalated)):
        while True:
            with transaction.atomic():
                ids = select_due(kind, now, BATCH_SIZE)  # type: ignore[arg-type]
                if not ids:
                    break
                marks = mark(ids, now)
                breached += sum(m.breached for m in marks)
                escalated += sum(bool(m.level) for m in marks)
    wall = time.perf_counter() - t0
    return breached, escalated, wall, time.process_time() - cpu + server_cpu() - server


def plan() -> str:
    """How the database runs the sweep's selection (``sla.jobs.select_due``) of one batch."""
    from django.db import connection, transaction

    from complaintdesk.sla import jobs

    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        jobs.select_due("breached", NOW, jobs.BATCH_SIZE)
    sql, params = captured[-1]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cur:
        cur.execute(prefix + sql, params)
        return " | ".join(str(row[-1]).strip() for row in cur.fetchall())


def full_sweep(n_due: int) -> tuple[float, Any]:
    """Leave only ``n_due`` clocks due, run the real sweep (journal, outbox), restore."""
    from django.db import transaction

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.notifications.models import Outbox
    from complaintdesk.sla.jobs import sweep_deadlines
    from complaintdesk.sla.models import Clock

    User.objects.get_or_create(
        username="bench-leader", defaults={"role": Role.LEADERSHIP, "email": "bgd@bench.vn"}
    )
    reset(NOW)
    due_ids = list(
        Clock.objects.filter(due_at__lte=NOW).order_by("id").values_list("pk", flat=True)
    )
    later = due_ids[n_due:]
    with transaction.atomic():
        for start in range(0, len(later), 5000):
            chunk = later[start : start + 5000]
            Clock.objects.filter(pk__in=chunk).update(
                due_at=NOW + timedelta(days=400), escalate_at=NOW + timedelta(days=400)
            )
    t0, cpu = time.perf_counter(), time.process_time()
    result = sweep_deadlines(now=NOW)
    elapsed = time.perf_counter() - t0
    print(f"  (full sweep client CPU {time.process_time() - cpu:.2f} s)")
    outbox = Outbox.objects.filter(dedupe_key__startswith="clock:").count()
    # Restore the postponed clocks (their original instants are gone: make them due again).
    with transaction.atomic():
        for start in range(0, len(later), 5000):
            chunk = later[start : start + 5000]
            Clock.objects.filter(pk__in=chunk).update(
                due_at=NOW - timedelta(minutes=5), escalate_at=NOW - timedelta(minutes=5)
            )
    return elapsed, (result, outbox)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=20_000, help="rows per insert transaction")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--full", type=int, default=1_000, help="due clocks in the full sweep (0: skip)"
    )
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    from complaintdesk.sla.jobs import BATCH_SIZE

    call_command("migrate", verbosity=0)
    print(database_label())
    seed(args.complaints, args.due, args.batch)
    print("plan:", plan())
    load = os.getloadavg()[0]
    walls, cpus = [], []
    for _ in range(args.repeat):
        reset(NOW)
        breached, escalated, wall, cpu = select_and_mark(NOW)
        assert breached == escalated == args.due, (breached, escalated)
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after; batches of {BATCH_SIZE}"
    )
    print(
        f"{args.complaints:,} open complaints, {args.due:,} due — selection + marking "
        f"({args.due:,} breached and escalated to level 1): best {min(walls):.3f} s, median "
        f"{statistics.median(walls):.3f} s over {len(walls)} runs; CPU best {min(cpus):.3f} s "
        "(this process + its PostgreSQL backend)"
    )
    if args.full:
        elapsed, (result, outbox) = full_sweep(min(args.full, args.due))
        print(
            f"full sweep with {min(args.full, args.due):,} due: {elapsed:.2f} s "
            f"({result.breached:,} breached, {result.escalated:,} escalated, "
            f"{outbox:,} outbox rows, journal entries included)"
        )


if __name__ == "__main__":
    main()
