"""The figures of the dashboard and of the periodic reports, for any date range and filter.

A handful of aggregate queries over the complaints received in the range (all served by the
``received_at`` index): one GROUP BY over every dimension at once, one per local day, one for
the three durations, one over the clocks and one over the causes; the rest is arithmetic in
``reports.domain.figures``. A month of 40,000 complaints takes well under a second.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import translation

from complaintdesk.accounts.models import Department, User
from complaintdesk.accounts.permissions import scope_complaints
from complaintdesk.complaints.domain.lifecycle import STATE_LABELS
from complaintdesk.complaints.models import Category, Channel, Complaint, Kind
from complaintdesk.core.clock import LOCAL_TZ, utcnow
from complaintdesk.core.text import clean_text, fold
from complaintdesk.reports.domain import figures as fig
from complaintdesk.reports.filters import ReportFilters
from complaintdesk.reports.models import CustomerBase

CLOSED_STATES = ("closed", "withdrawn")
DURATIONS = (
    ("acknowledge", "acknowledged_at"),
    ("first_response", "first_response_at"),
    ("resolution", "resolved_at"),
)
TARGET_PER_100 = 0.25  # written complaints per 100 customers per quarter (telecom indicator)


def local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def complaints_matching(filters: ReportFilters, user: User | None = None) -> QuerySet[Complaint]:
    """Complaints matching the filters other than the dates, within the user's scope."""
    qs = Complaint.objects.all()
    for name in ("channel", "kind"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    return scope_complaints(user, qs) if user is not None else qs


def complaints_in(
    filters: ReportFilters,
    user: User | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Complaint]:
    """Complaints received from ``start`` to ``end`` (local days, inclusive; by default the
    filters' range) matching the filters, within the user's scope."""
    start, end = start or filters.date_from, end or filters.date_to
    return complaints_matching(filters, user).filter(
        received_at__gte=local_start(start), received_at__lt=local_start(end + timedelta(days=1))
    )


def complaints_closed_in(filters: ReportFilters, user: User | None = None) -> QuerySet[Complaint]:
    """Complaints closed (or withdrawn) in the filters' range, whenever received."""
    return complaints_matching(filters, user).filter(
        closed_at__gte=local_start(filters.date_from),
        closed_at__lt=local_start(filters.date_to + timedelta(days=1)),
    )


@dataclass
class ClockFigure:
    name: str
    label: str
    total: int = 0
    met: int = 0
    breached: int = 0
    running: int = 0
    paused: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_share(self) -> float | None:
        return fig.share(self.met, self.decided)

    @property
    def breached_share(self) -> float | None:
        return fig.share(self.breached, self.decided)


@dataclass
class TimeFigure:
    key: str
    count: int
    average_hours: float | None
    p90_hours: float | None


@dataclass
class QuarterFigure:
    start: date
    end: date
    written: int
    customers: int | None
    per_100: float | None

    @property
    def meets_target(self) -> bool | None:
        return None if self.per_100 is None else self.per_100 < TARGET_PER_100


@dataclass
class Summary:
    filters: ReportFilters
    generated_at: datetime
    received: int = 0
    open: int = 0
    closed: int = 0
    closed_in_period: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_week: list[tuple[date, int]] = field(default_factory=list)
    by_month: list[tuple[date, int]] = field(default_factory=list)
    by_channel: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_department: list[tuple[str, str, int]] = field(default_factory=list)
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    escalated_heads: int = 0
    escalated_leadership: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    times: list[TimeFigure] = field(default_factory=list)
    clocks: list[ClockFigure] = field(default_factory=list)
    top_causes: list[tuple[str, int]] = field(default_factory=list)
    quarters: list[QuarterFigure] = field(default_factory=list)

    @property
    def grain(self) -> str:
        return fig.grain_for(self.filters.date_from, self.filters.date_to)

    @property
    def series(self) -> list[tuple[date, int]]:
        return {"day": self.by_day, "week": self.by_week, "month": self.by_month}[self.grain]

    @property
    def satisfaction_share(self) -> float | None:
        return fig.share(self.satisfied, self.satisfied + self.unsatisfied)

    @property
    def escalation_share(self) -> float | None:
        return fig.share(self.escalated_heads, self.received)

    @property
    def reply_clock(self) -> ClockFigure | None:
        wanted = getattr(settings, "REPORT_REPLY_CLOCK", "written_reply")
        return next((c for c in self.clocks if c.name == wanted), None)


def _choice_labels(choices: list[tuple[str, Any]], lang: str) -> dict[Any, str]:
    with translation.override(lang):
        return {value: str(label) for value, label in choices}


def _labels(lang: str) -> dict[str, dict[Any, str]]:
    en = lang.startswith("en")
    return {
        "channel": _choice_labels(Channel.choices, lang),
        "kind": _choice_labels(Kind.choices, lang),
        "status": {s.value: pair[1 if en else 0] for s, pair in STATE_LABELS.items()},
        "category": {
            pk: (name_en or name) if en else name
            for pk, name, name_en in Category.objects.values_list("pk", "name", "name_en")
        },
        "category_code": dict(Category.objects.values_list("pk", "code")),
        "department": {
            pk: (name_en or name) if en else name
            for pk, name, name_en in Department.objects.values_list("pk", "name", "name_en")
        },
        "department_code": dict(Department.objects.values_list("pk", "code")),
    }


def _dimension(
    counter: Counter[Any],
    labels: dict[Any, str],
    codes: dict[Any, str] | None = None,
    none_label: str = "—",
) -> list[tuple[str, str, int]]:
    out = []
    for key, n in counter.items():
        code = (codes or {}).get(key, key) if key is not None else ""
        out.append(
            (str(code or ""), labels.get(key, str(key)) if key is not None else none_label, n)
        )
    return sorted(out, key=lambda row: (-row[2], row[1]))


def _groups(qs: QuerySet[Complaint], summary: Summary, lang: str) -> None:
    dims: dict[str, Counter[Any]] = {
        name: Counter() for name in ("channel", "kind", "category_id", "department_id", "status")
    }
    rows = (
        qs.order_by()
        .values(
            "channel",
            "kind",
            "category_id",
            "department_id",
            "status",
            "escalation_level",
            "satisfaction",
        )
        .annotate(n=Count("id"))
    )
    for row in rows:
        n = row["n"]
        summary.received += n
        for name, counter in dims.items():
            counter[row[name]] += n
        if row["status"] in CLOSED_STATES:
            summary.closed += n
        else:
            summary.open += n
        if row["escalation_level"] >= 1:
            summary.escalated_heads += n
        if row["escalation_level"] >= 2:
            summary.escalated_leadership += n
        if row["satisfaction"] == "satisfied":
            summary.satisfied += n
        elif row["satisfaction"] == "unsatisfied":
            summary.unsatisfied += n
    labels = _labels(lang)
    none = "(chưa phân loại)" if not lang.startswith("en") else "(none)"
    summary.by_channel = _dimension(dims["channel"], labels["channel"])
    summary.by_kind = _dimension(dims["kind"], labels["kind"])
    summary.by_status = _dimension(dims["status"], labels["status"])
    summary.by_category = _dimension(
        dims["category_id"], labels["category"], labels["category_code"], none
    )
    summary.by_department = _dimension(
        dims["department_id"], labels["department"], labels["department_code"], none
    )


class HoursBetween(Func):
    """Hours from one datetime column to another, computed by the database as a float.

    Subtracting two DateTimeFields in the ORM goes, on SQLite, through a Python function called
    per row and then a ``timedelta`` per value; at a quarter's 130,000 complaints that was most
    of a report's time. ``julianday`` (SQLite) and ``EXTRACT(EPOCH …)`` (PostgreSQL) do it in
    the database."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )


class LocalDay(Func):
    """SQLite: the local calendar day of a datetime column for a range over which the local
    time zone keeps one UTC offset, by SQLite's own ``date(x, '+N seconds')`` instead of
    ``TruncDate``, which on SQLite calls a Python function per row (PostgreSQL's TruncDate is
    already SQL)."""

    output_field = DateField()
    arity = 1

    def __init__(self, expression: Any, offset_seconds: int) -> None:
        super().__init__(expression)
        self.offset_seconds = int(offset_seconds)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"date(%(expressions)s, '{self.offset_seconds:+d} seconds')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _as_date(value: Any) -> date:
    """SQLite returns ``date()`` as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _fixed_offset(start: date, end: date) -> int | None:
    """The local UTC offset in seconds if it is the same from ``start`` to ``end`` (and one
    day either side), else None (a daylight-saving change: per-row conversion needed)."""
    first = local_start(start - timedelta(days=1)).utcoffset()
    last = local_start(end + timedelta(days=2)).utcoffset()
    if first is None or first != last:
        return None
    return int(first.total_seconds())


def _series(qs: QuerySet[Complaint], summary: Summary) -> None:
    start, end = summary.filters.date_from, summary.filters.date_to
    offset = _fixed_offset(start, end) if connection.vendor == "sqlite" else None
    day: Any = (
        TruncDate("received_at", tzinfo=LOCAL_TZ)
        if offset is None
        else LocalDay("received_at", offset)
    )
    per_day = {
        _as_date(row["day"]): row["n"]
        for row in qs.order_by().annotate(day=day).values("day").annotate(n=Count("id"))
    }
    summary.by_day = fig.bucket(per_day, start, end, "day")
    summary.by_week = fig.bucket(per_day, start, end, "week")
    summary.by_month = fig.bucket(per_day, start, end, "month")


def _times(qs: QuerySet[Complaint], summary: Summary) -> None:
    exprs = {key: HoursBetween(F(column), F("received_at")) for key, column in DURATIONS}
    values: dict[str, list[float]] = {key: [] for key, _c in DURATIONS}
    rows = qs.order_by().filter(
        Q(acknowledged_at__isnull=False)
        | Q(first_response_at__isnull=False)
        | Q(resolved_at__isnull=False)
    )
    for row in rows.annotate(**{f"d_{k}": e for k, e in exprs.items()}).values_list(
        *(f"d_{k}" for k, _c in DURATIONS)
    ):
        for (key, _c), hours in zip(DURATIONS, row, strict=True):
            if hours is not None:
                values[key].append(max(float(hours), 0.0))
    summary.times = [
        TimeFigure(key, len(v), fig.mean(v), fig.percentile(v, 90)) for key, v in values.items()
    ]


def _clocks(qs: QuerySet[Complaint], summary: Summary, lang: str) -> None:
    if not apps.is_installed("complaintdesk.sla"):
        return
    from complaintdesk.sla.models import Clock

    by_name: dict[str, ClockFigure] = {}
    rows = (
        Clock.objects.filter(complaint_id__in=qs.order_by().values("pk"))
        .values("name", "state")
        .annotate(n=Count("id"), label=Max("label"), label_en=Max("label_en"))
        .order_by("name")
    )
    for row in rows:
        label = (row["label_en"] or row["label"]) if lang.startswith("en") else row["label"]
        figure = by_name.setdefault(row["name"], ClockFigure(row["name"], label or row["name"]))
        figure.total += row["n"]
        if row["state"] in ("met", "breached", "running", "paused"):
            setattr(figure, row["state"], getattr(figure, row["state"]) + row["n"])
    summary.clocks = list(by_name.values())


def _causes(qs: QuerySet[Complaint], summary: Summary, n: int = 10) -> None:
    """The most frequent causes recorded at verification (texts equal once folded)."""
    counts: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    rows = (
        qs.order_by()
        .exclude(verification={})
        .values(cause=KT("verification__cause_analysis"))
        .annotate(n=Count("id"))
    )
    for row in rows:
        text = clean_text(row["cause"] or "")
        if not text:
            continue
        key = " ".join(fold(text).split())[:200]
        counts[key] += row["n"]
        spelling.setdefault(key, Counter())[text] += row["n"]

    def usual(key: str) -> str:  # the most used spelling; on a tie, not all capitals
        return min(spelling[key].items(), key=lambda kv: (-kv[1], kv[0].isupper(), kv[0]))[0]

    summary.top_causes = [(usual(key), count) for key, count in fig.top(counts.items(), n)]


def customers_on(day: date) -> int | None:
    size = (
        CustomerBase.objects.filter(period_start__lte=day)
        .order_by("-period_start")
        .values_list("size", flat=True)
        .first()
    )
    return size


def _quarters(filters: ReportFilters, user: User | None, summary: Summary) -> None:
    written = [
        c.strip()
        for c in getattr(settings, "REPORT_WRITTEN_CHANNELS", "letter,email,web").split(",")
    ]
    for q in fig.quarters(filters.date_from, filters.date_to):
        customers = customers_on(q.start)
        qs = complaints_in(filters, user, start=q.start, end=q.end).filter(
            kind=Kind.COMPLAINT, channel__in=written
        )
        count = qs.count()
        summary.quarters.append(
            QuarterFigure(q.start, q.end, count, customers, fig.per_hundred(count, customers))
        )


def report_summary(
    *,
    filters: ReportFilters,
    user: User | None = None,
    lang: str = "vi",
    now: datetime | None = None,
) -> Summary:
    """Every figure of the report for ``filters`` (as ``user`` may see them)."""
    summary = Summary(filters=filters, generated_at=now or utcnow())
    qs = complaints_in(filters, user)
    _groups(qs, summary, lang)
    _series(qs, summary)
    _times(qs, summary)
    _clocks(qs, summary, lang)
    _causes(qs, summary)
    _quarters(filters, user, summary)
    summary.closed_in_period = complaints_closed_in(filters, user).count()
    return summary
