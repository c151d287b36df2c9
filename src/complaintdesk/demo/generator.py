"""Demo complaints, taken in and handled through the complaint services like real ones.

Each complaint is created by ``complaint_create`` and then walked along the lifecycle table
(``lifecycle.TRANSITIONS``) by ``complaint_transition``, with tasks, messages and notes on the
way, at plausible moments after its receipt — so the journal, deadlines and reports are real.
Complaint ``i`` of seed ``s`` is driven by its own random source ``Random("s:i")`` and carries
the idempotency key ``demo-s-i``: a second run skips the complaints that exist.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from complaintdesk.accounts.models import User
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.domain.lifecycle import Action, State, Transition
from complaintdesk.complaints.hooks import notices_silenced
from complaintdesk.complaints.models import Complaint, IdempotencyKey, Task, TaskStatus
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import (
    complaint_create,
    complaint_transition,
    message_add,
    task_create,
    task_update,
)
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.core.errors import ServiceError
from complaintdesk.demo import vocabulary as v
from complaintdesk.demo.org import DemoOrg
from complaintdesk.demo.people import Person, complaint_payload, person, weighted

SCOPE = "demo"
SPREAD_DAYS = 90
MAX_STEPS = 16

# How likely each action is when it is available (the walk picks among the available ones).
WEIGHTS: dict[Action, float] = {
    Action.ACKNOWLEDGE: 10,
    Action.START_VERIFICATION: 8,
    Action.RECORD_VERIFICATION: 12,
    Action.ANSWER_NOW: 4,
    Action.ANSWER_LATER: 6,
    Action.COORDINATE: 8,
    Action.RESOLVE: 8,
    Action.NOTIFY_RESULT: 20,
    Action.CONFIRM_SATISFIED: 14,
    Action.MARK_UNSATISFIED: 3,
    Action.CLOSE_NO_ANSWER: 2,
    Action.ESCALATE: 8,
    Action.REHANDLE: 8,
    Action.REQUEST_NEGOTIATION: 0.4,
    Action.WITHDRAW: 0.12,
    Action.REOPEN: 0.5,
}
ONCE = frozenset(
    {Action.ACKNOWLEDGE, Action.RECORD_VERIFICATION, Action.REQUEST_NEGOTIATION, Action.REOPEN}
)
TEXT_CHANNELS = frozenset({"chat", "facebook", "zalo", "email", "web"})


@dataclass
class Summary:
    created: int = 0
    skipped: int = 0
    transitions: int = 0
    refused: int = 0
    states: Counter[str] = field(default_factory=Counter)


@dataclass
class _Walk:
    rng: random.Random
    org: DemoOrg
    complaint: Complaint
    who: Person
    scenario: v.Scenario
    at: datetime
    department: str  # the code of the department responsible
    done: set[Action] = field(default_factory=set)


def _received_at(rng: random.Random, now: datetime) -> datetime:
    """A moment in the last SPREAD_DAYS days, mostly in opening hours (7:00-22:00 local)."""
    day = (now.astimezone(LOCAL_TZ) - timedelta(days=rng.randrange(SPREAD_DAYS))).date()
    hour = rng.randrange(7, 22) if rng.random() < 0.9 else rng.randrange(24)
    local = datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=LOCAL_TZ
    )
    moment = local.astimezone(now.tzinfo)
    return (
        moment
        if moment < now - timedelta(minutes=10)
        else now - timedelta(minutes=rng.randint(10, 600))
    )


def _actor(walk: _Walk, row: Transition) -> tuple[User | None, str | None]:
    """Who takes the action: the user with a fitting role, or the system (no user)."""
    users = walk.org.users
    allowed = {role.value for role in row.roles}
    prefer = {
        Action.RESOLVE: ("staff", "receiver", "head"),
        Action.RECORD_VERIFICATION: ("staff", "receiver"),
        Action.ESCALATE: ("head", "leadership"),
        Action.REHANDLE: ("leadership" if walk.complaint.escalation_level >= 2 else "head", "head"),
        Action.CLOSE_NO_ANSWER: ("system",),
    }.get(row.action, ("receiver", "head", "staff", "leadership", "admin", "system"))
    by_role = {
        u.role: u
        for u in users.values()
        if u.username in ("tiepnhan", "kythuat", "truongphong", "giamdoc", "quantri")
    }
    for role in (*prefer, "receiver", "head", "admin", "system"):
        if role in allowed:
            if role == "system":
                return None, "system"
            return by_role[role], None
    return None, "system"


def _inputs(walk: _Walk, row: Transition) -> dict[str, Any]:
    rng, s, who = walk.rng, walk.scenario, walk.who
    dept = walk.org.departments.get(walk.department)
    dept_name = dept.name if dept else "phòng ban liên quan"
    by_name: dict[str, Callable[[], Any]] = {
        "note": lambda: rng.choice(v.NOTES),
        "channel": lambda: walk.complaint.channel,
        "checked": lambda: "Đã kiểm tra tài khoản, lịch sử thanh toán và nhật ký hệ thống.",
        "genuine": lambda: rng.random() < 0.93,
        "scope": lambda: rng.choice(v.SCOPES),
        "cause_analysis": lambda: s.cause or "Đang xác định nguyên nhân.",
        "explanation": lambda: f"Đã giải thích và hướng dẫn {who.salutation} {who.given}: {s.fix}",
        "expected_by": lambda: (
            (walk.at + timedelta(days=2)).astimezone(LOCAL_TZ).strftime("%d/%m/%Y")
        ),
        "department": lambda: walk.department,
        "instructions": lambda: f"Đề nghị {dept_name} kiểm tra và xử lý: {s.subject.lower()}.",
        "resolution": lambda: s.fix or "Đã xử lý xong yêu cầu của khách hàng.",
        "message": lambda: (
            f"Kính gửi {who.salutation} {who.name}, về phản ánh "
            f"“{s.subject}”: {s.fix} Trân trọng cảm ơn {who.salutation}."
        ),
        "level": lambda: "leadership" if walk.complaint.escalation_level >= 1 else "heads",
    }
    reasons = {
        Action.ANSWER_LATER: f"Cần phối hợp với {dept_name} để kiểm tra, sẽ trả lời trong 2 ngày làm việc.",
        Action.ESCALATE: "Khách hàng vẫn chưa hài lòng sau 48 giờ xử lý.",
        Action.WITHDRAW: rng.choice(v.WITHDRAW_REASONS),
        Action.REOPEN: "Khách hàng báo lỗi tái diễn.",
    }
    comments = (
        v.COMMENTS_UNSATISFIED if row.action == Action.MARK_UNSATISFIED else v.COMMENTS_SATISFIED
    )
    values: dict[str, Any] = {}
    for item in row.inputs:
        if not item.required and rng.random() < 0.4 and item.name not in ("checked", "genuine"):
            continue
        if item.name == "reason":
            values["reason"] = reasons.get(row.action, "Theo yêu cầu của khách hàng.")
        elif item.name == "comment":
            values["comment"] = rng.choice(comments)
        elif item.name in by_name:
            values[item.name] = by_name[item.name]()
        elif item.kind == "choice":
            values[item.name] = rng.choice(item.choices)
        elif item.kind == "bool":
            values[item.name] = True
        else:
            values[item.name] = "Đã xử lý theo quy trình."
        if item.kind == "choice" and values[item.name] not in item.choices:
            values[item.name] = item.choices[0]
    return values


def _weight(walk: _Walk, row: Transition) -> float:
    action, state = row.action, walk.complaint.state
    if action in walk.done and action in ONCE:
        return 0.0
    weight = WEIGHTS.get(action, 0.5)
    if state == State.VERIFYING and action != Action.RECORD_VERIFICATION:
        weight *= 0.2 if Action.RECORD_VERIFICATION not in walk.done else 1
    if action == Action.ANSWER_NOW and walk.complaint.channel == "hotline":
        weight *= 2.5
    if action == Action.ESCALATE and state == State.ESCALATED:
        weight = 1.0 if walk.complaint.escalation_level < 2 else 0.0
    return weight


def _step(walk: _Walk, now: datetime, summary: Summary) -> bool:
    """Take one action at a later moment; False when the complaint rests here."""
    rng, complaint = walk.rng, walk.complaint
    # Recent complaints are more often still being handled; a few old ones are left behind.
    young = now - complaint.received_at < timedelta(days=20)
    rest = 0.96 if complaint.state in lifecycle.CLOSED_STATES else (0.14 if young else 0.025)
    if rng.random() < rest:
        return False
    walk.at += timedelta(minutes=rng.randint(20, 60 * 30))
    if walk.at >= now:
        return False
    rows = [r for r in lifecycle.TRANSITIONS if complaint.state in r.sources]
    weights = [_weight(walk, r) for r in rows]
    if not rows or sum(weights) <= 0:
        return False
    row = rng.choices(rows, weights=weights)[0]
    actor, role = _actor(walk, row)
    inputs = _inputs(walk, row)
    if row.action == Action.RESOLVE:
        for task in Task.objects.filter(
            complaint=complaint, status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]
        ):
            task_update(
                task=task,
                actor=walk.org.users["kythuat"],
                status=TaskStatus.DONE,
                result=walk.scenario.fix or "Đã xử lý.",
                now=walk.at,
            )
    try:
        walk.complaint = complaint_transition(
            complaint=complaint,
            action=row.action.value,
            actor=actor,
            inputs=inputs,
            now=walk.at,
            role=role,
        )
    except (lifecycle.TransitionRefused, ServiceError):
        summary.refused += 1
        return False
    summary.transitions += 1
    walk.done.add(row.action)
    _after(walk, row, inputs, actor)
    return True


def _after(walk: _Walk, row: Transition, inputs: dict[str, Any], actor: User | None) -> None:
    """What people do around an action: the task to a department, the message to the customer."""
    users, complaint = walk.org.users, walk.complaint
    if row.action in (Action.COORDINATE, Action.REHANDLE):
        dept = inputs.get("department") or walk.department
        task_create(
            complaint=complaint,
            actor=actor,
            department_code=dept,
            title=inputs.get("instructions", walk.scenario.subject)[:300],
            assignee_username="kythuat" if dept == "ky-thuat" else "",
            due_at=walk.at + timedelta(hours=24),
            now=walk.at,
        )
    elif row.action in (Action.ANSWER_NOW, Action.NOTIFY_RESULT, Action.ANSWER_LATER):
        body = inputs.get("message") or inputs.get("explanation") or inputs.get("reason")
        if body and complaint.channel in TEXT_CHANNELS:
            message_add(
                complaint=complaint,
                actor=users["tiepnhan"],
                body=body,
                direction="out",
                channel=complaint.channel,
                now=walk.at + timedelta(minutes=1),
            )
    if walk.rng.random() < 0.12:
        message_add(
            complaint=complaint,
            actor=users["kythuat"],
            body=walk.rng.choice(v.NOTES),
            now=walk.at + timedelta(minutes=2),
        )


def _one(index: int, *, seed: int, org: DemoOrg, now: datetime, summary: Summary) -> None:
    rng = random.Random(f"{seed}:{index}")
    scenario = rng.choice(v.SCENARIOS)
    channel = weighted(rng, v.CHANNEL_WEIGHTS)
    # About one customer in four comes back with another complaint.
    who = person(seed, rng.randrange(max(1, index * 3 // 4 + 1)))
    received = _received_at(rng, now)
    payload = complaint_payload(
        rng, who=who, scenario=scenario, channel=channel, received_at=received
    )
    recorded = min(received + timedelta(minutes=rng.randint(1, 15)), now)
    receiver = org.users["tiepnhan"]
    with transaction.atomic():
        result = complaint_create(
            actor=receiver,
            data=ComplaintIn.model_validate(payload),
            now=recorded,
            idempotency_key=f"demo-{seed}-{index}",
            idempotency_scope=SCOPE,
        )
        if not result.created:
            summary.skipped += 1
            return
        complaint = result.complaint
        if channel in TEXT_CHANNELS:
            message_add(
                complaint=complaint,
                actor=None,
                body=payload["description"],
                direction="in",
                channel=channel,
                now=received,
            )
        dept = complaint.department.code if complaint.department else "cskh"
        walk = _Walk(rng, org, complaint, who, scenario, recorded, dept)
        for _ in range(MAX_STEPS):
            if not _step(walk, now, summary):
                break
        summary.created += 1


def demo_complaints_ensure(
    *,
    org: DemoOrg,
    count: int,
    seed: int,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Create demo complaints 0..count-1 of ``seed`` that do not exist yet."""
    summary = Summary()
    existing = set(
        IdempotencyKey.objects.filter(scope=SCOPE, key__startswith=f"demo-{seed}-").values_list(
            "key", flat=True
        )
    )
    for index in range(count):
        if f"demo-{seed}-{index}" in existing:
            summary.skipped += 1
            continue
        with notices_silenced():  # invented customers (real mail domains) are never written to
            _one(index, seed=seed, org=org, now=now, summary=summary)
        if progress and (index + 1) % 50 == 0:
            progress(index + 1, count)
    keys = IdempotencyKey.objects.filter(scope=SCOPE, key__startswith=f"demo-{seed}-")
    summary.states = Counter(
        Complaint.objects.filter(pk__in=keys.values("complaint_id")).values_list(
            "status", flat=True
        )
    )
    return summary
