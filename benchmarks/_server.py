"""Start a real ComplaintDesk server (gunicorn or granian) for the HTTP benchmarks, on a fresh database.

The server runs with DJANGO_DEBUG off (as in production), on 127.0.0.1 only. Every request loop
in the benchmarks is bounded in count and time, and the server is stopped at the end.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(os.environ.get("VENV", ROOT / ".venv")) / "bin"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432"


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its live children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[1] is the parent pid; [11], [12] are utime, stime (see proc(5)).
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        API_RATE="0/60",  # the load generators use one token: no API rate limit here
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip()


@dataclass
class Database:
    label: str
    env: dict[str, str]


@contextlib.contextmanager
def fresh_database(kind: str) -> Iterator[Database]:
    """A new, migrated database with the demo organisation; removed afterwards."""
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="cd-bench-")
        env = base_env(COMPLAINTDESK_VAR_DIR=tmp)
        try:
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "createcachetable")
            manage(env, "demo_data", "--org-only")
            yield Database("SQLite (WAL)", env)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    name = f"cd_bench_{int(time.time())}_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = base_env(
        DATABASE_URL=f"{PG_ADMIN}/{name}",
        COMPLAINTDESK_VAR_DIR=tempfile.mkdtemp(prefix="cd-bench-"),
    )
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "demo_data", "--org-only")
        yield Database("PostgreSQL", env)
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
            check=False,
        )


def api_token(env: dict[str, str], username: str, role: str) -> str:
    return manage(env, "api_token", username, "--create", "--role", role).splitlines()[-1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int) -> Iterator[tuple[str, int, int]]:
    """A gunicorn serving config.wsgi on a free local port; yields (host, port, master pid)."""
    port = free_port()
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--backlog",
        "256",
        "--keep-alive",
        "30",
        "--log-level",
        os.environ.get("GUNICORN_LOG_LEVEL", "warning"),
    ]
    with _serving(cmd, env, port) as served:
        yield served


@contextlib.contextmanager
def granian(env: dict[str, str], *, workers: int, threads: int) -> Iterator[tuple[str, int, int]]:
    """A granian (Rust HTTP server, WSGI interface) serving config.wsgi:application on a free
    local port, ``workers`` processes with ``threads`` Python threads each; yields (host, port,
    main pid)."""
    port = free_port()
    cmd = [
        str(VENV_BIN / "granian"),
        "--interface",
        "wsgi",
        "config.wsgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        os.environ.get("GRANIAN_LOG_LEVEL", "warning"),
    ]
    with _serving(cmd, env, port) as served:
        yield served


SERVERS = {"gunicorn": gunicorn, "granian": granian}


@contextlib.contextmanager
def _serving(cmd: list[str], env: dict[str, str], port: int) -> Iterator[tuple[str, int, int]]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        # Any answer will do (401 here): the workers have imported the app.
        deadline = time.monotonic() + 180
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/api/v1/complaints")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.5)
        yield "127.0.0.1", port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
