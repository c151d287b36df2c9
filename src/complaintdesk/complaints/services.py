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
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models.functions import Length

from complaintdesk.accounts.models import Department, User
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.domain.lifecycle import Action, State, TransitionRefused
from complaintdesk.complaints.hooks import after_change, emit_notices
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
from complaintdesk.core.db import prepared_statements
from complaintdesk.core.errors import Conflict, ServiceError, ValidationFailed
from complaintdesk.core.inserts import Inserter
from complaintdesk.core.memo import TtlMemo
from complaintdesk.core.text import clean_text
from complaintdesk.journal.services import journal_append, journal_batch
from complaintdesk.procedures.services import (
    procedure_apply_event,
    procedure_apply_received,
    procedure_plan_received,
    procedure_resolve_definition,
)

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_RECEIVED = timedelta(days=366 * 3)


def _fail(field: str, code: str, **params: object) -> ValidationFailed:
    return ValidationFailed({field: msg(code, **params)})


# --- customers --------------------------------------------------------------------------------


def _identities(data: CustomerIn) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    out += [(IdentityKind.PHONE, p) for p in data.all_phones()]
    # Mail providers ignore case in the local part too: An@Gmail.com and an@gmail.com are one person.
    out += [(IdentityKind.EMAIL, e) for e in dict.fromkeys(e.lower() for e in data.all_emails())]
    out += [(IdentityKind.ACCOUNT, a) for a in data.all_accounts()]
    if data.facebook_id:
        out.append((IdentityKind.FACEBOOK, data.facebook_id))
    if data.zalo_id:
        out.append((IdentityKind.ZALO, data.zalo_id))
    return list(dict.fromkeys(out))  # each once (one INSERT claims them all)


def _known_identities(
    identities: list[tuple[str, str]],
) -> dict[tuple[str, str], CustomerIdentity]:
    """The identities among these that already exist, with their customers: one query on the
    (kind, value) index, and a second for their customers only when some exist."""
    if not identities:
        return {}
    quote = connection.ops.quote_name
    where = " OR ".join([f"({quote('kind')} = %s AND {quote('value')} = %s)"] * len(identities))
    sql = (
        f"SELECT {quote('id')}, {quote('customer_id')}, {quote('kind')}, {quote('value')} "  # noqa: S608
        f"FROM {quote(CustomerIdentity._meta.db_table)} WHERE {where}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [part for identity in identities for part in identity])
        found = cur.fetchall()
    if not found:
        return {}
    customers = Customer.objects.in_bulk({row[1] for row in found})
    known: dict[tuple[str, str], CustomerIdentity] = {}
    for row in found:
        identity = CustomerIdentity.from_db(
            connection.alias, ["id", "customer_id", "kind", "value"], row
        )
        identity.customer = customers[identity.customer_id]
        known[(identity.kind, identity.value)] = identity
    return known


def _recognised(
    identities: list[tuple[str, str]], known: dict[tuple[str, str], CustomerIdentity]
) -> Customer | None:
    for identity in identities:  # in their order: phones first, then the rest
        if identity in known:
            return known[identity].customer
    return None


def customer_find(identities: list[tuple[str, str]]) -> Customer | None:
    """The customer recognised by any of these identities (phones first, then the rest)."""
    return _recognised(identities, _known_identities(identities))


def customer_find_or_create(
    *, data: CustomerIn, actor: User | None, now: datetime
) -> tuple[Customer, bool]:
    """Find the customer by phone, email, account, Facebook or Zalo id, or create one
    (see ``_customer_find_or_create``); returns (customer, created)."""
    with transaction.atomic():
        customer, created, _added = _customer_find_or_create(data=data, actor=actor, now=now)
    return customer, created


_CUSTOMER_INSERT = Inserter(Customer)
# Identities are claimed with ON CONFLICT DO NOTHING: one taken meanwhile by a parallel
# request is skipped (PostgreSQL first waits for that request to commit or roll back), so no
# savepoint is needed to survive the clash (a savepoint costs two round trips per intake).
_IDENTITY_CLAIM = Inserter(
    CustomerIdentity, on_conflict=("kind", "value"), returning=("id", "kind", "value")
)


@dataclass
class _CustomerPlan:
    """Who the customer of a contact is, as read before the write (see ``_customer_plan``)."""

    customer: Customer  # recognised (saved), or new (not saved yet)
    created: bool
    new: list[CustomerIdentity]  # identities to add (their customer is set when written)
    changes: dict[str, Any]  # fields of a recognised customer to fill in
    rows: list[list[Any]]  # prepared INSERT rows: the new customer's (if any), then identities


def _customer_plan(
    data: CustomerIn,
    identities: list[tuple[str, str]],
    known: dict[tuple[str, str], CustomerIdentity],
) -> _CustomerPlan:
    """The customer recognised by ``known`` or a new one, the identities to add and the blanks
    to fill in, with their INSERT rows prepared (no database access: may run before the
    transaction). The recognised customer's instance already shows the filled-in fields."""
    customer = _recognised(identities, known)
    created = customer is None
    rows: list[list[Any]] = []
    if customer is None:
        if not data.name:
            raise _fail("customer.name", "customer_name")
        customer = Customer(
            name=data.name, address=data.address, language=data.language, vulnerable=data.vulnerable
        )
        rows.append(_CUSTOMER_INSERT.prepare(customer))
    new = [CustomerIdentity(kind=k, value=v) for k, v in identities if (k, v) not in known]
    rows += [_IDENTITY_CLAIM.prepare(i) for i in new]
    changes: dict[str, Any] = {}
    if not created:
        if data.address and not customer.address:
            changes["address"] = data.address
        if data.vulnerable and not customer.vulnerable:
            changes["vulnerable"] = True
        for key, value in changes.items():
            setattr(customer, key, value)
    return _CustomerPlan(customer, created, new, changes, rows)


def _customer_write(plan: _CustomerPlan) -> bool:
    """Write a plan; False, with nothing of it left in the transaction, when one of its
    identities was taken meanwhile (the caller looks the customer up again)."""
    customer, rows = plan.customer, plan.rows
    if plan.created:
        _CUSTOMER_INSERT.insert([customer], rows[:1])
        rows = rows[1:]
    for identity, row in zip(plan.new, rows, strict=True):
        identity.customer = customer
        _IDENTITY_CLAIM.fill(row, "customer_id", customer.pk)
    claimed = (
        {(kind, value): pk for pk, kind, value in _IDENTITY_CLAIM.returned(rows)} if rows else {}
    )
    if len(claimed) < len(plan.new):  # undo what this plan wrote, as a savepoint would
        CustomerIdentity.objects.filter(pk__in=claimed.values()).delete()
        if plan.created:
            Customer.objects.filter(pk=customer.pk).delete()
            customer.pk = None
            customer._state.adding = True
        return False
    for identity in plan.new:
        identity.pk = claimed[(identity.kind, identity.value)]
        identity._state.adding = False
        identity._state.db = connection.alias
    if plan.changes:
        Customer.objects.filter(pk=customer.pk).update(**plan.changes)
    return True


def _identities_cached(customer: Customer, identities: list[CustomerIdentity]) -> None:
    """A customer created with these identities has no others: ``Customer.identity_list``
    answers without a query."""
    customer._created_identities = list(identities)  # type: ignore[attr-defined]


def _customer_find_or_create(
    *,
    data: CustomerIn,
    actor: User | None,
    now: datetime,
    plan: _CustomerPlan | None = None,
) -> tuple[Customer, bool, list[tuple[str, str]]]:
    """Find the customer by phone, email, account, Facebook or Zalo id, or create one.

    Identities not yet known are added to the customer found; an identity that already belongs to
    someone else is left where it is. ``plan``: what the caller read before its transaction
    (``_customer_plan``), tried first. Safe under concurrency: an identity inserted meanwhile by
    a parallel request (PostgreSQL: the insert waits on the unique index until the first
    commits) is skipped by the claim; what this attempt wrote is removed again and the lookup
    runs again and finds the first request's customer. Must run inside a transaction.
    """
    identities = _identities(data)
    if not identities:
        raise _fail("customer", "customer_identity")
    for _attempt in range(3):
        if plan is None:
            plan = _customer_plan(data, identities, _known_identities(identities))
        if not _customer_write(plan):
            plan = None
            continue
        if plan.created:
            _identities_cached(plan.customer, plan.new)
        return plan.customer, plan.created, [(i.kind, i.value) for i in plan.new]
    raise Conflict()


# --- codes ------------------------------------------------------------------------------------


def _highest_issued(year: int) -> int:
    """The highest number already in a code of ``year`` (0 if none): a counter or sequence that
    is (re)created after data was loaded continues after it instead of repeating codes."""
    codes = Complaint.objects.filter(code__regex=rf"^[^-]+-{year}-[0-9]+$").values_list(
        "code", flat=True
    )
    top = codes.annotate(n=Length("code")).order_by("-n", "-code").first()
    return int(top.rsplit("-", 1)[1]) if top else 0


_SEQUENCES_SEEN: set[tuple[str, str]] = set()


def _pg_next_number(year: int) -> int:
    """One sequence per year: no lock held until commit, so intakes never queue on numbering.

    A sequence does not roll back, so a failed intake leaves a gap in the numbers; codes stay
    unique. The first intake of a year creates the sequence inside its transaction; a parallel
    first intake waits on the catalogue until that commits, then uses it.
    """
    seq = f"complaint_code_{year}"
    seen = (connection.settings_dict["NAME"], seq)
    with connection.cursor() as cur:
        if seen in _SEQUENCES_SEEN:
            cur.execute("SELECT nextval(%s)", [seq])
            return int(cur.fetchone()[0])
        cur.execute("SELECT to_regclass(%s)", [seq])
        if cur.fetchone()[0] is not None:
            # Remembered once this transaction commits: it may be the one that created the
            # sequence, and a rollback would take the sequence away again.
            transaction.on_commit(lambda: _SEQUENCES_SEEN.add(seen))
        else:
            start = _highest_issued(year) + 1
            try:
                with transaction.atomic():
                    cur.execute(f'CREATE SEQUENCE IF NOT EXISTS "{seq}" START WITH {int(start)}')
            except (IntegrityError, ProgrammingError):
                pass  # created by a parallel transaction that has committed meanwhile
        cur.execute("SELECT nextval(%s)", [seq])
        return int(cur.fetchone()[0])


def _counter_next_number(year: int) -> int:
    """SQLite: a counter row per year. Runs inside the intake transaction, which SQLite starts
    IMMEDIATE (write lock first), so two intakes never read the same value; the number rolls
    back with a failed intake, so codes have no gaps."""
    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    with connection.cursor() as cur:  # SQLite ≥ 3.35: one statement, no read-back
        cur.execute(
            f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last",  # noqa: S608
            [year],
        )
        row = cur.fetchone()
    if row is not None:
        return int(row[0])
    with transaction.atomic():
        counter = CodeCounter.objects.create(year=year, last=_highest_issued(year) + 1)
    return counter.last


def next_code(now: datetime) -> str:
    """The next readable code, numbered per year (local time of recording): ``KN-2026-000123``."""
    year = now.astimezone(LOCAL_TZ).year
    number = (
        _pg_next_number(year) if connection.vendor == "postgresql" else _counter_next_number(year)
    )
    return f"{settings.COMPLAINT_CODE_PREFIX}-{year}-{number:06d}"


# --- intake -----------------------------------------------------------------------------------


# Categories and departments by code (``core.memo``; cleared by this app's signals).
reference: TtlMemo[Any] = TtlMemo("categories and departments")


@dataclass(frozen=True)
class CreateResult:
    complaint: Complaint
    created: bool
    # The deadline clocks a new complaint started with (empty on a replay): for the answer.
    clocks: tuple[Any, ...] = ()


def _request_hash(data: ComplaintIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _validate_received_at(value: datetime | None, now: datetime) -> datetime:
    """A letter or a backfilled call may have been received in the past, never in the future.

    A few minutes ahead (another device's clock) is taken as "now", so the stored time of
    receipt is never later than the time it was recorded.
    """
    if value is None:
        return now
    if value.tzinfo is None:
        raise _fail("received_at", "naive_datetime")
    if value > now + FUTURE_TOLERANCE:
        raise _fail("received_at", "future_received_at")
    if value < now - OLDEST_RECEIVED:
        raise _fail("received_at", "too_old_received_at")
    return min(value, now)


def _replay(scope: str, key: str, request_hash: str) -> CreateResult | None:
    """The answer to a retried request: the complaint its key created, or a refusal when the
    key was used for a different request."""
    existing = (
        IdempotencyKey.objects.filter(scope=scope, key=key, complaint__isnull=False)
        .select_related("complaint")
        .first()
    )
    if existing is None or existing.complaint is None:
        return None
    if existing.request_hash != request_hash:
        vi, en = msg("idempotency_mismatch")
        raise ServiceError(
            code="idempotency_mismatch",
            message_vi=vi,
            message_en=en,
            field="Idempotency-Key",
            status=422,
        )
    return CreateResult(existing.complaint, created=False)


_CHOICE_VALUES: dict[Any, frozenset[str]] = {}


def _choice(field: str, value: str, choices: Any) -> str:
    values = _CHOICE_VALUES.get(choices)
    if values is None:
        values = _CHOICE_VALUES[choices] = frozenset(choices.values)
    if value not in values:
        raise _fail(field, "invalid_choice", value=value[:40])
    return value


@prepared_statements()  # the same dozen statements on every intake: parsed and planned once
def complaint_create(
    *,
    actor: User | None,
    data: ComplaintIn,
    now: datetime | None = None,
    idempotency_key: str = "",
    idempotency_scope: str = "",
) -> CreateResult:
    """Take in one complaint, request or feedback from any channel.

    With an idempotency key, a retried request returns the complaint the first one created, even
    when the two arrive at the same time: the key row is inserted first in the transaction, so the
    second request waits on its unique index (PostgreSQL) or on the write lock (SQLite) until the
    first commits, then answers with the first one's complaint without numbering a new one.
    """
    now = now or utcnow()
    channel = _choice("channel", data.channel, Channel)
    kind = _choice("kind", data.kind, Kind)
    priority = _choice("priority", data.priority, Priority)
    received_at = _validate_received_at(data.received_at, now)
    scope = (idempotency_scope or (f"user:{actor.pk}" if actor else "anonymous"))[:100]
    key = idempotency_key.strip()[:200]
    request_hash = _request_hash(data) if key else ""
    if key:
        replay = _replay(scope, key, request_hash)
        if replay:
            return replay
    category = None
    if data.category:
        code = data.category
        category = reference.get(
            ("category", code),
            lambda: Category.objects.filter(code=code).select_related("default_department").first(),
        )
        if category is None:
            raise _fail("category", "unknown_category")
    department = None
    if data.department:
        code = data.department
        department = reference.get(
            ("department", code), lambda: Department.objects.filter(code=code).first()
        )
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
        procedure, procedure_version, definition = procedure_resolve_definition(
            requested=data.procedure,
            channel=channel,
            category_procedure=category.procedure if category else "",
        )
    except LookupError:
        raise _fail("procedure", "unknown_procedure") from None

    # Read and computed before the transaction, so that it holds the write lock (SQLite) and
    # its row locks only to insert: who the customer is, the new rows' values, and the clocks
    # the procedure starts. What changed meanwhile is caught inside (a retried customer lookup
    # and, if the customer turns out to be another one, a recomputation).
    identities = _identities(data.customer)
    if not identities:
        raise _fail("customer", "customer_identity")
    customer_plan = _customer_plan(data.customer, identities, _known_identities(identities))
    complaint = Complaint(
        code="",
        kind=kind,
        channel=channel,
        status=State.RECEIVED.value,
        received_at=received_at,
        recorded_at=now,
        recorded_by=actor,
        subject=data.subject,
        description=data.description,
        category=category,
        account_info=data.account.model_dump(mode="json", exclude_defaults=True),
        content_info=data.content.model_dump(mode="json", exclude_defaults=True),
        payment_info=data.payment.model_dump(mode="json", exclude_defaults=True),
        department=department,
        assignee=assignee or (actor if actor and actor.role == "receiver" else None),
        procedure=procedure,
        procedure_version=procedure_version,
    )
    _customer_fields(complaint, data, priority, customer_plan.customer)
    plan = procedure_plan_received(complaint=complaint, definition=definition, now=now)
    complaint.next_due_at = plan.clocks.next_due_at
    row = _COMPLAINT_INSERT.prepare(complaint)

    try:
        with transaction.atomic(), journal_batch() as journal:
            claim = (
                IdempotencyKey.objects.create(scope=scope, key=key, request_hash=request_hash)
                if key
                else None
            )
            customer, new_customer, added = _customer_find_or_create(
                data=data.customer,
                actor=actor,
                now=now,
                plan=customer_plan,
            )
            if customer is not customer_plan.customer:  # found meanwhile: recompute
                _customer_fields(complaint, data, priority, customer)
                row = _COMPLAINT_INSERT.prepare(complaint)
            complaint.customer = customer  # its id is known now
            _COMPLAINT_INSERT.fill(row, "customer_id", customer.pk)
            _COMPLAINT_INSERT.set(row, complaint, "code", next_code(now))
            _COMPLAINT_INSERT.insert([complaint], [row])
            if claim is not None:
                IdempotencyKey.objects.filter(pk=claim.pk).update(complaint=complaint)
            journal.begin_complaint(complaint.pk)
            journal_append(
                complaint_id=complaint.pk,
                actor=actor,
                action="complaint.created",
                # The customer it created or the contacts it added to one (kind and value: the
                # journal is internal; the tracking page shows no entry's details).
                after={
                    **complaint_snapshot(complaint),
                    "customer_created": new_customer,
                    "identities_added": [{"kind": k, "value": v} for k, v in added],
                },
                public=True,
                at=now,
            )
            started: list[Any] = []
            notices = procedure_apply_received(
                complaint=complaint, plan=plan, actor=actor, now=now, started=started
            )
            emit_notices(
                complaint=complaint, event="received", notices=notices, actor=actor, now=now
            )
            after_change(
                complaint_id=complaint.pk,
                event="created",
                complaint=complaint,
                customer_identities=added if new_customer else None,
            )
    except IntegrityError:
        # A parallel request with the same key committed first: answer as a retry would.
        replay = _replay(scope, key, request_hash) if key else None
        if replay:
            return replay
        raise
    return CreateResult(complaint, created=True, clocks=tuple(started))


_COMPLAINT_INSERT = Inserter(Complaint)


def _customer_fields(
    complaint: Complaint, data: ComplaintIn, priority: str, customer: Customer
) -> None:
    """The complaint's fields that depend on its customer: the customer itself, vulnerability
    (the complaint's or the customer's; a vulnerable consumer's normal priority becomes urgent)
    and language."""
    vulnerable = data.vulnerable or customer.vulnerable
    complaint.customer = customer
    complaint.vulnerable = vulnerable
    complaint.priority = Priority.URGENT if vulnerable and priority == Priority.NORMAL else priority
    complaint.language = data.language or customer.language


SNAPSHOT_FIELDS = (
    "code",
    "kind",
    "channel",
    "status",
    "received_at",
    "customer_id",
    "subject",
    "description",
    "category_id",
    "priority",
    "vulnerable",
    "language",
    "account_info",
    "content_info",
    "payment_info",
    "department_id",
    "assignee_id",
    "procedure",
    "procedure_version",
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
    """Compare-and-swap write: the version read must still be current.

    Under the row lock of :func:`_lock` it always matches on PostgreSQL; it is the guard that
    still holds if a caller forgets the lock (SQLite has no row locks, only the IMMEDIATE write
    lock that serialises transactions).
    """
    updated = Complaint.objects.filter(pk=complaint.pk, version=read_version).update(
        version=read_version + 1, updated_at=utcnow(), **fields
    )
    if not updated:
        raise Conflict()
    for key, value in fields.items():
        setattr(complaint, key, value)
    complaint.version = read_version + 1


def _transition_fields(
    complaint: Complaint, action: Action, target: State, inputs: dict[str, Any], now: datetime
) -> dict[str, Any]:
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
    not do it or an input is missing; Conflict when someone else changed the complaint first.

    The table is consulted only under the row lock, against the state as it is now: two people
    acting at once are serialised; the second either finds its action still applies (a
    self-loop), gets ``not_applicable`` because the state moved on, or, when it passed the
    ``expected_version`` it saw, gets Conflict.
    """
    now = now or utcnow()
    inputs = {k: clean_text(v) if isinstance(v, str) else v for k, v in (inputs or {}).items()}
    acting_role = role or (actor.role if actor else "system")
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
            actor_label=None if actor else acting_role,
        )
        notices = procedure_apply_event(
            complaint=fresh, event=act.value, actor=actor, now=now, data=inputs
        )
        emit_notices(complaint=fresh, event=act.value, notices=notices, actor=actor, now=now)
        after_change(complaint_id=fresh.pk, event="transition")
    return fresh


PUBLIC_ACTIONS = frozenset(
    {
        Action.ACKNOWLEDGE,
        Action.ANSWER_NOW,
        Action.ANSWER_LATER,
        Action.NOTIFY_RESULT,
        Action.CONFIRM_SATISFIED,
        Action.MARK_UNSATISFIED,
        Action.ESCALATE,
        Action.WITHDRAW,
        Action.REOPEN,
        Action.REQUEST_NEGOTIATION,
        Action.CLOSE_NO_ANSWER,
    }
)

EDITABLE_FIELDS = (
    "subject",
    "description",
    "category_id",
    "priority",
    "vulnerable",
    "language",
    "department_id",
    "assignee_id",
)

_REFERENCES: dict[str, tuple[Any, dict[str, Any], str]] = {
    "category_id": (Category, {}, "unknown_category"),
    "department_id": (Department, {}, "unknown_department"),
    "assignee_id": (User, {"is_active": True}, "unknown_user"),
}


def _clean_change(field: str, value: Any) -> Any:
    """One edited value, checked like intake checks it (never a 500 on a bad value)."""
    if field in ("subject", "description"):
        if not isinstance(value, str):
            raise _fail(field, "invalid")
        text = clean_text(value)
        limit = 300 if field == "subject" else 20000
        if field == "subject" and not text:
            raise _fail(field, "required")
        if len(text) > limit:
            raise _fail(field, "too_long", max=limit)
        return text
    if field == "priority":
        return _choice(field, value if isinstance(value, str) else repr(value), Priority)
    if field == "language":
        if value not in ("vi", "en"):
            raise _fail(field, "invalid_choice", value=str(value)[:40])
        return value
    if field == "vulnerable":
        if not isinstance(value, bool):
            raise _fail(field, "invalid")
        return value
    model, extra, unknown = _REFERENCES[field]
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _fail(field, "invalid")
    try:
        pk = int(value)
    except ValueError:
        raise _fail(field, "invalid") from None
    if not model.objects.filter(pk=pk, **extra).exists():
        raise _fail(field, unknown)
    return pk


def complaint_update(
    *,
    complaint: Complaint,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Change editable fields; the journal keeps each field's before and after.

    A change of only the department and/or assignee is journaled as ``complaint.assigned``.
    """
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise _fail(sorted(unknown)[0], "invalid")
    changes = {k: _clean_change(k, v) for k, v in changes.items()}
    with transaction.atomic():
        fresh = _lock(complaint, expected_version)
        diff = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not diff:
            return fresh
        before = {k: getattr(fresh, k) for k in diff}
        _bump(fresh, fresh.version, **diff)
        action = (
            "complaint.assigned"
            if set(diff) <= {"department_id", "assignee_id"}
            else "complaint.updated"
        )
        journal_append(
            complaint_id=fresh.pk, actor=actor, action=action, before=before, after=diff, at=now
        )
        notices = procedure_apply_event(
            complaint=fresh, event=action, actor=actor, now=now, data=diff
        )
        emit_notices(complaint=fresh, event=action, notices=notices, actor=actor, now=now)
        after_change(complaint_id=fresh.pk, event="updated")
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
    """An internal note (direction note) or a message with the customer (in/out).

    Idempotent on (channel, provider_message_id): a provider delivering the same message twice
    gets the first one back, and nothing is journaled twice.
    """
    now = now or utcnow()
    body = clean_text(body) if isinstance(body, str) else ""
    if not body:
        raise _fail("body", "required")
    if len(body) > 20000:
        raise _fail("body", "too_long", max=20000)
    direction = _choice("direction", direction, Direction)
    if channel:
        channel = _choice("channel", channel, Channel)
    provider_message_id = (provider_message_id or "").strip()[:255]
    visibility = Visibility.INTERNAL if direction == Direction.NOTE else Visibility.PUBLIC
    with transaction.atomic():
        fresh = _lock(complaint, None)
        if provider_message_id:
            known = Message.objects.filter(
                channel=channel, provider_message_id=provider_message_id
            ).first()
            if known is not None:
                return known
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    complaint=fresh,
                    direction=direction,
                    visibility=visibility,
                    channel=channel,
                    body=body,
                    author=actor,
                    provider_message_id=provider_message_id,
                    created_at=now,
                )
        except IntegrityError:
            # The same provider message was just stored on another complaint's thread.
            known = Message.objects.filter(
                channel=channel, provider_message_id=provider_message_id
            ).first()
            if known is None or not provider_message_id:
                raise
            return known
        _bump(fresh, fresh.version)
        journal_append(
            complaint_id=fresh.pk,
            actor=actor,
            action="note.added" if direction == Direction.NOTE else f"message.{direction}",
            after={"message_id": message.pk, "body": body, "channel": channel},
            target=f"message:{message.pk}",
            public=visibility == Visibility.PUBLIC,
            at=now,
        )
        event = f"message.{direction}"
        notices = procedure_apply_event(complaint=fresh, event=event, actor=actor, now=now)
        emit_notices(complaint=fresh, event=event, notices=notices, actor=actor, now=now)
        after_change(complaint_id=fresh.pk, event="message")
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
    title = clean_text(title) if isinstance(title, str) else ""
    if not title:
        raise _fail("title", "required")
    if len(title) > 300:
        raise _fail("title", "too_long", max=300)
    instructions = clean_text(instructions) if isinstance(instructions, str) else ""
    if len(instructions) > 20000:
        raise _fail("instructions", "too_long", max=20000)
    if due_at is not None and due_at.tzinfo is None:
        raise _fail("due_at", "naive_datetime")
    assignee = None
    if assignee_username:
        assignee = User.objects.filter(username=assignee_username, is_active=True).first()
        if assignee is None:
            raise _fail("assignee", "unknown_user")
    with transaction.atomic():
        fresh = _lock(complaint, None)
        task = Task.objects.create(
            complaint=fresh,
            department=department,
            assignee=assignee,
            title=title[:300],
            instructions=instructions,
            due_at=due_at,
            created_by=actor,
        )
        _bump(fresh, fresh.version)
        journal_append(
            complaint_id=fresh.pk,
            actor=actor,
            action="task.created",
            target=f"task:{task.pk}",
            after={
                "department": department.code,
                "title": task.title,
                "assignee": assignee_username,
                "due_at": due_at,
                "instructions": instructions,
            },
            at=now,
        )
        notices = procedure_apply_event(complaint=fresh, event="task.created", actor=actor, now=now)
        emit_notices(complaint=fresh, event="task.created", notices=notices, actor=actor, now=now)
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
    if result is not None:
        changes["result"] = clean_text(result) if isinstance(result, str) else ""
    if assignee_username is not None:
        assignee = (
            User.objects.filter(username=assignee_username, is_active=True).first()
            if assignee_username
            else None
        )
        if assignee_username and assignee is None:
            raise _fail("assignee", "unknown_user")
        changes["assignee_id"] = assignee.pk if assignee else None
    with transaction.atomic():
        complaint = _lock(task.complaint, None)
        fresh = Task.objects.select_for_update().get(pk=task.pk)
        if expected_version is not None and fresh.version != expected_version:
            raise Conflict()
        if changes.get("status") == TaskStatus.DONE and fresh.status != TaskStatus.DONE:
            if not changes.get("result", fresh.result):
                raise _fail("result", "required")
            changes["completed_at"] = now
        changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not changes:
            return fresh
        before = {k: getattr(fresh, k) for k in changes}
        updated = Task.objects.filter(pk=fresh.pk, version=fresh.version).update(
            version=fresh.version + 1, **changes
        )
        if not updated:
            raise Conflict()
        _bump(complaint, complaint.version)
        journal_append(
            complaint_id=complaint.pk,
            actor=actor,
            action="task.updated",
            target=f"task:{fresh.pk}",
            before=before,
            after=changes,
            at=now,
        )
        notices = procedure_apply_event(
            complaint=complaint,
            event="task.updated",
            actor=actor,
            now=now,
            data={"task_id": fresh.pk, **changes},
        )
        emit_notices(
            complaint=complaint, event="task.updated", notices=notices, actor=actor, now=now
        )
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
    """Store a picture, video, PDF or scan, checked by its content (not its name).

    The file goes through Django's storage API. If anything in this transaction fails, including
    its commit, the stored file is deleted again, so there is neither a row nor a file. (When the
    caller wraps this in its own transaction and that one rolls back later, the file is left
    behind: ``uploads.sweep_orphaned_files`` removes such files.) The same content twice on one
    complaint returns the first attachment.
    """
    now = now or utcnow()
    visibility = _choice("visibility", visibility, Visibility)
    checked = inspect_upload(name=name, content=content)
    storage = Attachment._meta.get_field("file").storage
    stored: list[str] = []
    try:
        with transaction.atomic():
            fresh = _lock(complaint, None)
            existing = Attachment.objects.filter(complaint=fresh, sha256=checked.sha256).first()
            if existing:
                return existing
            attachment = Attachment(
                complaint=fresh,
                original_name=checked.name,
                content_type=checked.mime,
                size=len(content),
                sha256=checked.sha256,
                visibility=visibility,
                uploaded_by=actor,
            )
            attachment.file.save(checked.name, ContentFile(content), save=False)
            stored.append(attachment.file.name)
            attachment.save()
            _bump(fresh, fresh.version)
            journal_append(
                complaint_id=fresh.pk,
                actor=actor,
                action="attachment.added",
                target=f"attachment:{attachment.pk}",
                after={
                    "attachment_id": attachment.pk,
                    "name": checked.name,
                    "type": checked.mime,
                    "size": len(content),
                    "sha256": checked.sha256,
                    "visibility": visibility,
                },
                at=now,
                public=visibility == Visibility.PUBLIC,
            )
    except BaseException:
        for stored_name in stored:
            storage.delete(stored_name)
        raise
    return attachment


__all__ = [
    "CreateResult",
    "TransitionRefused",
    "attachment_add",
    "complaint_create",
    "complaint_transition",
    "complaint_update",
    "customer_find_or_create",
    "message_add",
    "task_create",
    "task_update",
]
