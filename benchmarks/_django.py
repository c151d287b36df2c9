"""Shared set-up of the benchmark scripts: Django on the database the environment names.

SQLite by default (under COMPLAINTDESK_VAR_DIR, or var/); PostgreSQL with DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The production code path: DEBUG off (no query log), a throwaway secret key.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-" + os.urandom(8).hex())
    import django

    django.setup()


def prepare_database() -> None:
    """Migrate, create the cache table and load the demo organisation (the profilers' --prepare)."""
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo_data", "--org-only", verbosity=0)


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.cursor().connection.info.server_version}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


def machine_label() -> str:
    """The processor, cores and load: figures from different machines are not comparable (the
    same code ran 2.2 times faster on an AMD EPYC than on an Intel Xeon machine of this kind)."""
    import platform

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  "
        f"mean {statistics.fmean(ms):7.2f} ms  (n={len(ms)})"
    )


_BACKEND_PID: dict[int, int] = {}


def cpu_seconds() -> float:
    """CPU seconds used so far by this process plus, on PostgreSQL, the backend serving its
    connection (same host, read from /proc): the cost of the work whatever the machine's load.
    On SQLite the database work runs in this process and is in its own CPU time."""
    import time

    from django.db import connection

    total = time.process_time()
    if connection.vendor != "postgresql":
        return total
    key = id(connection.connection)
    if key not in _BACKEND_PID:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            _BACKEND_PID.clear()
            _BACKEND_PID[id(connection.connection)] = int(cur.fetchone()[0])
    try:
        stat = Path(f"/proc/{_BACKEND_PID[id(connection.connection)]}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rsplit(")", 1)[1].split()
    return total + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
