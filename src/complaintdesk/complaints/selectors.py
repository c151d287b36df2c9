"""Reading complaints: the filtered, cursor-paginated list and everything one record shows.

Every list query is backed by an index of ``complaints_complaint`` (see ``Complaint.Meta``):
filters on status, channel, department, assignee or customer use their composite index, whose
tail (``received_at``, ``id``) serves the ordering; the deadline order walks the partial
``next_due_at`` index. Pages are cut by keyset (a row-value bound, never OFFSET) and nothing
counts the table. Measured with ``benchmarks/explain_api_list.py``.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

# Row-value comparison, (a, b) < (x, y): the database reads it as one bound of the two-column
# index, where "a < x OR (a = x AND b < y)" makes PostgreSQL scan and sort (seen at 1M rows).
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from complaintdesk.accounts.models import Department, User
from complaintdesk.accounts.permissions import scope_complaints
from complaintdesk.complaints.domain.identity import try_normalize_phone
from complaintdesk.complaints.messages import msg
from complaintdesk.complaints.models import (
    STATUS_CHOICES,
    Attachment,
    Category,
    Channel,
    Complaint,
    CustomerIdentity,
    Direction,
    IdentityKind,
    Kind,
    Message,
    Task,
)
from complaintdesk.core.clock import supported_year
from complaintdesk.core.errors import NotFound, ValidationFailed

MAX_LIMIT = 100
ORDERS = ("received", "deadline")
LIST_FIELDS = (
    "code",
    "kind",
    "channel",
    "status",
    "received_at",
    "subject",
    "priority",
    "vulnerable",
    "next_due_at",
    "version",
    "customer__name",
    "department__code",
    "assignee__username",
    "category__code",
)
_STATUSES = frozenset(value for value, _label in STATUS_CHOICES)


@dataclass(frozen=True)
class ComplaintFilters:
    status: str = ""
    channel: str = ""
    kind: str = ""
    department: str = ""  # department code
    assignee: str = ""  # username
    phone: str = ""  # any format; normalised to E.164
    category: str = ""  # category code
    received_from: datetime | None = None
    received_to: datetime | None = None


@dataclass(frozen=True)
class Page:
    items: list[Complaint]
    next_cursor: str | None


def _fail(field: str, code: str, **params: object) -> ValidationFailed:
    return ValidationFailed({field: msg(code, **params)})


# --- cursors: opaque to clients, base64url of a small JSON ----------------------------------


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str) -> dict[str, Any]:
    try:
        if len(cursor) > 300:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("o") != order[0]:
            raise ValueError(data)
        i = data.get("i")
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < 2**63:
            raise ValueError(data)
        if data.get("t") is not None:
            when = datetime.fromisoformat(data["t"])
            if when.tzinfo is None or not supported_year(when):
                raise ValueError(data)
            data["t"] = when
        elif not (order == "deadline" and data.get("n")):
            raise ValueError(data)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _fail("cursor", "invalid_cursor") from None
    return data


# --- the list ---------------------------------------------------------------------------------


def _filtered(user: User, filters: ComplaintFilters) -> QuerySet[Complaint]:
    qs = Complaint.objects.all()
    if filters.status:
        if filters.status not in _STATUSES:
            raise _fail("status", "invalid_choice", value=filters.status[:40])
        qs = qs.filter(status=filters.status)
    if filters.channel:
        if filters.channel not in Channel.values:
            raise _fail("channel", "invalid_choice", value=filters.channel[:40])
        qs = qs.filter(channel=filters.channel)
    if filters.kind:
        if filters.kind not in Kind.values:
            raise _fail("kind", "invalid_choice", value=filters.kind[:40])
        qs = qs.filter(kind=filters.kind)
    if filters.department:
        dept_id = (
            Department.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        )
        if dept_id is None:
            raise _fail("department", "unknown_department")
        qs = qs.filter(department_id=dept_id)
    if filters.assignee:
        user_id = (
            User.objects.filter(username=filters.assignee).values_list("pk", flat=True).first()
        )
        if user_id is None:
            raise _fail("assignee", "unknown_user")
        qs = qs.filter(assignee_id=user_id)
    if filters.category:
        cat_id = Category.objects.filter(code=filters.category).values_list("pk", flat=True).first()
        if cat_id is None:
            raise _fail("category", "unknown_category")
        qs = qs.filter(category_id=cat_id)
    if filters.phone:
        phone = try_normalize_phone(filters.phone)
        if phone is None:
            raise _fail("phone", "invalid_phone")
        customer_id = (
            CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=phone)
            .values_list("customer_id", flat=True)
            .first()
        )
        qs = qs.filter(customer_id=customer_id) if customer_id else qs.none()
    for name in ("received_from", "received_to"):
        value = getattr(filters, name)
        if value is not None and value.tzinfo is None:
            raise _fail(name, "naive_datetime")
    if filters.received_from is not None:
        qs = qs.filter(received_at__gte=filters.received_from)
    if filters.received_to is not None:
        qs = qs.filter(received_at__lt=filters.received_to)
    return scope_complaints(user, qs)


def _row_values() -> bool:
    """Where the database compares row values itself (PostgreSQL), the row bound is enough (an
    extra plain bound there makes the planner misjudge the rows and sort). Elsewhere (SQLite)
    Django writes it out as an OR, and the plain bound is what limits the index range."""
    return bool(getattr(connection.features, "supports_tuple_lookups", False))


def _newest_first(qs: QuerySet[Complaint], after: dict[str, Any] | None) -> QuerySet[Complaint]:
    if after is not None:
        t, i = after["t"], after["i"]
        qs = qs.filter(TupleLessThan(Tuple(F("received_at"), F("id")), (t, i)))
        if not _row_values():
            qs = qs.filter(received_at__lte=t)
    return qs.order_by("-received_at", "-id")


def complaint_list(
    *,
    user: User,
    filters: ComplaintFilters,
    cursor: str | None = None,
    limit: int = 25,
    order: str = "received",
) -> Page:
    """One page of the complaints ``user`` may see, newest first or nearest deadline first.

    ``order="deadline"`` lists complaints with a running deadline by ``(next_due_at, id)``, then
    those without one, newest first.
    """
    if order not in ORDERS:
        raise _fail("order", "invalid_choice", value=order[:40])
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor, order) if cursor else None
    base = (
        _filtered(user, filters)
        .select_related("customer", "department", "assignee", "category")
        .only(*LIST_FIELDS)
    )
    if order == "received":
        rows = list(_newest_first(base, after)[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows else None
        nxt = (
            encode_cursor({"o": "r", "t": last.received_at.isoformat(), "i": last.pk})
            if more and last
            else None
        )
        return Page(rows, nxt)

    rows = []
    if after is None or not after.get("n"):
        due = base.filter(next_due_at__isnull=False)
        if after is not None:
            t, i = after["t"], after["i"]
            due = due.filter(TupleGreaterThan(Tuple(F("next_due_at"), F("id")), (t, i)))
            if not _row_values():
                due = due.filter(next_due_at__gte=t)
        rows = list(due.order_by("next_due_at", "id")[: limit + 1])
        if len(rows) > limit:
            last = rows[limit - 1]
            return Page(
                rows[:limit],
                encode_cursor(
                    {"o": "d", "t": last.next_due_at.isoformat(), "i": last.pk}  # type: ignore[union-attr]
                ),
            )
        after = None  # the deadlines are exhausted: continue with the complaints without one
    else:
        after = after if after.get("t") else None
    need = limit - len(rows)
    undated = list(_newest_first(base.filter(next_due_at__isnull=True), after)[: need + 1])
    more = len(undated) > need
    rows += undated[:need]
    nxt = None
    if more:
        last = rows[-1] if rows else None
        if last is None or last.next_due_at is not None:
            nxt = encode_cursor({"o": "d", "n": 1, "t": None, "i": 0})
        else:
            nxt = encode_cursor({"o": "d", "n": 1, "t": last.received_at.isoformat(), "i": last.pk})
    return Page(rows, nxt)


# --- one record -------------------------------------------------------------------------------


def complaint_get(*, user: User, code: str) -> Complaint:
    """The complaint ``code`` if ``user`` may see it; NotFound otherwise (existence not revealed)."""
    qs = Complaint.objects.filter(code=code).select_related(
        "customer", "category", "department", "assignee", "recorded_by"
    )
    complaint: Complaint | None = scope_complaints(user, qs).first()
    if complaint is None:
        raise NotFound("Không tìm thấy phiếu.", "Complaint not found.")
    return complaint


def complaint_reload(pk: int) -> Complaint:
    """A complaint just written by a service, with what its answer shows (no scope check)."""
    return Complaint.objects.select_related(
        "customer", "category", "department", "assignee", "recorded_by"
    ).get(pk=pk)


def complaint_tasks(complaint: Complaint) -> QuerySet[Task]:
    return (
        Task.objects.filter(complaint=complaint)
        .select_related("department", "assignee", "created_by")
        .order_by("created_at", "id")
    )


def complaint_task(complaint: Complaint, task_id: int) -> Task:
    task = complaint_tasks(complaint).filter(pk=task_id).first()
    if task is None:
        raise NotFound("Không tìm thấy nhiệm vụ.", "Task not found.")
    task.complaint = complaint
    return task


def complaint_messages(complaint: Complaint, *, notes: bool | None = None) -> QuerySet[Message]:
    """Messages with the customer and internal notes (``notes`` True/False selects one kind)."""
    qs = Message.objects.filter(complaint=complaint).select_related("author")
    if notes is True:
        qs = qs.filter(direction=Direction.NOTE)
    elif notes is False:
        qs = qs.exclude(direction=Direction.NOTE)
    return qs.order_by("created_at", "id")


def complaint_attachments(complaint: Complaint) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(complaint=complaint)
        .select_related("uploaded_by")
        .defer("file")
        .order_by("created_at", "id")
    )


def complaint_attachment(complaint: Complaint, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.filter(complaint=complaint, pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", "Attachment not found.")
    return attachment


def complaint_clocks(complaint: Complaint, lang: str | None = None) -> list[Any]:
    """The complaint's deadline clocks ({name, state, due_at, explanation, …}) from the SLA app,
    explanations in ``lang``; an empty list where the SLA app does not provide them."""
    try:
        from complaintdesk.sla.selectors import clocks_for
    except ImportError:
        return []
    if "lang" in inspect.signature(clocks_for).parameters:
        return list(clocks_for(complaint, lang=lang))
    return list(clocks_for(complaint))
