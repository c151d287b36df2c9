"""Template filters for the agent workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from complaintdesk.core.clock import utcnow
from complaintdesk.web import formatting

register = template.Library()

register.filter("vnd", formatting.vnd)
register.filter("ddmmyyyy", formatting.fmt_date)
register.filter("ddmmyyyy_hm", formatting.fmt_datetime)
register.filter("state_label", formatting.state_label)
register.filter("action_label", formatting.action_label)
register.filter("role_label", formatting.role_label)
register.filter("dept_name", formatting.department_name)


@register.filter
def iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else ""


@register.filter
def due_css(due_at: datetime | None) -> str:
    """Colour class of a bare deadline (a task's due time, a complaint's next deadline)."""
    if due_at is None:
        return "none"
    return formatting.clock_css(state="running", due_at=due_at, now=utcnow())


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (empty value = removed)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded: str = params.urlencode()
    return encoded


@register.simple_tag(takes_context=True)
def can(context: Any, capability: str) -> bool:
    """{% can "complaint.create" as may_create %} — asks accounts.permissions."""
    from complaintdesk.accounts.permissions import has_capability

    return has_capability(context["request"].user, capability)


@register.filter
def task_status_label(value: str) -> str:
    from complaintdesk.complaints.models import TaskStatus

    return str(dict(TaskStatus.choices).get(value, value))


@register.filter
def channel_label(value: str) -> str:
    from complaintdesk.complaints.models import Channel

    return str(dict(Channel.choices).get(value, value))


@register.filter
def kind_label(value: str) -> str:
    from complaintdesk.complaints.models import Kind

    return str(dict(Kind.choices).get(value, value))


@register.filter
def priority_label(value: str) -> str:
    from complaintdesk.complaints.models import Priority

    return str(dict(Priority.choices).get(value, value))


@register.filter
def phone(value: str) -> str:
    """+84912345678 → 0912 345 678 (national format)."""
    from complaintdesk.complaints.domain.identity import format_phone_national

    return format_phone_national(value) if value else ""


@register.filter
def phones(values: list[str]) -> str:
    return ", ".join(phone(v) for v in values or [])


@register.filter
def field_group(bound_field: Any) -> str:
    from complaintdesk.web.rendering import field_group as render

    return render(bound_field)


@register.filter
def countdown(due: datetime | None, css: str = "") -> str:
    """{{ due|countdown }} or {{ due|countdown:"paused" }}."""
    from complaintdesk.web.rendering import countdown as render

    if not css and due is not None:
        css = formatting.clock_css(state="running", due_at=due, now=utcnow())
    return render(due, css)


@register.filter
def field_row(bound_field: Any, extra: str = "") -> str:
    """One field in its wrapper: ``{{ form.subject|field_row }}`` or ``|field_row:"wide"``."""
    from complaintdesk.web.rendering import field_row as render

    return render(bound_field, wide=extra == "wide")
