"""Read queries of the agent workspace. Every list is bounded and backed by an index."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from complaintdesk.accounts.models import Department, User
from complaintdesk.accounts.permissions import (
    can_see_complaint,
    complaint_scope,
    has_capability,
    scope_complaints,
)
from complaintdesk.complaints.models import (
    OPEN_STATUS_VALUES,
    Complaint,
    Customer,
    CustomerIdentity,
    IdentityKind,
    Task,
    TaskStatus,
)
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.web.formatting import clock_css, lang_index

log = logging.getLogger(__name__)
OPEN_TASK = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
LIST_FIELDS = (
    "id",
    "code",
    "kind",
    "channel",
    "status",
    "received_at",
    "subject",
    "priority",
    "vulnerable",
    "next_due_at",
    "escalation_level",
    "customer__id",
    "customer__name",
    "department__id",
    "department__name",
    "department__name_en",
    "assignee__id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "category__id",
    "category__name",
    "category__name_en",
    "category__parent_id",
)


def list_queryset(user: User) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("customer", "department", "assignee", "category")
    return scope_complaints(user, qs.only(*LIST_FIELDS))


def complaint_for(user: User, pk: int) -> Complaint:
    """The complaint if the user may see it; 404 otherwise (its existence is not revealed)."""
    if not can_see_complaint(user, pk, Complaint):
        raise Http404
    try:
        return Complaint.objects.select_related(
            "customer", "department", "assignee", "category", "recorded_by"
        ).get(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None


def customer_history(user: User, complaint: Complaint, limit: int = 10) -> list[Complaint]:
    qs = Complaint.objects.filter(customer_id=complaint.customer_id).exclude(pk=complaint.pk)
    qs = scope_complaints(user, qs.only("id", "code", "status", "received_at", "subject"))
    return list(qs.order_by("-received_at")[:limit])


def customer_identities(customer: Customer) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for identity in customer.identities.all():
        out.setdefault(identity.kind, []).append(identity.value)
    return out


# --- clocks -----------------------------------------------------------------------------------


def clocks(complaint: Complaint, now: datetime) -> list[dict[str, Any]]:
    """Every clock of the complaint with its deadline explanation (from the sla app when present)."""
    raw: list[dict[str, Any]] = []
    try:
        from complaintdesk.sla.selectors import clocks_for  # type: ignore[import-not-found,unused-ignore]

        raw = list(clocks_for(complaint))
    except ImportError:
        raw = []
    except Exception:
        log.exception("clocks_for failed for complaint %s", complaint.pk)
        raw = []
    if not raw and complaint.next_due_at is not None and complaint.is_open:
        raw = [{"name": "", "state": "running", "due_at": complaint.next_due_at, "explanation": ""}]
    out = []
    for item in raw:
        due_at = item.get("due_at")
        state = str(item.get("state", "running"))
        out.append(
            {
                "key": str(item.get("name") or ""),
                "name": _text(item.get("label") or item.get("name") or ""),
                "state": state,
                "due_at": due_at,
                "explanation": _text(item.get("explanation") or ""),
                "css": clock_css(state=state, due_at=due_at, now=now),
            }
        )
    return out


def _text(value: Any) -> str:
    """A label that may come as a plain string or as a (vi, en) pair / {"vi":…, "en":…} dict."""
    if isinstance(value, tuple | list) and len(value) == 2:
        return str(value[lang_index()])
    if isinstance(value, dict):
        return str(value.get("en" if lang_index() else "vi") or next(iter(value.values()), ""))
    return str(value)


# --- my work ----------------------------------------------------------------------------------


@dataclass
class WorkItem:
    kind: str  # "complaint" or "task"
    due_at: datetime | None
    complaint: Complaint
    task: Task | None = None


COUNT_CAP = 1000  # counts stop here ("1000+"): bounded work whatever the backlog


@dataclass
class MyWork:
    items: list[WorkItem] = field(default_factory=list)
    overdue: int = 0
    due_today: int = 0

    @property
    def overdue_text(self) -> str:
        return f"{COUNT_CAP}+" if self.overdue >= COUNT_CAP else str(self.overdue)

    @property
    def due_today_text(self) -> str:
        return f"{COUNT_CAP}+" if self.due_today >= COUNT_CAP else str(self.due_today)


def _capped(qs: QuerySet[Any]) -> int:
    return int(qs[:COUNT_CAP].count())


def _end_of_today(now: datetime) -> datetime:
    local_day = now.astimezone(LOCAL_TZ).date()
    return datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


RECENT_WINDOW = 2000
WORK_FIELDS = (
    "id",
    "code",
    "status",
    "subject",
    "next_due_at",
    "received_at",
    "customer__id",
    "customer__name",
)


def my_work(user: User, now: datetime, limit: int = 40) -> MyWork:
    """The user's open complaints and their department's open tasks, nearest deadline first.
    Only complaints the user may open: an assignee left on a complaint that has since moved out
    of their scope (another department's now) does not see it listed."""
    end_today = _end_of_today(now)
    mine = scope_complaints(
        user, Complaint.objects.filter(assignee=user, status__in=OPEN_STATUS_VALUES)
    )
    with_due = mine.filter(next_due_at__isnull=False)
    complaints = list(
        with_due.select_related("customer").only(*WORK_FIELDS).order_by("next_due_at", "pk")[:limit]
    )
    if len(complaints) < limit:
        # Open complaints with no running deadline (waiting for the customer…): looked for among
        # the user's newest RECENT_WINDOW complaints, so a long closed history costs nothing.
        recent = (
            Complaint.objects.filter(assignee=user)
            .order_by("-received_at", "-pk")
            .values("pk")[:RECENT_WINDOW]
        )
        complaints += list(
            mine.filter(next_due_at__isnull=True, pk__in=recent)
            .select_related("customer")
            .only(*WORK_FIELDS)
            .order_by("-received_at")[: limit - len(complaints)]
        )
    overdue = _capped(with_due.filter(next_due_at__lt=now))
    due_today = _capped(with_due.filter(next_due_at__gte=now, next_due_at__lt=end_today))
    tasks: list[Task] = []
    if user.department_id:
        task_qs = Task.objects.filter(department_id=user.department_id, status__in=OPEN_TASK)
        tasks = list(
            task_qs.select_related("complaint", "complaint__customer", "assignee").order_by(
                "due_at", "pk"
            )[:limit]
        )
        overdue = min(COUNT_CAP, overdue + _capped(task_qs.filter(due_at__lt=now)))
        due_today = min(
            COUNT_CAP, due_today + _capped(task_qs.filter(due_at__gte=now, due_at__lt=end_today))
        )
    items = [WorkItem("complaint", c.next_due_at, c) for c in complaints]
    items += [WorkItem("task", t.due_at, t.complaint, t) for t in tasks]
    far = datetime.max.replace(tzinfo=LOCAL_TZ)
    items.sort(key=lambda item: item.due_at or far)
    return MyWork(items=items, overdue=overdue, due_today=due_today)


# --- department board -------------------------------------------------------------------------


@dataclass
class Board:
    department: Department | None
    open_tasks: list[Task]
    done_tasks: list[Task]
    escalations: list[Complaint]


def department_board(user: User, department: Department | None, *, limit: int = 100) -> Board:
    open_tasks: list[Task] = []
    done_tasks: list[Task] = []
    if department is not None:
        base = Task.objects.filter(department=department).select_related(
            "complaint", "complaint__customer", "assignee"
        )
        open_tasks = list(base.filter(status__in=OPEN_TASK).order_by("due_at", "pk")[:limit])
        done_tasks = list(base.filter(status=TaskStatus.DONE).order_by("-completed_at", "-pk")[:20])
    escalations: list[Complaint] = []
    if has_capability(user, "leadership.view"):
        escalations = list(
            scope_complaints(user, Complaint.objects.filter(status="escalated"))
            .select_related("customer", "department")
            .order_by("received_at", "pk")[:limit]
        )
    return Board(department, open_tasks, done_tasks, escalations)


# --- leadership -------------------------------------------------------------------------------


@dataclass
class Leadership:
    escalations: list[Complaint]
    breaches: list[Complaint]
    by_department: list[tuple[str, list[Complaint]]]
    clock_breaches: list[tuple[str, list[dict[str, Any]]]]


def _breached_clocks(
    complaints: list[Complaint], now: datetime
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The overdue clocks of these (already bounded) complaints, grouped by clock."""
    try:
        from complaintdesk.sla.models import Clock
    except ImportError:
        return []
    by_id = {c.pk: c for c in complaints}
    clocks = (
        Clock.objects.filter(complaint_id__in=list(by_id), stopped_at__isnull=True)
        .filter(Q(state="breached") | Q(state="running", due_at__lt=now))
        .order_by("due_at", "pk")
    )
    english = bool(lang_index())
    groups: dict[str, list[dict[str, Any]]] = {}
    for clock in clocks:
        label = clock.label_en if english and clock.label_en else clock.label
        complaint = by_id[clock.complaint_id]
        groups.setdefault(label or clock.name, []).append(
            {"complaint": complaint, "due_at": clock.due_at}
        )
    return sorted(groups.items())


def leadership_overview(user: User, now: datetime, *, limit: int = 200) -> Leadership:
    """Escalated and overdue complaints, within what the user may see (a department head: their
    department's, those with a task for it, and escalated ones; leadership: all)."""
    escalations = list(
        scope_complaints(user, Complaint.objects.filter(status="escalated"))
        .select_related("customer", "department", "assignee")
        .order_by("received_at", "pk")[:limit]
    )
    overdue = Complaint.objects.filter(next_due_at__lt=now, status__in=OPEN_STATUS_VALUES)
    breaches = list(
        scope_complaints(user, overdue)
        .select_related("customer", "department", "assignee")
        .order_by("next_due_at", "pk")[:limit]
    )
    groups: dict[str, list[Complaint]] = {}
    for complaint in breaches:
        name = complaint.department.name if complaint.department else ""
        groups.setdefault(name, []).append(complaint)
    clock_breaches = _breached_clocks(breaches, now)
    return Leadership(escalations, breaches, sorted(groups.items()), clock_breaches)


# --- intake look-up ---------------------------------------------------------------------------


def customers_matching(
    user: User, *, phone: str, name: str, limit: int = 5
) -> list[dict[str, Any]]:
    """Customers known by this phone (any format), else by name; with their latest complaints.

    A user with a limited scope (a department head) sees the card of a customer only when one of
    the customer's complaints is theirs to see: a name fragment must not list everyone's
    contacts, nor a typed phone show a stranger's other phones and emails. A customer found by
    phone outside that scope is reported as known (``hidden``), without details — the complaint
    being taken will join that customer all the same."""
    from complaintdesk.complaints.domain.identity import try_normalize_phone

    limited = bool(complaint_scope(user))
    in_scope = Exists(scope_complaints(user, Complaint.objects.filter(customer_id=OuterRef("pk"))))
    customers: list[Customer] = []
    hidden = False
    normalized = try_normalize_phone(phone) if phone else None
    if normalized:
        ids = CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=normalized).values(
            "customer_id"
        )
        by_phone = Customer.objects.filter(pk__in=ids)
        customers = list((by_phone.filter(in_scope) if limited else by_phone)[:limit])
        hidden = limited and not customers and by_phone.exists()
    elif name and len(name.strip()) >= 3:
        by_name = Customer.objects.filter(name__icontains=name.strip())
        customers = list((by_name.filter(in_scope) if limited else by_name)[:limit])
    out: list[dict[str, Any]] = []
    for customer in customers:
        history = scope_complaints(
            user,
            Complaint.objects.filter(customer=customer).only(
                "id", "code", "status", "received_at", "subject"
            ),
        ).order_by("-received_at")[:5]
        out.append(
            {
                "customer": customer,
                "identities": customer_identities(customer),
                "history": list(history),
            }
        )
    if hidden:
        out.append({"hidden": True})
    return out


def department_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.filter(active=True)]


def assignable_users(department: Department | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True)
    if department is not None:
        qs = qs.filter(Q(department=department))
    return qs.order_by("username")
