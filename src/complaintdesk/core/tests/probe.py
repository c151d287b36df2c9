"""A task that records each run in a raw table, to prove workers share work without repeats."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task

TABLE = "probe_runs"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (job INTEGER PRIMARY KEY, runs INTEGER NOT NULL, worker VARCHAR(40) NOT NULL)"


@task()
def probe(job: int) -> int:
    time.sleep(0.05)  # long enough that one worker cannot drain the queue alone
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (job, runs, worker) VALUES (%s, 1, %s) "
            f"ON CONFLICT (job) DO UPDATE SET runs = {TABLE}.runs + 1",
            [job, os.environ.get("PROBE_WORKER", "?")],
        )
    return job
