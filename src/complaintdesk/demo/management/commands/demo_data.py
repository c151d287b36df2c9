"""``manage.py demo_data``: the demo organisation and a few hundred realistic complaints.

Idempotent: running it again creates nothing twice. Passwords are set only in DEBUG (the demo
password) or with an explicit ``--password``.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaintdesk.core.clock import utcnow
from complaintdesk.demo.generator import demo_complaints_ensure
from complaintdesk.demo.org import DEMO_PASSWORD, ROLE_LOGINS, demo_org_ensure


class Command(BaseCommand):
    help = "Create the demo organisation (departments, categories, one user per role) and demo complaints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=300, help="complaints to have (default 300)"
        )
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--password",
            default=None,
            help="set this password on every demo user (default: the demo password, in DEBUG only)",
        )
        parser.add_argument("--org-only", action="store_true", help="no complaints")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["count"]
        if count < 0 or count > 100_000:
            raise CommandError(
                "--count must be between 0 and 100000 (use benchmarks/seed_bulk.py for more)"
            )
        explicit = options["password"]
        password = explicit or (DEMO_PASSWORD if settings.DEBUG else None)
        org = demo_org_ensure(password=password, reset_password=bool(explicit))
        if org.created_users:
            self.stdout.write(f"Users created: {', '.join(org.created_users)}")
        if password is None and org.created_users:
            self.stdout.write(
                self.style.WARNING(
                    "No password set (DJANGO_DEBUG is off): use --password or `manage.py changepassword`."
                )
            )
        if options["org_only"] or count == 0:
            return
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  … {done}/{total}")

        summary = demo_complaints_ensure(
            org=org, count=count, seed=options["seed"], now=utcnow(), progress=progress
        )
        took = time.monotonic() - started
        states = ", ".join(f"{state} {n}" for state, n in summary.states.most_common())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo complaints: {summary.created} created, {summary.skipped} already there, "
                f"{summary.transitions} lifecycle actions in {took:.1f}s. States: {states or '—'}"
            )
        )
        if summary.refused:
            self.stdout.write(
                self.style.WARNING(f"{summary.refused} actions were refused and skipped")
            )
        self.stdout.write("Logins: " + ", ".join(ROLE_LOGINS))
