#!/usr/bin/env python
"""One deadline sweep over 1,000,000 open complaints of which 10,000 are due.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench-sweep .venv/bin/python benchmarks/bench_sweep.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench_sweep .venv/bin/python benchmarks/bench_sweep.py

Set-up (not measured; skipped when the data is already there): migrates the database named by
the environment, then writes ``--complaints`` open complaints, their journal chain heads and
one running ``acknowledge`` clock each (the vieon preset's spec, escalation level 1 at the due
instant), each table in ONE set-based ``INSERT … SELECT`` (PostgreSQL ``generate_series``,
SQLite a recursive CTE: ~3–4 min for 1M on either); ``--due`` of the clocks, spread evenly over
the table, are past due at the benchmark's instant, each at its own instant within the last six
hours (the worst case for the sweep), the others due within the next 30 days.

Measured (best and median of ``--repeat`` runs, the due clocks reset in between):

* **selection + marking** — what ``sla.jobs.sweep_deadlines`` does before journaling, batch by
  batch (``sla.jobs.BATCH_SIZE``, 1,000): ``select_due`` (one statement: the partial index
  ``clock_due_running_idx`` and, on PostgreSQL, the complaints locked ``FOR NO KEY UPDATE SKIP
  LOCKED``) and ``mark_breached`` (one UPDATE: breached, and escalated to level 1 with the next
  level's instant computed on the working calendar); then the escalation pass, which finds
  nothing more. Wall and CPU time (this process plus, on PostgreSQL, its server backend) and
  WAL written. Target: ≤ 1 s. ``--checkpoint``: a CHECKPOINT before each run, so that every page
  the sweep writes first logs a full-page image (the worst case; a sweep every minute meets a
  checkpoint every five).
* **full sweep** (``--full N``, default 1,000 due) — ``sla.jobs.sweep_deadlines`` as the
  scheduler runs it: marks plus a journal entry per change, the internal emails queued in the
  outbox (one per clock, deduplicated) and their own journal entries.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _bulk import max_id, reset_sequences
from _django import database_label, machine_label, setup

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


def _stride(n: int) -> int:
    """A multiplier coprime with ``n`` near ``n / φ``: ``k * stride mod n`` is then a permutation
    of 0..n-1 that spreads any range of ranks evenly over 0..n-1 (a Weyl sequence), so the due
    rows are scattered over the table as a random sample would be, not clustered."""
    stride = max(1, round(n * 0.6180339887498949))
    while math.gcd(stride, n) != 1:
        stride += 1
    return stride


def _insert_select(model: Any, exprs: dict[str, Any], source: str) -> int:
    """``INSERT INTO <model> (every column) SELECT … FROM <source>``: ``exprs`` gives some
    columns (attname → SQL over the source's ``k``, or ``(SQL with %s, [params])``; a literal
    ``%`` is written ``%%``); every other column gets its field's default (auto_now: ``NOW``) as
    a parameter. One statement: no row goes through Python."""
    from django.db import connection, models

    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(f.column))
        expr = exprs.get(f.attname)
        if isinstance(expr, tuple):
            values.append(expr[0])
            params.extend(expr[1])
            continue
        if expr is not None:
            values.append(expr)
            continue
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            value: Any = NOW
        else:
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.attname} needs an expression")
        values.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.rowcount)


def seed(n: int, due: int) -> None:
    """Customers, complaints, their chain heads and clocks, each in one set-based INSERT … SELECT
    (PostgreSQL: ``generate_series``; SQLite: a recursive CTE). Row ``k`` (0 ≤ k < n) is due
    when ``k * stride mod n`` (a permutation of 0..n-1) is below ``due``: its rank r then puts
    its due instant ``1 + 2r`` seconds before ``NOW`` (no two alike, within the last six hours);
    the others are due 10 minutes to 30 days after ``NOW``."""
    from django.db import connection, transaction

    from complaintdesk.complaints.models import Complaint, Customer
    from complaintdesk.journal.domain.chain import GENESIS
    from complaintdesk.journal.models import ChainHead
    from complaintdesk.sla.models import Clock

    have = Complaint.objects.filter(code__startswith=PREFIX).count()
    if have >= n:
        print(f"data present: {have:,} complaints")
        return
    if have:
        raise SystemExit(f"{have:,} benchmark complaints exist (need {n:,}): use a fresh database")
    assert due <= n and 2 * due < 6 * 3600, "due instants must fit in the last six hours"
    pg = connection.vendor == "postgresql"
    n_customers = max(1, n // 100)
    stride, later = _stride(n), 30 * 86400 - 600
    base_customer = max_id(Customer) + 1
    base = max(max_id(Complaint), max_id(Clock)) + 1  # complaint k and its clock share an id
    rank = f"((k * {stride}) %% {n})"  # literal integers: no parameter typing issues
    offset = f"(CASE WHEN {rank} < {due} THEN -1 - 2 * {rank} ELSE 600 + (k * 7919) %% {later} END)"
    now = NOW.timestamp()
    if pg:

        def series(count: int) -> str:
            return f"generate_series(0::bigint, {count - 1}) AS g(k)"

        def at(seconds: str) -> str:  # NOW + seconds, as a timestamptz
            return f"to_timestamp({now} + ({seconds}))"

        def text(expr: str) -> str:
            return f"({expr})::text"
    else:

        def series(count: int) -> str:
            return (
                f"(WITH RECURSIVE g(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM g "
                f"WHERE k < {count - 1}) SELECT k FROM g)"
            )

        def at(seconds: str) -> str:  # Django's SQLite datetimes: naive UTC text
            return f"datetime({now} + ({seconds}), 'unixepoch')"

        def text(expr: str) -> str:
            return f"CAST({expr} AS TEXT)"

    due_at = at(offset)
    received = at(f"{offset} - 3 * 86400")
    t0 = time.perf_counter()

    def done(what: str, rows: int) -> None:
        print(f"  {rows:,} {what} ({time.perf_counter() - t0:.0f} s)", flush=True)

    with transaction.atomic():
        done(
            "customers",
            _insert_select(
                Customer,
                {
                    "id": f"{base_customer} + k",
                    "name": "'Khách hàng ' || " + text(f"{base_customer} + k"),
                    "address": "'Quy Nhơn, Bình Định'",
                },
                series(n_customers),
            ),
        )
        code = f"'{PREFIX}' || " + (
            "lpad(k::text, 8, '0')" if pg else "substr('00000000' || k, -8, 8)"
        )
        done(
            "complaints",
            _insert_select(
                Complaint,
                {
                    "id": f"{base} + k",
                    "code": code,
                    "channel": "'hotline'",
                    "status": "'verifying'",
                    "received_at": received,
                    "customer_id": f"{base_customer} + k %% {n_customers}",
                    "subject": "'Không xem được phim'",
                    "procedure": "'vieon'",
                    "next_due_at": due_at,
                },
                series(n),
            ),
        )
        # Every complaint's journal chain has its head row (the sweep's entries update it), as
        # in production; an empty chain (seq 0, genesis hash) verifies.
        done(
            "chain heads",
            _insert_select(
                ChainHead,
                {"chain": "'c:' || " + text(f"{base} + k"), "seq": "0", "hash": f"'{GENESIS}'"},
                series(n),
            ),
        )
        spec = json.dumps(SPEC, ensure_ascii=False)
        done(
            "clocks",
            _insert_select(
                Clock,
                {
                    "id": f"{base} + k",
                    "complaint_id": f"{base} + k",
                    "name": "'acknowledge'",
                    "label": ("%s", [SPEC["label"]]),
                    "label_en": ("%s", [SPEC["label_en"]]),
                    "spec": ("%s::jsonb" if pg else "%s", [spec]),
                    "calendar": "'vn-official'",
                    "start_event": "'received'",
                    "started_at": received,
                    "due_at": due_at,
                    "escalate_at": due_at,
                    "explanation": "'hạn 24:00'",
                    "explanation_en": "'due 24:00'",
                },
                series(n),
            ),
        )
    reset_sequences(Customer, Complaint, Clock)
    _analyze()
    done("rows analysed", n)


def _analyze() -> None:
    """Statistics; on PostgreSQL also VACUUM (FREEZE): rows as a long-lived table has them (hint
    bits set, all-visible), not as a bulk load leaves them for the first reader to write."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (FREEZE, ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def wal_position() -> int:
    """PostgreSQL: the WAL insert position in bytes (0 on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")
        return int(cur.fetchone()[0])


def checkpoint() -> None:
    """PostgreSQL: CHECKPOINT, so that the next write to every page logs a full-page image."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")


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


def select_and_mark(now: datetime) -> tuple[int, int, float, float, int]:
    """The sweep's selection + marking, pass by pass, in its batches (what ``sweep_deadlines``
    does before journaling and notifying): (breached, escalated, wall s, CPU s of this process
    and, on PostgreSQL, of its server backend, WAL bytes written on PostgreSQL)."""
    from django.db import transaction

    from complaintdesk.sla.jobs import BATCH_SIZE, mark_breached, mark_escalated, select_due

    breached = escalated = 0
    wal = wal_position()
    cpu, server, t0 = time.process_time(), server_cpu(), time.perf_counter()
    for kind, mark in (("breached", mark_breached), ("escalated", mark_escalated)):
        while True:
            with transaction.atomic():
                rows = select_due(kind, now, BATCH_SIZE)  # type: ignore[arg-type]
                if not rows:
                    break
                marks = mark(rows, now)
                breached += sum(m.breached for m in marks)
                escalated += sum(bool(m.level) for m in marks)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu + server_cpu() - server
    return breached, escalated, wall, cpu, wal_position() - wal


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
    sql, params = captured[0]  # the selection (PostgreSQL then locks by primary key)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cur:
        cur.execute(prefix + sql, params)
        return " | ".join(str(row[-1]).strip() for row in cur.fetchall())


def full_sweep(n_due: int) -> tuple[float, Any]:
    """Leave only ``n_due`` clocks due, run the real sweep (journal, outbox), restore."""
    from django.db import connection, transaction

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.notifications.models import Outbox
    from complaintdesk.sla.jobs import sweep_deadlines
    from complaintdesk.sla.models import Clock

    User.objects.get_or_create(
        username="bench-leader", defaults={"role": Role.LEADERSHIP, "email": "bgd@bench.vn"}
    )
    reset(NOW)
    # A fresh start for the notices: rows left by an earlier run would make the handlers find
    # their dedupe keys taken and skip rendering and queueing.
    Outbox.objects.filter(dedupe_key__startswith="clock:").delete()
    due = list(Clock.objects.filter(due_at__lte=NOW).order_by("id").values_list("pk", "due_at"))
    later = due[n_due:]
    far = NOW + timedelta(days=400)
    with transaction.atomic():
        for start in range(0, len(later), 5000):
            chunk = [pk for pk, _ in later[start : start + 5000]]
            Clock.objects.filter(pk__in=chunk).update(due_at=far, escalate_at=far)
    t0, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
    result = sweep_deadlines(now=NOW)
    elapsed = time.perf_counter() - t0
    client = time.process_time() - cpu
    print(
        f"  (full sweep CPU: client {client:.2f} s, PostgreSQL backend {server_cpu() - server:.2f} s)"
    )
    outbox = Outbox.objects.filter(dedupe_key__startswith="clock:").count()
    # Put the postponed clocks back as they were (the next runs need their distinct instants).
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {Clock._meta.db_table} SET due_at = %s, escalate_at = %s WHERE id = %s",
            [(adapt(at), adapt(at), pk) for pk, at in later],
        )
    return elapsed, (result, outbox)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--full", type=int, default=1_000, help="due clocks in the full sweep (0: skip)"
    )
    parser.add_argument(
        "--checkpoint",
        action="store_true",
        help="PostgreSQL: CHECKPOINT before each run (every page written logs a full image)",
    )
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    from complaintdesk.sla.jobs import BATCH_SIZE

    call_command("migrate", verbosity=0)
    print(machine_label())
    print(database_label())
    seed(args.complaints, args.due)
    print("plan:", plan())
    load = os.getloadavg()[0]
    walls, cpus, wals = [], [], []
    for _ in range(args.repeat):
        reset(NOW)
        if args.checkpoint:
            checkpoint()
        breached, escalated, wall, cpu, wal = select_and_mark(NOW)
        assert breached == escalated == args.due, (breached, escalated)
        walls.append(wall)
        cpus.append(cpu)
        wals.append(wal / 1e6)
        print(
            f"  run: {wall:.3f} s, CPU {cpu:.3f} s" + (f", WAL {wal / 1e6:.0f} MB" if wal else "")
        )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after; batches of {BATCH_SIZE}"
        + ("; CHECKPOINT before each run" if args.checkpoint else "")
    )
    print(
        f"{args.complaints:,} open complaints, {args.due:,} due — selection + marking "
        f"({args.due:,} breached and escalated to level 1): best {min(walls):.3f} s, median "
        f"{statistics.median(walls):.3f} s over {len(walls)} runs; CPU best {min(cpus):.3f} s, "
        f"median {statistics.median(cpus):.3f} s (this process + its PostgreSQL backend)"
        + (f"; WAL median {statistics.median(wals):.0f} MB" if any(wals) else "")
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
