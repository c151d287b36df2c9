"""The filters of a report: a date range (local days, inclusive) and optional dimensions.

``report_filters_parse`` turns what a page or an API caller sent (strings) into a checked
:class:`ReportFilters`, or raises ``ValidationFailed`` with one Vietnamese/English message per
field; it never lets a bad value through to a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from complaintdesk.accounts.models import Department
from complaintdesk.complaints.models import Category, Channel, Kind
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.reports.domain.figures import month_start

MAX_DAYS = 3 * 366 + 1
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Trường này là bắt buộc.", "This field is required."),
    "invalid_date": (
        "Ngày không hợp lệ: dùng dạng YYYY-MM-DD (ví dụ 2026-03-31) hoặc dd/mm/yyyy.",
        "Invalid date: use YYYY-MM-DD (e.g. 2026-03-31) or dd/mm/yyyy.",
    ),
    "date_order": (
        "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.",
        "The end date must be on or after the start date.",
    ),
    "range_too_long": (
        "Khoảng thời gian dài nhất là {max} ngày.",
        "The range can be at most {max} days.",
    ),
    "invalid_choice": ("Giá trị không hợp lệ: {value}.", "Invalid value: {value}."),
    "unknown_category": ("Danh mục không tồn tại.", "Unknown category."),
    "unknown_department": ("Phòng ban không tồn tại.", "Unknown department."),
}


def message(code: str, **params: object) -> tuple[str, str]:
    vi, en = MESSAGES[code]
    return vi.format(**params), en.format(**params)


@dataclass(frozen=True)
class ReportFilters:
    date_from: date
    date_to: date
    channel: str = ""
    kind: str = ""
    category: str = ""  # code
    department: str = ""  # code
    category_id: int | None = None
    department_id: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def as_query(self) -> dict[str, str]:
        """The filters as query-string values (for links and exports)."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for name in ("channel", "kind", "category", "department"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    def describe(self, lang: str = "vi") -> str:
        span = f"{self.date_from:%d/%m/%Y} – {self.date_to:%d/%m/%Y}"
        parts = [span] + [
            f"{n}={getattr(self, n)}"
            for n in ("channel", "kind", "category", "department")
            if getattr(self, n)
        ]
        return "; ".join(parts)


def parse_date(raw: str) -> date | None:
    raw = (raw or "").strip()
    if len(raw) > 10:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    return None


def report_filters_parse(
    data: Mapping[str, str], *, today: date, default_from: date | None = None
) -> ReportFilters:
    """Check ``from``/``to`` (default: this month to today) and the optional dimensions."""
    errors: dict[str, tuple[str, str]] = {}
    dates: dict[str, date] = {}
    for name, default in (("from", default_from or month_start(today)), ("to", today)):
        raw = str(data.get(name) or "").strip()
        if not raw:
            dates[name] = default
            continue
        parsed = parse_date(raw)
        if parsed is None or not 1900 < parsed.year < 2999:
            errors[name] = message("invalid_date")
        else:
            dates[name] = parsed
    if "from" in dates and "to" in dates and not errors:
        if dates["to"] < dates["from"]:
            errors["to"] = message("date_order")
        elif (dates["to"] - dates["from"]).days + 1 > MAX_DAYS:
            errors["to"] = message("range_too_long", max=MAX_DAYS)
    values: dict[str, str] = {
        n: str(data.get(n) or "").strip()[:60]
        for n in ("channel", "kind", "category", "department")
    }
    if values["channel"] and values["channel"] not in Channel.values:
        errors["channel"] = message("invalid_choice", value=values["channel"][:40])
    if values["kind"] and values["kind"] not in Kind.values:
        errors["kind"] = message("invalid_choice", value=values["kind"][:40])
    category_id = department_id = None
    if values["category"]:
        category_id = (
            Category.objects.filter(code=values["category"]).values_list("pk", flat=True).first()
        )
        if category_id is None:
            errors["category"] = message("unknown_category")
    if values["department"]:
        department_id = (
            Department.objects.filter(code=values["department"])
            .values_list("pk", flat=True)
            .first()
        )
        if department_id is None:
            errors["department"] = message("unknown_department")
    if errors:
        raise ValidationFailed(errors)
    return ReportFilters(
        date_from=dates["from"],
        date_to=dates["to"],
        category_id=category_id,
        department_id=department_id,
        **values,
    )
