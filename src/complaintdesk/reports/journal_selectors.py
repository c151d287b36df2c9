"""The daily report journal (nhật ký báo cáo) and the journal of record.

* The report journal lists every complaint received or closed in a range of days (usually one):
  the register the cable-TV procedure asks each complaint to be entered into.
* The journal of record is ``journal.JournalEntry``: who did what, when, across complaints;
  browsed newest first by keyset on the id (indexes on ``at``, ``actor`` and ``complaint``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import complaint_scope
from complaintdesk.complaints.domain.lifecycle import STATE_LABELS, State
from complaintdesk.complaints.models import Channel, Complaint, CustomerIdentity, IdentityKind, Kind
from complaintdesk.journal.models import JournalEntry
from complaintdesk.reports.filters import ReportFilters
from complaintdesk.reports.models import JournalVerification
from complaintdesk.reports.selectors import complaints_matching, local_start

PAGE_SIZE = 50
ROW_FIELDS = (
    "code",
    "kind",
    "channel",
    "status",
    "received_at",
    "closed_at",
    "subject",
    "resolution",
    "customer_id",
    "customer__name",
    "category__name",
    "department__name",
    "assignee__username",
)


@dataclass(frozen=True)
class JournalRow:
    """One line of the report journal."""

    pk: int
    code: str
    event: str  # "received", "closed" or "received_closed" (both within the range)
    received_at: datetime
    closed_at: datetime | None
    channel: str
    kind: str
    status: str
    customer: str
    phone: str
    subject: str
    category: str
    department: str
    assignee: str
    resolution: str


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value))


def report_journal_queryset(
    filters: ReportFilters, user: User | None = None
) -> QuerySet[Complaint]:
    start = local_start(filters.date_from)
    end = local_start(filters.date_to + timedelta(days=1))
    received = Q(received_at__gte=start, received_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    return (
        complaints_matching(filters, user).filter(received | closed).order_by("received_at", "id")
    )


def report_journal_rows(
    filters: ReportFilters, user: User | None = None, *, limit: int | None = None, lang: str = "vi"
) -> Iterator[JournalRow]:
    """The report journal, oldest first (streams: fine for exports of any size)."""
    start = local_start(filters.date_from)
    end = local_start(filters.date_to + timedelta(days=1))
    qs = report_journal_queryset(filters, user).values("pk", *ROW_FIELDS)
    if limit is not None:
        qs = qs[:limit]
    batch: list[dict[str, Any]] = []
    for row in qs.iterator(chunk_size=1000):
        batch.append(row)
        if len(batch) == 1000:
            yield from _rows(batch, start, end, lang)
            batch = []
    yield from _rows(batch, start, end, lang)


def _rows(
    batch: list[dict[str, Any]], start: datetime, end: datetime, lang: str
) -> Iterator[JournalRow]:
    if not batch:
        return
    phones: dict[int, str] = {}
    for customer_id, value in (
        CustomerIdentity.objects.filter(
            customer_id__in={r["customer_id"] for r in batch}, kind=IdentityKind.PHONE
        )
        .order_by("id")
        .values_list("customer_id", "value")
    ):
        phones.setdefault(customer_id, value)
    index = 1 if lang.startswith("en") else 0
    for r in batch:
        got = start <= r["received_at"] < end
        shut = r["closed_at"] is not None and start <= r["closed_at"] < end
        event = "received_closed" if got and shut else "received" if got else "closed"
        try:
            status = STATE_LABELS[State(r["status"])][index]
        except ValueError:
            status = r["status"]
        yield JournalRow(
            pk=r["pk"],
            code=r["code"],
            event=event,
            received_at=r["received_at"],
            closed_at=r["closed_at"],
            channel=_label(Channel.choices, r["channel"]),
            kind=_label(Kind.choices, r["kind"]),
            status=status,
            customer=r["customer__name"],
            phone=phones.get(r["customer_id"], ""),
            subject=r["subject"],
            category=r["category__name"] or "",
            department=r["department__name"] or "",
            assignee=r["assignee__username"] or "",
            resolution=(r["resolution"] or "")[:500],
        )


# --- the journal of record ----------------------------------------------------------------


@dataclass(frozen=True)
class JournalFilters:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""  # username (or the label of a system actor)
    action: str = ""  # prefix, e.g. "action." or "complaint.created"
    code: str = ""  # complaint code
    before_id: int | None = None  # keyset: entries with a smaller id

    def as_query(self) -> dict[str, str]:
        out = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "actor": self.actor,
            "action": self.action,
            "code": self.code,
        }
        return {k: v for k, v in out.items() if v}


def journal_entries(filters: JournalFilters, user: User | None = None) -> QuerySet[JournalEntry]:
    """Journal entries matching the filters, newest first, limited to the complaints ``user``
    may see (system entries only for those who see every complaint)."""
    qs = JournalEntry.objects.all()
    if filters.date_from:
        qs = qs.filter(at__gte=local_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=local_start(filters.date_to + timedelta(days=1)))
    if filters.actor:
        qs = qs.filter(
            Q(actor__username=filters.actor) | Q(actor__isnull=True, actor_label=filters.actor)
        )
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.code:
        complaint_id = (
            Complaint.objects.filter(code=filters.code.upper()).values_list("pk", flat=True).first()
        )
        qs = qs.filter(complaint_id=complaint_id) if complaint_id else qs.none()
    if filters.before_id:
        qs = qs.filter(id__lt=filters.before_id)
    if user is not None:
        scope = complaint_scope(user)
        if scope:
            qs = qs.filter(complaint_id__in=Complaint.objects.filter(scope).values("pk"))
    return (
        qs.select_related("complaint")
        .only(
            "id",
            "chain",
            "seq",
            "at",
            "actor_id",
            "actor_label",
            "action",
            "target",
            "before",
            "after",
            "public",
            "complaint__code",
        )
        .order_by("-id")
    )


def journal_page(
    filters: JournalFilters, user: User | None = None, *, size: int | None = None
) -> tuple[list[JournalEntry], int | None]:
    """One page of entries and the id to continue before (None on the last page)."""
    size = size or PAGE_SIZE
    rows = list(journal_entries(filters, user)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def latest_verification() -> JournalVerification | None:
    return JournalVerification.objects.order_by("-started_at", "-id").first()
