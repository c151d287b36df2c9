"""How the workspace shows values: dd/mm/yyyy dates, Asia/Ho_Chi_Minh times, VND amounts, labels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import get_language

from complaintdesk.complaints.domain import lifecycle
from complaintdesk.core.clock import LOCAL_TZ

DUE_SOON = timedelta(hours=4)


def lang_index() -> int:
    """0 for Vietnamese, 1 for English (the index into the lifecycle's (vi, en) label pairs)."""
    return 1 if (get_language() or "vi").startswith("en") else 0


def pick(pair: tuple[str, str] | None, default: str = "") -> str:
    return pair[lang_index()] if pair else default


def vnd(amount: Any) -> str:
    """120000 → '120.000 ₫'."""
    if amount in (None, ""):
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return str(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".") + " ₫"


def as_local(value: datetime) -> datetime:
    if not value.tzinfo:
        return value
    try:
        return value.astimezone(LOCAL_TZ)
    except OverflowError:  # a far-off year stored before inputs were range-checked
        return value


def fmt_date(value: Any) -> str:
    if isinstance(value, datetime):
        return as_local(value).strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and value:
        parsed = _parse(value)
        return fmt_date(parsed) if parsed else value
    return ""


def fmt_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return as_local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, str) and value:
        parsed = _parse(value)
        return fmt_datetime(parsed) if parsed else value
    return fmt_date(value)


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def state_label(state: str) -> str:
    try:
        return pick(lifecycle.STATE_LABELS[lifecycle.State(state)])
    except ValueError:
        return state


def action_label(action: str) -> str:
    try:
        return pick(lifecycle.ACTION_LABELS[lifecycle.Action(action)])
    except ValueError:
        return action


def role_label(role: str) -> str:
    try:
        return pick(lifecycle.ROLE_LABELS[lifecycle.Role(role)])
    except ValueError:
        return role


def choice_label(field: str, value: str) -> str:
    labels: Mapping[str, tuple[str, str]] = lifecycle.CHOICE_LABELS.get(field, {})
    return pick(labels.get(value), value)


def department_name(department: Any) -> str:
    if department is None:
        return ""
    english_name = str(getattr(department, "name_en", None) or "")
    if lang_index() == 1 and english_name:
        return english_name
    return str(department.name)


def clock_css(*, state: str, due_at: datetime | None, now: datetime) -> str:
    """One of running / due-soon / breached / paused / stopped, for colour and the countdown."""
    if state in ("breached", "overdue"):
        return "breached"
    if state in ("paused", "suspended"):
        return "paused"
    if state in ("met", "stopped", "done", "completed", "cancelled"):
        return "stopped"
    if due_at is None:
        return "running"
    if due_at <= now:
        return "breached"
    if due_at - now <= DUE_SOON:
        return "due-soon"
    return "running"
