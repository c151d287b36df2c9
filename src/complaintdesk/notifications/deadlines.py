"""What the deadline sweep's marks lead to: internal emails, customer notices, escalation level.

Registered with ``sla.jobs.register_deadline_handler`` (see ``apps.py``) and called inside the
sweep's batch transaction, so the outbox rows commit with the clock marks or not at all. Every
row has a dedupe key derived from the clock, the level and the recipient, so even a handler run
twice for the same mark queues nothing new.

Escalation targets (procedure vocabulary): ``assignee``, ``receiver`` (who recorded the
complaint), ``customer_care`` (members of the customer-care department), ``department_head``
(head of the complaint's department), ``department_heads`` (every department head),
``leadership`` (users with the leadership role).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from complaintdesk.accounts.models import Department, Role, User
from complaintdesk.complaints.models import Complaint
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.notices import customer_notice_enqueue, staff_notice_enqueue
from complaintdesk.procedures.services import procedure_definition
from complaintdesk.sla.jobs import DeadlineEvent
from complaintdesk.sla.selectors import clock_as_dict

logger = logging.getLogger(__name__)

TARGET_LABELS = {
    "assignee": ("người phụ trách", "the assignee"),
    "receiver": ("người tiếp nhận", "the receiver"),
    "customer_care": ("bộ phận CSKH", "customer care"),
    "department_head": ("lãnh đạo phòng ban", "the department head"),
    "department_heads": ("lãnh đạo các phòng ban", "the department heads"),
    "leadership": ("Ban Giám đốc", "company leadership"),
}
# Complaint.escalation_level reached by telling these targets (1 heads, 2 leadership).
LEVEL_OF_TARGET = {"department_head": 1, "department_heads": 1, "leadership": 2}


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


class Directory:
    """Who holds which role, read once per sweep batch (not once per clock)."""

    def __init__(self) -> None:
        self._groups: dict[str, list[User]] = {}
        self._definitions: dict[tuple[str, int], Any] = {}

    def group(self, name: str) -> list[User]:
        if name not in self._groups:
            if name == "customer_care":
                code = getattr(settings, "CUSTOMER_CARE_DEPARTMENT", "cskh")
                users = list(User.objects.filter(department__code=code).order_by("id"))
            elif name == "department_heads":
                users = [
                    d.head
                    for d in Department.objects.filter(active=True, head__isnull=False)
                    .select_related("head")
                    .order_by("id")
                    if d.head is not None
                ]
            else:  # leadership
                users = list(User.objects.filter(role=Role.LEADERSHIP).order_by("id"))
            self._groups[name] = users
        return self._groups[name]

    def notices(self, complaint: Complaint, event: str) -> list[str]:
        """The customer notices the complaint's procedure names for ``event``."""
        key = (complaint.procedure, complaint.procedure_version)
        if key not in self._definitions:
            try:
                self._definitions[key] = procedure_definition(*key)
            except LookupError:
                self._definitions[key] = None
        definition = self._definitions[key]
        return definition.notices_for(event) if definition is not None else []


def recipients(
    complaint: Complaint, targets: Sequence[str], directory: Directory | None = None
) -> list[User]:
    """The colleagues an escalation level goes to, each once, in the order of ``targets``."""
    directory = directory or Directory()
    found: list[User | None] = []
    for target in targets:
        if target == "assignee":
            found.append(complaint.assignee)
        elif target == "receiver":
            found.append(complaint.recorded_by)
        elif target == "department_head":
            dept = complaint.department
            found.append(dept.head if dept is not None else None)
        elif target in ("customer_care", "department_heads", "leadership"):
            found += directory.group(target)
        else:
            logger.warning("unknown escalation target %r", target)
    users = _active(found)
    if not users and targets:
        # Nobody to tell at this level (no assignee, no head): tell leadership rather than no one.
        users = _active(directory.group("leadership"))
    return users


def _label(targets: Sequence[str], lang: str) -> str:
    i = 1 if lang.startswith("en") else 0
    return ", ".join(TARGET_LABELS.get(t, (t, t))[i] for t in targets)


def _context(event: DeadlineEvent, lang: str) -> dict[str, Any]:
    clock = event.clock
    en = lang.startswith("en")
    return {
        "clock_label": (clock.label_en or clock.label) if en else clock.label,
        "due": clock_as_dict(clock, "en" if en else "vi")["due_display"],  # "24:00 ngày 05/03"
        "level_label": _label(event.to, lang),
    }


def _tell_colleagues(
    complaint: Complaint,
    event: DeadlineEvent,
    users: list[User],
    notice: str,
    key: str,
    now: datetime,
) -> None:
    for user in users:
        row = staff_notice_enqueue(
            complaint=complaint,
            user=user,
            notice=notice,
            now=now,
            dedupe_key=f"{key}:user:{user.pk}",
            context=_context(event, user.language or "vi"),
        )
        if row is None:
            journal_append(
                complaint_id=complaint.pk,
                actor=None,
                action="notice.unreachable",
                after={"notice": notice, "user": user.username},
                at=now,
            )


def _tell_customer(
    complaint: Complaint,
    event: DeadlineEvent,
    procedure_event: str,
    key: str,
    now: datetime,
    directory: Directory,
) -> None:
    for notice in directory.notices(complaint, procedure_event):
        customer_notice_enqueue(
            complaint=complaint,
            notice=notice,
            dedupe_key=f"{key}:{notice}",
            now=now,
            context=_context(event, complaint.language),
        )


def _raise_escalation_level(complaint: Complaint, targets: Sequence[str], now: datetime) -> bool:
    wanted = max((LEVEL_OF_TARGET.get(t, 0) for t in targets), default=0)
    if wanted <= complaint.escalation_level:
        return False
    before = complaint.escalation_level
    # Not a user edit: the version is left alone so nobody's open form is refused for it.
    Complaint.objects.filter(pk=complaint.pk, escalation_level__lt=wanted).update(
        escalation_level=wanted
    )
    complaint.escalation_level = wanted
    journal_append(
        complaint_id=complaint.pk,
        actor=None,
        action="complaint.escalation_level",
        before={"escalation_level": before},
        after={"escalation_level": wanted, "reason": "deadline"},
        at=now,
    )
    return True


def on_deadline_events(events: Sequence[DeadlineEvent], now: datetime) -> None:
    """Queue what each mark calls for (inside the sweep's transaction)."""
    assert transaction.get_connection().in_atomic_block
    ids = {e.clock.complaint_id for e in events}
    complaints = Complaint.objects.select_related(
        "customer", "assignee", "recorded_by", "department__head"
    ).in_bulk(ids)
    directory = Directory()
    for event in events:
        complaint = complaints.get(event.clock.complaint_id)
        if complaint is None:
            continue
        clock_key = f"clock:{event.clock.pk}"
        if event.kind == "warned":
            users = (
                recipients(complaint, ["assignee"], directory)
                if complaint.assignee_id
                else recipients(complaint, ["department_head"], directory)
            )
            _tell_colleagues(complaint, event, users, "deadline_warning", f"{clock_key}:warn", now)
        elif event.kind == "breached":
            key = f"{clock_key}:breach"
            _tell_customer(complaint, event, "clock.breached", key, now, directory)
        elif event.kind == "escalated":
            key = f"{clock_key}:escalation:{event.level}"
            users = recipients(complaint, event.to, directory)
            _tell_colleagues(complaint, event, users, "deadline_breach", key, now)
            # The customer hears when the complaint goes up to the heads or leadership, not
            # when it only reminds the assignee.
            if _raise_escalation_level(complaint, event.to, now):
                _tell_customer(complaint, event, "clock.escalated", key, now, directory)
