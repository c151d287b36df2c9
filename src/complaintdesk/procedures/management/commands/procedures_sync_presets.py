"""Publish the shipped preset files that changed since their procedure's current version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from complaintdesk.procedures.services import procedures_sync_presets


class Command(BaseCommand):
    help = "Publish changed preset procedures (skips procedures an administrator edited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="publish even over an administrator's version"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        published = procedures_sync_presets(force=options["force"])
        for version in published:
            self.stdout.write(f"{version.procedure.slug}: version {version.version}")
        if not published:
            self.stdout.write("Không có thay đổi / nothing to publish.")
