#!/usr/bin/env python
"""Where one API creation spends its CPU and its SQL: in-process, no HTTP server.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-prof .venv/bin/python benchmarks/profile_intake.py --prepare
    COMPLAINTDESK_VAR_DIR=/tmp/cd-prof .venv/bin/python benchmarks/profile_intake.py -n 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_prof .venv/bin/python benchmarks/profile_intake.py --prepare -n 300

Posts ``-n`` complaints through ``POST /api/v1/complaints`` with Django's test client (the
whole middleware and API stack, DEBUG off), each with a new customer, and prints the CPU time
and the number of SQL statements per creation; ``--profile`` adds the top functions by
cumulative CPU time, ``--sql`` one creation's statements. ``--prepare`` migrates and loads the
demo organisation first. Read with bench_intake.py, which measures the same path under load.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from _django import machine_label, prepare_database, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--dump", help="write the profile to this file (pstats)")
    args = parser.parse_args()
    # One token posts every complaint: no API rate limit here (as bench_intake's servers).
    os.environ.setdefault("API_RATE", "0/60")
    setup()
    from bench_intake import payload
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from complaintdesk.accounts.auth import api_token_issue
    from complaintdesk.accounts.models import User

    if args.prepare:
        prepare_database()
    user, _ = User.objects.get_or_create(username="prof-intake", defaults={"role": "receiver"})
    _token, raw = api_token_issue(user=user, name="profile_intake")
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    base = int(time.time() * 1000) % 10**6 * 10
    statements: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    def post(i: int) -> None:
        response = client.post(
            "/api/v1/complaints", data=payload(base + i), content_type="application/json"
        )
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")

    for i in range(1, 11):  # warm caches (procedures, calendars, URL resolvers)
        post(-i)
    with connection.execute_wrapper(count):
        statements.clear()
        post(-11)  # the same kind of complaint as the first timed one
        one = list(statements)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        statements.clear()
        if profiler:
            profiler.enable()
        for i in range(args.n):
            post(i)
        if profiler:
            profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(machine_label())
    print(
        f"{connection.vendor}: {args.n} creations, CPU {cpu / args.n * 1000:.2f} ms each, "
        f"wall {wall / args.n * 1000:.2f} ms each, {len(statements) / args.n:.1f} SQL statements each"
    )
    if args.sql:
        for sql in one:
            print("  ", sql[:160])
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
