"""Every write to a complaint goes through a function here.

Each function runs in one transaction, writes the journal entry in that transaction, and leaves
side effects (notices, deliveries) to after commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from complaintdesk.accounts.models import Department, User
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.domain.lifecycle import Action, State, TransitionRefused
from complaintdesk.complaints.messages import msg
from complaintdesk.complaints.models import (
    Attachment,
    Category,
    Channel,
    CodeCounter,
    Complaint,
    Customer,
    CustomerIdentity,
    Direction,
    IdempotencyKey,
    IdentityKind,
    Kind,
    Message,
    Priority,
    Task,
    TaskStatus,
    Visibility,
)
from complaintdesk.complaints.schemas import ComplaintIn, CustomerIn
from complaintdesk.complaints.uploads import inspect_upload
from complaintdesk.core.clock import LOCAL_TZ, utcnow
from complaintdesk.core.errors import Conflict, ServiceError, ValidationFailed
from complaintdesk.journal.services import journal_append
from complaintdesk.procedures.services import procedure_apply_event, procedure_resolve

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_RECEIVED = timedelta(days=366 * 3)


def _fail(field: str, code: str, **params: object) -> ValidationFailed:
    return ValidationFailed({field: msg(code, **params)})


# --- customers --------------------------------------------------------------------------------


def _identities(data: CustomerIn) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    out += [(IdentityKind.PHONE, p) for p in data.all_phones()]
    out += [(IdentityKind.EMAIL, e) for e in data.all_emails()]
    out += [(IdentityKind.ACCOUNT, a) for a in data.all_accounts()]
    if data.facebook_id:
        out.append((IdentityKind.FACEBOOK, data.facebook_id))
    if data.zalo_id:
        out.append((IdentityKind.ZALO, data.zalo_id))
    return out


def customer_find(identities: list[tuple[str, str]]) -> Customer | None:
    """The customer recognised by any of these identities (phones first, then the rest)."""
    for kind, value in identities:
        found = (
            CustomerIdentity.objects.filter(kind=kind, value=value).select_related("customer").first()
        )
        if found:
            return found.customer
    return None


def customer_find_or_create(*, data: CustomerIn, actor: User | None, now: datetime) -> tuple[Customer, bool]:
    """Find the customer by phone, email, account, Facebook or Zalo id, or create one.

    Identities not yet known are added to the customer found; an identity that already belongs to
    someone else is left where it is. Safe under concurrency: a duplicate identity inserted by a
    parallel request makes us look the customer up again instead of creating a second one.
    """
    identities = _identities(data)
    if not identities:
        raise _fail("customer", "customer_identity")
    for _attempt in range(3):
        customer = customer_find(identities)
        created = False
        try:
            with transaction.atomic():
                if customer is None:
                    if not data.name:
                        raise _fail("customer.name", "customer_name")
                    customer = Customer.objects.create(
                        name=data.name,
                        address=data.address,
                        language=data.language,
                        vulnerable=data.vulnerable,
                    )
                    created = True
                known = set(
                    CustomerIdentity.objects.filter(
                        value__in=[v for _, v in identities]
                    ).values_list("kind", "value")
                )
                new = [
                    CustomerIdentity(customer=customer, kind=k, value=v)
                    for k, v in identities
                    if (k, v) not in known
                ]
                CustomerIdentity.objects.bulk_create(new)
                changes: dict[str, Any] = {}
                if data.address and not customer.address:
                    changes["address"] = data.address
                if data.vulnerable and not customer.vulnerable:
                    changes["vulnerable"] = True
                if changes:
                    Customer.objects.filter(pk=customer.pk).update(**changes)
                    for key, value in changes.items():
                        setattr(customer, key, value)
            return customer, created
        except IntegrityError:
            continue
    raise Conflict()


# --- codes ------------------------------------------------------------------------------------


def _next_number(year: int) -> int:
    if connection.vendor == "postgresql":
        seq = f"complaint_code_{year}"
        with connection.cursor() as cur:
            try:
                with transaction.atomic():
                    cur.execute("SELECT nextval(%s)", [seq])
                    return int(cur.fetchone()[0])
            except Exception:  # noqa: BLE001 - the sequence does not exist yet
                pass
            try:
                with transaction.atomic():
                    cur.execute(f'CREATE SEQUENCE IF NOT EXISTS "{seq}"')
            except IntegrityError:
                pass  # created by a parallel transaction
            cur.execute("SELECT nextval(%s)", [seq])
            return int(cur.fetchone()[0])
    updated = CodeCounter.objects.filter(year=year).update(last=F("last") + 1)
    if not updated:
        CodeCounter.objects.create(year=year, last=1)
        return 1
    return CodeCounter.objects.get(year=year).last


def next_code(now: datetime) -> str:
    year = now.astimezone(LOCAL_TZ).year
    return f"{settings.COMPLAINT_CODE_PREFIX}-{year}-{_next_number(year):06d}"


# --- intake -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateResult:
    complaint: Complaint
    created: bool


def _request_hash(data: ComplaintIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _validate_received_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise _fail("received_at", "naive_datetime")
    if value > now + FUTURE_TOLERANCE:
        raise _fail("received_at", "future_received_at")
    if value < now - OLDEST_RECEIVED:
        raise _fail("received_at", "too_old_received_at")
    return value


def _choice(field: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        raise _fail(field, "invalid_choice", value=value[:40])
    return value


def complaint_create(
    *,
    actor: User | None,
    data: ComplaintIn,
    now: datetime | None = None,
    idempotency_key: str = "",
    idempotency_scope: str = "",
) -> CreateResult:
    """Take in one complaint, request or feedback from any channel.

    With an idempotency key, a retried request returns the complaint the first one created.
    """
    now = now or utcnow()
    channel = _choice("channel", data.channel, Channel)
    kind = _choice("kind", data.kind, Kind)
    priority = _choice("priority", data.priority, Priority)
    received_at = _validate_received_at(data.received_at, now)
    scope = idempotency_scope or (f"user:{actor.pk}" if actor else "anonymous")
    key = idempotency_key.strip()[:200]
    request_hash = _request_hash(data)
    if key:
        existing = IdempotencyKey.objects.filter(scope=scope, key=key).select_related("complaint").first()
        if existing:
            if existing.request_hash != request_hash:
                vi, en = msg("idempotency_mismatch")
                raise ServiceError(code="idempotency_mismatch", message_vi=vi, message_en=en,
                                   field="Idempotency-Key", status=422)
            return CreateResult(existing.complaint, created=False)
    category = None
    if data.category:
        category = Category.objects.filter(code=data.category).first()
        if category is None:
            raise _fail("category", "unknown_category")
    department = None
    if data.department:
        department = Department.objects.filter(code=data.department).first()
        if department is None:
            raise _fail("department", "unknown_department")
    elif category is not None and category.default_department_id:
        department = category.default_department
    assignee = None
    if data.assignee:
        assignee = User.objects.filter(username=data.assignee, is_active=True).first()
        if assignee is None:
            raise _fail("assignee", "unknown_user")
    try:
        procedure, procedure_version = procedure_resolve(
            requested=data.procedure,
            channel=channel,
            category_procedure=category.procedure if category else "",
        )
    except LookupError:
        raise _fail("procedure", "unknown_procedure") from None

    try:
        with transaction.atomic():
            customer, _ = customer_find_or_create(data=data.customer, actor=actor, now=now)
            vulnerable = data.vulnerable or customer.vulnerable
            complaint = Complaint.objects.create(
                code=next_code(now),
                kind=kind,
                channel=channel,
                status=State.RECEIVED.value,
                received_at=received_at,
                recorded_by=actor,
                customer=customer,
                subject=data.subject,
                description=data.description,
                category=category,
                priority=Priority.URGENT if vulnerable and priority == Priority.NORMAL else priority,
                vulnerable=vulnerable,
                language=data.language or customer.language,
                account_info=data.account.model_dump(mode="json", exclude_defaults=True),
                content_info=data.content.model_dump(mode="json", exclude_defaults=True),
                payment_info=data.payment.model_dump(mode="json", exclude_defaults=True),
                department=department,
                assignee=assignee or (actor if actor and actor.role == "receiver" else None),
                procedure=procedure,
                procedure_version=procedure_version,
            )
            if key:
                IdempotencyKey.objects.create(
                    scope=scope, key=key, request_hash=request_hash, complaint=complaint
                )
            journal_append(
                complaint_id=complaint.pk,
                actor=actor,
                action="complaint.created",
                after=complaint_snapshot(complaint),
                public=True,
                at=now,
            )
            procedure_apply_event(complaint=complaint, event="received", actor=actor, now=now)
    except IntegrityError:
        if key:
            existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
            if existing:
                return CreateResult(existing.complaint, created=False)
        raise
    return CreateResult(complaint, created=True)


SNAPSHOT_FIELDS = (
    "code", "kind", "channel", "status", "received_at", "customer_id", "subject", "description",
    "category_id", "priority", "vulnerable", "language", "account_info", "content_info",
    "payment_info", "department_id", "assignee_id", "procedure", "procedure_version",
)


def complaint_snapshot(complaint: Complaint) -> dict[str, Any]:
    return {f: getattr(complaint, f) for f in SNAPSHOT_FIELDS}


# --- changes to an existing complaint --------------------------------------------------------


def _lock(complaint: Complaint, expected_version: int | None) -> Complaint:
    """Re-read the complaint under a row lock; refuse if someone changed it meanwhile."""
    fresh = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict()
    return fresh


def _bump(complaint: Complaint, read_version: int, **fields: Any) -> None:
    """Compare-and-swap write: the version read must still be current."""
    updated = Complaint.objects.filter(pk=complaint.pk, version=read_version).update(
        version=read_version + 1, updated_at=utcnow(), **fields
    )
    if not updated:
        raise Conflict()
    for key, value in fields.items():
        setattr(complaint, key, value)
    complaint.version = read_version + 1


def _transition_fields(complaint: Complaint, action: Action, target: State,
                       inputs: dict[str, Any], now: datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {"status": target.value}
    if action == Action.ACKNOWLEDGE and complaint.acknowledged_at is None:
        fields["acknowledged_at"] = now
    if action == Action.RECORD_VERIFICATION:
        fields["verification"] = {
            k: str(inputs.get(k, "")) for k in ("checked", "scope", "cause_analysis")
        }
    if action in (Action.ANSWER_NOW, Action.ANSWER_LATER):
        fields["classification"] = action.value
        if complaint.first_response_at is None:
            fields["first_response_at"] = now
    if action == Action.ANSWER_NOW:
        fields["resolution"] = str(inputs.get("explanation", ""))
        fields["resolved_at"] = now
    if action == Action.RESOLVE:
        fields["resolution"] = str(inputs.get("resolution", ""))
        fields["resolved_at"] = now
    if action == Action.NOTIFY_RESULT and complaint.first_response_at is None:
        fields["first_response_at"] = now
    if action == Action.CONFIRM_SATISFIED:
        fields["satisfaction"] = "satisfied"
    if action == Action.MARK_UNSATISFIED:
        fields["satisfaction"] = "unsatisfied"
    if action == Action.ESCALATE:
        level = 2 if inputs.get("level") == "leadership" else 1
        fields["escalation_level"] = max(complaint.escalation_level, level)
    if action == Action.REQUEST_NEGOTIATION and complaint.negotiation_requested_at is None:
        fields["negotiation_requested_at"] = now
    if target in (State.CLOSED, State.WITHDRAWN):
        fields["closed_at"] = now
    if action == Action.REOPEN:
        fields["closed_at"] = None
        fields["satisfaction"] = ""
    return fields


def complaint_transition(
    *,
    complaint: Complaint,
    action: str,
    actor: User | None,
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
    role: str | None = None,
) -> Complaint:
    """Run one lifecycle action. Refused (TransitionRefused) when it does not apply, the role may
    not do it or an input is missing; Conflict when someone else changed the complaint first."""
    now = now or utcnow()
    inputs = {k: v.strip() if isinstance(v, str) else v for k, v in (inputs or {}).items()}
    acting_role = role or (actor.role if actor else "system")
    # Validate against what the caller saw, then again under the lock.
    lifecycle.plan(state=complaint.state, action=action, role=acting_role, inputs=inputs)
    with transaction.atomic():
        fresh = _lock(complaint, expected_version)
        read_version = fresh.version
        before_state = fresh.state
        target = lifecycle.plan(state=before_state, action=action, role=acting_role, inputs=inputs)
        act = Action(action)
        fields = _transition_fields(fresh, act, target, inputs, now)
        before = {k: getattr(fresh, k) for k in fields}
        _bump(fresh, read_version, **fields)
        transition = lifecycle.transition_for(act)
        journal_append(
            complaint_id=fresh.pk,
            actor=actor,
            action=f"action.{act.value}",
            before=before,
            after={**fields, "inputs": inputs},
            public=transition.customer_notice is not None or act in PUBLIC_ACTIONS,
            at=now,
            actor_label=None if actor else "system",
        )
        procedure_apply_event(complaint=fresh, event=act.value, actor=actor, now=now, data=inputs)
    return fresh


PUBLIC_ACTIONS = frozenset({
    Action.ACKNOWLEDGE, Action.ANSWER_NOW, Action.ANSWER_LATER, Action.NOTIFY_RESULT,
    Action.CONFIRM_SATISFIED, Action.MARK_UNSATISFIED, Action.ESCALATE, Action.WITHDRAW,
    Action.REOPEN, Action.REQUEST_NEGOTIATION, Action.CLOSE_NO_ANSWER,
})

EDITABLE_FIELDS = ("subject", "description", "category_id", "priority", "vulnerable", "language",
                   "department_id", "assignee_id")


def complaint_update(
    *,
    complaint: Complaint,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Change editable fields; the journal keeps each field's before and after."""
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise _fail(sorted(unknown)[0], "invalid")
    with transaction.atomic():
        fresh = _lock(complaint, expected_version)
        diff = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not diff:
            return fresh
        before = {k: getattr(fresh, k) for k in diff}
        _bump(fresh, fresh.version, **diff)
        action = "complaint.assigned" if set(diff) <= {"department_id", "assignee_id"} else "complaint.updated"
        journal_append(complaint_id=fresh.pk, actor=actor, action=action, before=before, after=diff, at=now)
        procedure_apply_event(complaint=fresh, event=action, actor=actor, now=now, data=diff)
    return fresh


def message_add(
    *,
    complaint: Complaint,
    actor: User | None,
    body: str,
    direction: str = Direction.NOTE,
    channel: str = "",
    provider_message_id: str = "",
    now: datetime | None = None,
) -> Message:
    """An internal note (direction note) or a message with the customer (in/out)."""
    now = now or utcnow()
    body = (body or "").strip()
    if not body:
        raise _fail("body", "required")
    if len(body) > 20000:
        raise _fail("body", "too_long", max=20000)
    visibility = Visibility.INTERNAL if direction == Direction.NOTE else Visibility.PUBLIC
    with transaction.atomic():
        fresh = _lock(complaint, None)
        message = Message.objects.create(
            complaint=fresh, direction=direction, visibility=visibility, channel=channel,
            body=body, author=actor, provider_message_id=provider_message_id, created_at=now,
        )
        _bump(fresh, fresh.version)
        journal_append(
            complaint_id=fresh.pk, actor=actor,
            action="note.added" if direction == Direction.NOTE else f"message.{direction}",
            after={"message_id": message.pk, "body": body, "channel": channel},
            target=f"message:{message.pk}", public=visibility == Visibility.PUBLIC, at=now,
        )
        procedure_apply_event(complaint=fresh, event=f"message.{direction}", actor=actor, now=now)
    return message


def task_create(
    *,
    complaint: Complaint,
    actor: User | None,
    department_code: str,
    title: str,
    instructions: str = "",
    assignee_username: str = "",
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> Task:
    now = now or utcnow()
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise _fail("department", "unknown_department")
    title = (title or "").strip()
    if not title:
        raise _fail("title", "required")
    assignee = None
    if assignee_username:
        assignee = User.objects.filter(username=assignee_username, is_active=True).first()
        if assignee is None:
            raise _fail("assignee", "unknown_user")
    with transaction.atomic():
        fresh = _lock(complaint, None)
        task = Task.objects.create(
            complaint=fresh, department=department, assignee=assignee, title=title[:300],
            instructions=instructions, due_at=due_at, created_by=actor,
        )
        _bump(fresh, fresh.version)
        journal_append(
            complaint_id=fresh.pk, actor=actor, action="task.created", target=f"task:{task.pk}",
            after={"department": department.code, "title": task.title, "assignee": assignee_username,
                   "due_at": due_at, "instructions": instructions}, at=now,
        )
        procedure_apply_event(complaint=fresh, event="task.created", actor=actor, now=now)
    return task


def task_update(
    *,
    task: Task,
    actor: User | None,
    status: str | None = None,
    result: str | None = None,
    assignee_username: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Task:
    now = now or utcnow()
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = _choice("status", status, TaskStatus)
        if status == TaskStatus.DONE:
            if not (result or task.result).strip():
                raise _fail("result", "required")
            changes["completed_at"] = now
    if result is not None:
        changes["result"] = result.strip()
    if assignee_username is not None:
        assignee = User.objects.filter(username=assignee_username, is_active=True).first() if assignee_username else None
        if assignee_username and assignee is None:
            raise _fail("assignee", "unknown_user")
        changes["assignee_id"] = assignee.pk if assignee else None
    with transaction.atomic():
        complaint = _lock(task.complaint, None)
        fresh = Task.objects.select_for_update().get(pk=task.pk)
        if expected_version is not None and fresh.version != expected_version:
            raise Conflict()
        before = {k: getattr(fresh, k) for k in changes}
        updated = Task.objects.filter(pk=fresh.pk, version=fresh.version).update(
            version=fresh.version + 1, **changes
        )
        if not updated:
            raise Conflict()
        _bump(complaint, complaint.version)
        journal_append(
            complaint_id=complaint.pk, actor=actor, action="task.updated", target=f"task:{fresh.pk}",
            before=before, after=changes, at=now,
        )
        procedure_apply_event(complaint=complaint, event="task.updated", actor=actor, now=now,
                              data={"task_id": fresh.pk, **changes})
    fresh.refresh_from_db()
    return fresh


def attachment_add(
    *,
    complaint: Complaint,
    actor: User | None,
    name: str,
    content: bytes,
    visibility: str = Visibility.INTERNAL,
    now: datetime | None = None,
) -> Attachment:
    """Store a picture, video, PDF or scan, checked by its content (not its name)."""
    now = now or utcnow()
    checked = inspect_upload(name=name, content=content)
    with transaction.atomic():
        fresh = _lock(complaint, None)
        existing = Attachment.objects.filter(complaint=fresh, sha256=checked.sha256).first()
        if existing:
            return existing
        attachment = Attachment(
            complaint=fresh, original_name=checked.name, content_type=checked.mime,
            size=len(content), sha256=checked.sha256, visibility=visibility, uploaded_by=actor,
        )
        attachment.file.save(checked.name, ContentFile(content), save=False)
        # If the transaction rolls back, remove the stored file so nothing is half-written.
        stored_name = attachment.file.name
        storage = attachment.file.storage
        try:
            attachment.save()
            _bump(fresh, fresh.version)
            journal_append(
                complaint_id=fresh.pk, actor=actor, action="attachment.added",
                target=f"attachment:{attachment.pk}",
                after={"name": checked.name, "type": checked.mime, "size": len(content),
                       "sha256": checked.sha256}, at=now,
                public=visibility == Visibility.PUBLIC,
            )
        except Exception:
            storage.delete(stored_name)
            raise
    return attachment


__all__ = [
    "CreateResult", "TransitionRefused", "attachment_add", "complaint_create",
    "complaint_transition", "complaint_update", "customer_find_or_create", "message_add",
    "task_create", "task_update",
]
