#!/usr/bin/env python
"""Where one signed webhook request spends its CPU and its SQL: in-process, no HTTP server.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-prof-hooks .venv/bin/python benchmarks/profile_webhooks.py --prepare
    COMPLAINTDESK_VAR_DIR=/tmp/cd-prof-hooks .venv/bin/python benchmarks/profile_webhooks.py -n 2000 --profile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_prof_hooks .venv/bin/python benchmarks/profile_webhooks.py --prepare -n 2000

Posts ``-n`` signed Messenger / Zalo events (``--channel``) through the real URL through
Django's WSGI handler as gunicorn calls it (the whole middleware stack, DEBUG off, the database task backend)
and prints the CPU time and the SQL statements per event; ``--profile`` adds the top functions by
cumulative CPU time (cProfile with a CPU timer), ``--sql`` one request's statements. ``--prepare``
migrates and loads the demo organisation first. Read with bench_webhooks.py, which measures the
same path under load through gunicorn (add ~0.3–0.5 ms of gunicorn's own HTTP work per request).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

from _django import prepare_database, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--channel", choices=("facebook", "zalo", "mixed"), default="mixed")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    from bench_webhooks import FB_SECRET, ZALO_APP_ID, ZALO_KEY, build

    os.environ.update(
        FACEBOOK_APP_SECRET=FB_SECRET,
        ZALO_APP_ID=ZALO_APP_ID,
        ZALO_OA_SECRET_KEY=ZALO_KEY,
        WEBHOOK_RATE="100000000/60",
        TASKS_BACKEND="database",
        LOG_LEVEL="WARNING",
    )
    setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    if args.prepare:
        prepare_database()
    settings.ALLOWED_HOSTS = ["*"]
    application = WSGIHandler()
    base = int(time.time() * 1000) % 10**6 * 100
    statements: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    def post(n: int) -> None:
        """One request through the WSGI application, with the environ gunicorn builds."""
        path, body, headers = build(args.channel, n)
        environ = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "RAW_URI": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "50000",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT_ENCODING": "identity",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
        }
        status: list[str] = []
        chunks = application(environ, lambda s, h, *_: status.append(s))
        b"".join(chunks)
        chunks.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{status[0]}")

    for i in range(20):  # warm caches (URL resolvers, channel rows, translations)
        post(base - 100 + i)
    with connection.execute_wrapper(count):
        statements.clear()
        post(base - 1)
        one = list(statements)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        statements.clear()
        if profiler:
            profiler.enable()
        for i in range(args.n):
            post(base + i)
        if profiler:
            profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"{connection.vendor}: {args.n} {args.channel} webhook events, "
        f"CPU {cpu / args.n * 1000:.3f} ms each, wall {wall / args.n * 1000:.3f} ms each, "
        f"{len(statements) / args.n:.1f} SQL statements each"
        + (" (profiled: CPU inflated)" if profiler else "")
    )
    if args.sql:
        for sql in one:
            print("  ", sql[:200])
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
