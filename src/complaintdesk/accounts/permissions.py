"""Who may do what: the one place where roles are turned into permissions.

Lifecycle actions are decided by the transition table (``complaints.domain.lifecycle``), which
names the roles allowed for each action; everything else is decided here. Every view, API handler
and command asks these functions; none decides on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from complaintdesk.accounts.models import Role

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

# Capability → roles that hold it.
CAPABILITIES: dict[str, frozenset[str]] = {
    "complaint.create": frozenset({Role.RECEIVER, Role.HEAD, Role.ADMIN}),
    "complaint.view": frozenset(
        {Role.RECEIVER, Role.STAFF, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}
    ),
    "complaint.edit": frozenset({Role.RECEIVER, Role.HEAD, Role.ADMIN}),
    "complaint.assign": frozenset({Role.RECEIVER, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "note.add": frozenset({Role.RECEIVER, Role.STAFF, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "message.send": frozenset({Role.RECEIVER, Role.HEAD, Role.ADMIN}),
    "attachment.add": frozenset(
        {Role.RECEIVER, Role.STAFF, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}
    ),
    "task.create": frozenset({Role.RECEIVER, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "task.update": frozenset({Role.RECEIVER, Role.STAFF, Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "force_majeure.declare": frozenset({Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "force_majeure.approve": frozenset({Role.LEADERSHIP, Role.ADMIN}),
    "calendar.edit": frozenset({Role.ADMIN}),
    "procedure.edit": frozenset({Role.ADMIN}),
    "report.view": frozenset({Role.HEAD, Role.LEADERSHIP, Role.ADMIN, Role.RECEIVER}),
    "journal.view": frozenset({Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "customer.export": frozenset({Role.LEADERSHIP, Role.ADMIN}),
    "admin.config": frozenset({Role.ADMIN}),
    # Workspace pages: the leadership view, and picking any department's board.
    "leadership.view": frozenset({Role.HEAD, Role.LEADERSHIP, Role.ADMIN}),
    "board.any_department": frozenset({Role.RECEIVER, Role.LEADERSHIP, Role.ADMIN}),
}


def has_capability(user: User | None, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return user.role in CAPABILITIES[capability]


def complaint_scope(user: User) -> Q:
    """The complaints a user may see, as a filter on the complaint model.

    Receivers, leadership and administrators see every complaint (receivers need a caller's
    history). Department staff see the complaints that have a task for their department.
    Department heads see those plus the complaints their department is responsible for and every
    escalated complaint.
    """
    if user.role in (Role.RECEIVER, Role.LEADERSHIP, Role.ADMIN):
        return Q()
    dept = user.department_id
    if user.role == Role.STAFF:
        if dept is None:
            return Q(pk__in=[])
        return Q(_with_task_for(dept))
    if user.role == Role.HEAD:
        q = Q(escalation_level__gt=0)
        if dept is not None:
            q |= Q(department_id=dept) | Q(_with_task_for(dept))
        return q
    return Q(pk__in=[])


def _with_task_for(department_id: int) -> Exists:
    """ "Has a task for the department", as a correlated EXISTS (not a join: a join duplicates
    rows; not ``pk IN (tasks)``: SQLite then starts from every task of the department and sorts,
    ~1–2.5 s at 1M complaints with 50k tasks a department, where EXISTS lets the list walk its
    own index and stop after a page: ~1–3 ms)."""
    task = apps.get_model("complaints", "Task")  # by name: accounts sits below complaints
    return Exists(task.objects.filter(complaint_id=OuterRef("pk"), department_id=department_id))


def scope_complaints(user: User, qs: QuerySet) -> QuerySet:  # type: ignore[type-arg]
    scope = complaint_scope(user)
    if not scope:
        return qs
    # The scope joins nothing (tasks are a sub-select), so it filters the list directly and the
    # list keeps walking its own index in order.
    return qs.filter(scope)


def can_see_complaint(user: User, complaint_id: int, model: Any) -> bool:
    if not has_capability(user, "complaint.view"):
        return False
    scope = complaint_scope(user)
    if not scope:
        return True
    return bool(model.objects.filter(scope, pk=complaint_id).exists())


def can_update_task(user: User, task: object) -> bool:
    """Department staff update only their own department's tasks; the desk, heads, leadership
    and administrators update any task of a complaint they may see."""
    if not has_capability(user, "task.update"):
        return False
    if user.role == Role.STAFF:
        return (
            user.department_id is not None
            and getattr(task, "department_id", None) == user.department_id
        )
    return True
