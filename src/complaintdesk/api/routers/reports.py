"""Report figures as JSON: ``GET /api/v1/reports/summary?from=YYYY-MM-DD&to=YYYY-MM-DD``.

Optional filters ``channel``, ``kind``, ``category`` and ``department`` (codes). The figures
are those of the dashboard and the exports (``reports.selectors.report_summary``), within the
caller's scope; labels follow ``Accept-Language``. Bad dates or filters answer 422 with one
message per field (Vietnamese, or English with ``Accept-Language: en``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.api.complaints import ERRORS
from complaintdesk.api.errors import lang_of
from complaintdesk.core.clock import local, utcnow
from complaintdesk.core.errors import PermissionRefused
from complaintdesk.reports.filters import report_filters_parse
from complaintdesk.reports.selectors import Summary, report_summary

router = Router(tags=["reports"])


class SummaryParams(Schema):
    from_: str = Field("", alias="from", max_length=20, description="first day, YYYY-MM-DD")
    to: str = Field("", max_length=20, description="last day (inclusive), YYYY-MM-DD")
    channel: str = Field("", max_length=16)
    kind: str = Field("", max_length=16)
    category: str = Field("", max_length=60)
    department: str = Field("", max_length=60)


class CountOut(Schema):
    code: str
    label: str
    count: int


class PointOut(Schema):
    start: date
    count: int


class TimeOut(Schema):
    step: str
    count: int
    average_hours: float | None
    p90_hours: float | None


class ClockOut(Schema):
    name: str
    label: str
    total: int
    met: int
    breached: int
    running: int
    paused: int
    met_share: float | None
    breached_share: float | None


class QuarterOut(Schema):
    start: date
    end: date
    written_complaints: int
    customers: int | None
    per_100_customers: float | None
    target_per_100: float
    meets_target: bool | None


class SummaryOut(Schema):
    date_from: date
    date_to: date
    filters: dict[str, str]
    generated_at: datetime
    received: int
    open: int
    closed: int
    closed_in_period: int
    escalated: int
    escalated_to_leadership: int
    satisfied: int
    unsatisfied: int
    satisfaction_share: float | None
    by_day: list[PointOut]
    by_week: list[PointOut]
    by_month: list[PointOut]
    by_channel: list[CountOut]
    by_kind: list[CountOut]
    by_category: list[CountOut]
    by_department: list[CountOut]
    by_status: list[CountOut]
    times: list[TimeOut]
    clocks: list[ClockOut]
    top_causes: list[CountOut]
    quarters: list[QuarterOut]


def _counts(rows: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    return [{"code": code, "label": label, "count": n} for code, label, n in rows]


def _points(rows: list[tuple[date, int]]) -> list[dict[str, Any]]:
    return [{"start": d, "count": n} for d, n in rows]


def summary_out(s: Summary) -> dict[str, Any]:
    from complaintdesk.reports.selectors import TARGET_PER_100

    f = s.filters
    return {
        "date_from": f.date_from,
        "date_to": f.date_to,
        "filters": {k: v for k, v in f.as_query().items() if k not in ("from", "to")},
        "generated_at": s.generated_at,
        "received": s.received,
        "open": s.open,
        "closed": s.closed,
        "closed_in_period": s.closed_in_period,
        "escalated": s.escalated_heads,
        "escalated_to_leadership": s.escalated_leadership,
        "satisfied": s.satisfied,
        "unsatisfied": s.unsatisfied,
        "satisfaction_share": s.satisfaction_share,
        "by_day": _points(s.by_day),
        "by_week": _points(s.by_week),
        "by_month": _points(s.by_month),
        "by_channel": _counts(s.by_channel),
        "by_kind": _counts(s.by_kind),
        "by_category": _counts(s.by_category),
        "by_department": _counts(s.by_department),
        "by_status": _counts(s.by_status),
        "times": [
            {
                "step": t.key,
                "count": t.count,
                "average_hours": t.average_hours,
                "p90_hours": t.p90_hours,
            }
            for t in s.times
        ],
        "clocks": [
            {
                "name": c.name,
                "label": c.label,
                "total": c.total,
                "met": c.met,
                "breached": c.breached,
                "running": c.running,
                "paused": c.paused,
                "met_share": c.met_share,
                "breached_share": c.breached_share,
            }
            for c in s.clocks
        ],
        "top_causes": [{"code": "", "label": text, "count": n} for text, n in s.top_causes],
        "quarters": [
            {
                "start": q.start,
                "end": q.end,
                "written_complaints": q.written,
                "customers": q.customers,
                "per_100_customers": q.per_100,
                "target_per_100": TARGET_PER_100,
                "meets_target": q.meets_target,
            }
            for q in s.quarters
        ],
    }


@router.get(
    "/summary",
    response={200: SummaryOut, **ERRORS},
    url_name="report_summary",
    summary="Report figures for a date range (the dashboard's numbers)",
)
def summary(request: HttpRequest, params: Query[SummaryParams]) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not has_capability(user, "report.view"):
        raise PermissionRefused()
    filters = report_filters_parse(
        {
            "from": params.from_,
            "to": params.to,
            "channel": params.channel,
            "kind": params.kind,
            "category": params.category,
            "department": params.department,
        },
        today=local(utcnow()).date(),
    )
    return summary_out(report_summary(filters=filters, user=user, lang=lang_of(request)))
