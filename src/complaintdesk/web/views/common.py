"""Helpers shared by the workspace's views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import get_language

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.complaints.domain.lifecycle import TransitionRefused
from complaintdesk.core.errors import ServiceError, ValidationFailed


def lang() -> str:
    return get_language() or "vi"


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def require(request: HttpRequest, capability: str) -> User:
    user = actor(request)
    if not has_capability(user, capability):
        raise PermissionDenied
    return user


def add_service_error(
    form: forms.Form, exc: Exception, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's refusal beside the field it concerns, in the user's language."""
    field_map = field_map or {}
    language = lang()

    def place(field: str | None, message: str) -> None:
        target = field_map.get(field or "", field)
        if target and target in form.fields:
            form.add_error(target, message)
        else:
            form.add_error(None, message)

    if isinstance(exc, ValidationFailed):
        index = 1 if language.startswith("en") else 0
        for field, pair in exc.errors.items():
            place(field, pair[index])
    elif isinstance(exc, (TransitionRefused, ServiceError)):
        place(exc.field, exc.message(language))
    else:
        raise exc


def pydantic_errors(exc: Any) -> dict[str, tuple[str, str]]:
    """Pydantic ValidationError → {"customer.phone": (vi, en)} using the complaints' messages."""
    from complaintdesk.complaints.messages import MESSAGES, msg

    out: dict[str, tuple[str, str]] = {}
    for error in exc.errors():
        loc = ".".join(str(p) for p in error.get("loc", ()))
        text = str(error.get("msg", ""))
        code = text.removeprefix("Value error, ")
        if code in MESSAGES:
            out.setdefault(loc, msg(code))
        elif error.get("type") == "string_too_long":
            out.setdefault(loc, msg("too_long", max=error.get("ctx", {}).get("max_length", "?")))
        elif error.get("type") in ("string_too_short", "missing"):
            out.setdefault(loc, msg("required"))
        else:
            out.setdefault(loc, msg("invalid"))
    return out
