"""Issue an API token for an integration: ``manage.py api_token <username> [--create --role ROLE]``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from complaintdesk.accounts.auth import api_token_issue, integration_user_create
from complaintdesk.accounts.models import Department, Role, User


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (only its SHA-256 is stored). With --create, the "
        "user is created first with --role (and optionally --department)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--role", help=f"role of a created user: {', '.join(Role.values)}")
        parser.add_argument("--department", help="department code of a created user")
        parser.add_argument("--name", default="", help="label of the token (e.g. the integration)")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        role: str | None = options["role"]
        if role is not None and role not in Role.values:
            raise CommandError(f"Unknown role {role!r}. Choose one of: {', '.join(Role.values)}.")
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                known = ", ".join(Department.objects.values_list("code", flat=True)) or "none"
                raise CommandError(f"Unknown department {options['department']!r}. Known: {known}.")
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                if not options["create"]:
                    raise CommandError(
                        f"No user {username!r}. Add --create --role ROLE to create one."
                    )
                if role is None:
                    raise CommandError(f"--create needs --role (one of: {', '.join(Role.values)}).")
                try:
                    user = integration_user_create(
                        username=username, role=role, department=department
                    )
                except ValidationError as exc:
                    raise CommandError(f"Cannot create user {username!r}: {exc}") from None
                self.stderr.write(f"Created user {username!r} with role {role!r}.")
            elif not user.is_active:
                raise CommandError(f"User {username!r} is deactivated.")
            elif role is not None and role != user.role:
                raise CommandError(
                    f"User {username!r} already exists with role {user.role!r}; "
                    "change roles in the admin, not here."
                )
            token, raw = api_token_issue(user=user, name=options["name"])
        self.stderr.write(
            f"Token {token.prefix}… for {username!r} (role {user.role}). "
            "Store it now: it is not shown again."
        )
        self.stdout.write(raw)
