"""Two worker processes share queued work and never run a task twice."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import connection

from complaintdesk.core.tests.probe import CREATE, TABLE
from complaintdesk.core.tests.processes import command_env, manage, run

JOBS = 50
REDIS_URL = os.environ.get("REDIS_URL", "")

ENQUEUE = (
    f"from complaintdesk.core.tests.probe import probe\nfor n in range({JOBS}): probe.enqueue(n)\n"
)


def _rows() -> list[tuple[int, int, str]]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT job, runs, worker FROM {TABLE} ORDER BY job")
        return [tuple(r) for r in cur.fetchall()]


def _redis_workers_ready(pids: set[int]) -> bool:
    from redis import Redis
    from rq import Worker

    conn = Redis.from_url(REDIS_URL)
    return pids <= {w.pid for w in Worker.all(connection=conn)}


def _share_work(backend: str, ready=None) -> list[tuple[int, int, str]]:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(CREATE)
    extra = {"TASKS_BACKEND": backend}
    if backend == "redis":
        extra["REDIS_URL"] = REDIS_URL
    workers = [
        manage("run_worker", env=command_env(PROBE_WORKER=name, **extra)) for name in ("A", "B")
    ]
    try:
        deadline = time.monotonic() + 180  # workers start in ~2 s on an idle machine
        if ready is not None:
            while not ready({w.pid for w in workers}):
                assert time.monotonic() < deadline, "workers did not start"
                assert all(w.poll() is None for w in workers), workers[0].communicate()[0]
                time.sleep(0.2)
        run("shell", "-c", ENQUEUE, env=command_env(**extra))
        deadline = time.monotonic() + 180  # generous: CI machines can be slow
        while len(_rows()) < JOBS or sum(r[1] for r in _rows()) < JOBS:
            assert time.monotonic() < deadline, f"only {len(_rows())} of {JOBS} jobs ran"
            time.sleep(0.2)
        time.sleep(1)  # a duplicate run, if any, would land now
        return _rows()
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except Exception:
                w.kill()
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _assert_shared_once(rows: list[tuple[int, int, str]]) -> None:
    assert [job for job, _, _ in rows] == list(range(JOBS))
    assert {runs for _, runs, _ in rows} == {1}, "a job ran more than once"
    by_worker = {w: sum(1 for *_, x in rows if x == w) for w in ("A", "B")}
    assert by_worker["A"] > 0 and by_worker["B"] > 0, by_worker


@pytest.mark.django_db(transaction=True)
def test_two_database_workers_share_the_queue():
    def started(pids: set[int]) -> bool:
        time.sleep(3)  # db_worker has no registry to poll; give both time to start polling
        return True

    _assert_shared_once(_share_work("database", started))


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it to the Redis service)")
@pytest.mark.django_db(transaction=True)
def test_two_redis_workers_share_the_queue():
    from redis import Redis
    from rq import Queue

    Queue("default", connection=Redis.from_url(REDIS_URL)).empty()
    _assert_shared_once(_share_work("redis", _redis_workers_ready))
