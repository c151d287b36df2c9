#!/usr/bin/env python
"""Complaint intake through the HTTP API: creations per second with concurrent clients.

    .venv/bin/python benchmarks/bench_intake.py                      # SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_intake.py --db sqlite --clients 8 --seconds 20
    .venv/bin/python benchmarks/bench_intake.py --db postgres --workers 4 --threads 2
    .venv/bin/python benchmarks/bench_intake.py --db sqlite --repeat 4 --server gunicorn
    # on a populated database (e.g. seeded by seed_bulk.py with 1M complaints), kept afterwards:
    COMPLAINTDESK_VAR_DIR=/tmp/perf/1m .venv/bin/python benchmarks/bench_intake.py --db sqlite --existing
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_1m .venv/bin/python benchmarks/bench_intake.py --db postgres --existing

Each run: a fresh database (migrated, demo organisation, an API token for an integration user
with the receiver role), a granian (or ``--server gunicorn``) server on 127.0.0.1 with
DJANGO_DEBUG off (3 processes × 1 thread unless --workers/--threads), then --clients threads
POST /api/v1/complaints with keep-alive connections for --seconds (at most --max requests in
all), ``--repeat`` times against the same server. Every complaint has a new customer (a new phone), as at a busy call centre.
Reports creations/s (201 answers), latency p50/p95 and any other answers.
Targets (issue 2 §7, 2-core machine): ≥ 300/s on SQLite, ≥ 500/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator

from _django import machine_label, percentile
from _server import (
    SERVERS,
    Database,
    api_token,
    base_env,
    fresh_database,
    manage,
    tree_cpu_seconds,
)

SUBJECTS = (
    ("Xem phim bị giật, chập chờn liên tục", "content-playback"),
    ("Bị trừ tiền hai lần khi mua gói", "payment-wrong-charge"),
    ("Tài khoản bị khóa, không đăng nhập được", "account-locked"),
    ("Mất tín hiệu truyền hình cáp", "technical-signal"),
    ("Phim thiếu phụ đề tiếng Việt", "content-subtitle"),
)


def payload(n: int) -> bytes:
    subject, category = SUBJECTS[n % len(SUBJECTS)]
    body = {
        "channel": "api",
        "kind": "complaint",
        "customer": {"name": "Nguyễn Thị Lan", "phone": f"+8477{n % 10**7:07d}"},
        "subject": subject,
        "description": "Khách hàng phản ánh qua tổng đài, đề nghị kiểm tra và phản hồi sớm.",
        "category": category,
    }
    if category.startswith("payment"):
        body["payment"] = {"package": "Gói VIP 1 tháng", "method": "Ví MoMo", "amount_vnd": 132000}
    return json.dumps(body, ensure_ascii=False).encode()


def machine_busy_seconds() -> float:
    """CPU time all cores spent not idle (``/proc/stat``: user … steal, without idle and
    iowait), in seconds."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    busy = sum(fields) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def client(
    host: str,
    port: int,
    token: str,
    start: int,
    step: int,
    stop_at: float,
    budget: list[int],
    lock: threading.Lock,
    results: list[tuple[int, float]],
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    n = start
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        began = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/complaints", body=payload(n), headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        results.append((status, time.perf_counter() - began))
        n += step
    conn.close()


def _pool(
    host: str,
    port: int,
    token: str,
    clients: int,
    first: int,
    seconds: float,
    budget: list[int],
    results: list[tuple[int, float]],
) -> None:
    """``clients`` threads posting for ``seconds`` (or until the budget is spent)."""
    lock, stop_at = threading.Lock(), time.monotonic() + seconds
    pool = [
        threading.Thread(
            target=client,
            args=(host, port, token, first + i, clients, stop_at, budget, lock, results),
        )
        for i in range(clients)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


@contextlib.contextmanager
def existing_database(kind: str) -> Iterator[Database]:
    """The database the environment names (DATABASE_URL / COMPLAINTDESK_VAR_DIR), as it is."""
    extra = {"COMPLAINTDESK_VAR_DIR": os.environ.get("COMPLAINTDESK_VAR_DIR", "")}
    if kind == "postgres":
        extra["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env = base_env(**{k: v for k, v in extra.items() if v})
    manage(env, "createcachetable")
    yield Database(f"{'PostgreSQL' if kind == 'postgres' else 'SQLite (WAL)'} (existing)", env)


SPAN = 200_000  # phone numbers per window (far more than a window posts)


def first_free_number(env: dict[str, str]) -> int:
    """The first benchmark phone number (``+8477…``) no customer has yet, so that every run on a
    kept database (``--existing``) files each complaint under a new customer too, as the first
    run did (reused numbers take the known-customer path, which re-indexes their complaints)."""
    code = (
        "from complaintdesk.complaints.models import CustomerIdentity as I; "
        "v = I.objects.filter(kind='phone', value__startswith='+8477')"
        ".order_by('-value').values_list('value', flat=True).first(); "
        "print(int(v[5:]) + 1 if v else 0)"
    )
    return int(manage(env, "shell", "-c", code).splitlines()[-1])


def run(
    kind: str,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    workers: int,
    threads: int,
    warmup: float = 5,
    existing: bool = False,
    repeat: int = 1,
    server: str = "granian",
) -> list[dict[str, object]]:
    """``repeat`` measured windows of ``seconds`` against one server and database (the
    machine's speed varies by ±20 % from minute to minute here: report them all)."""
    windows: list[dict[str, object]] = []
    with (existing_database if existing else fresh_database)(kind) as db:
        token = api_token(db.env, "bench-intake", "receiver")
        base = first_free_number(db.env)
        if base + (repeat + 1) * SPAN > 10**7:
            raise SystemExit("the +8477 phone range of this database is used up: seed a new one")
        with SERVERS[server](db.env, workers=workers, threads=threads) as (host, port, pid):
            # Warm-up, as loaded as the run: every worker thread has imported the URLs and
            # opened its database connection before the clock starts.
            _pool(host, port, token, clients, base, warmup, [clients * 20], [])
            for window in range(repeat):
                first = base + (window + 1) * SPAN
                windows.append(
                    _window(host, port, pid, token, clients, seconds, max_requests, first)
                )
                windows[-1].update(db=db.label, workers=workers, threads=threads)
    return windows


def _window(
    host: str,
    port: int,
    pid: int,
    token: str,
    clients: int,
    seconds: float,
    max_requests: int,
    first: int,
) -> dict[str, object]:
    results: list[tuple[int, float]] = []
    cpu_before, load = tree_cpu_seconds(pid), os.getloadavg()[0]
    client_before, machine_before = time.process_time(), machine_busy_seconds()
    began = time.monotonic()
    # Each window posts its own phones from ``first`` on (a new customer per complaint).
    _pool(host, port, token, clients, first, seconds, [max_requests], results)
    elapsed = time.monotonic() - began
    server_cpu = tree_cpu_seconds(pid) - cpu_before
    client_cpu = time.process_time() - client_before
    machine = machine_busy_seconds() - machine_before
    statuses = Counter(status for status, _ in results)
    created = statuses.get(201, 0)
    latencies = [d * 1000 for status, d in results if status == 201]
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "created": created,
        "per_second": round(created / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "other": {k: v for k, v in statuses.items() if k != 201},
        # Server CPU per creation, and the rate the machine's cores could sustain at that cost
        # (what an idle machine would reach if nothing but CPU limited it).
        "load": load,
        "cpu_ms": round(1000 * server_cpu / max(1, len(results)), 1),
        # The load clients' own CPU, and every core's busy time (server, clients, database).
        "client_ms": round(1000 * client_cpu / max(1, len(results)), 1),
        "machine_ms": round(1000 * machine / max(1, len(results)), 1),
        "busy": round(machine / elapsed / (os.cpu_count() or 1) * 100),
        "ceiling": round(len(results) / server_cpu * (os.cpu_count() or 1), 0) if server_cpu else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: by database)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per worker (default: by database)"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="use the database the environment names (populated), not a fresh one",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="measured windows against the same server"
    )
    parser.add_argument(
        "--server",
        choices=sorted(SERVERS),
        default="granian",
        help="HTTP server (default granian: ~1 ms less CPU per request than gunicorn gthread)",
    )
    args = parser.parse_args()
    print(machine_label(), flush=True)
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    cores = os.cpu_count() or 2
    for kind in kinds:
        # Three processes of one thread each: the best of the layouts measured (README).
        workers = args.workers or cores + 1
        threads = args.threads or 1
        windows = run(
            kind,
            clients=args.clients,
            seconds=args.seconds,
            max_requests=args.max,
            workers=workers,
            threads=threads,
            existing=args.existing,
            repeat=args.repeat,
            server=args.server,
        )
        for result in windows:
            print(
                f"{result['db']:<13} {result['clients']} clients, {args.server} {workers}×{threads}: "
                f"{result['per_second']:>7} creations/s  ({result['created']} in "
                f"{result['seconds']}s)  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  "
                f"other answers: {result['other'] or 'none'}  | server CPU {result['cpu_ms']} "
                f"ms/request → ≤ {result['ceiling']:.0f}/s on {cores} cores; clients "
                f"{result['client_ms']} ms/request; whole machine {result['machine_ms']} "
                f"ms/request, cores {result['busy']} % busy (load average {result['load']:.1f})",
                flush=True,
            )
        if len(windows) > 1:
            rates = sorted(float(w["per_second"]) for w in windows)  # type: ignore[arg-type]
            print(
                f"{windows[0]['db']}: {len(rates)} windows, creations/s median "
                f"{statistics.median(rates):.1f}, best {rates[-1]:.1f}, worst {rates[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
