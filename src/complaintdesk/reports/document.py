"""A report as a document: headline figures, tables and their charts, in one language.

The web page, the XLSX, CSV and PDF exports and the e-mailed monthly report are all drawn from
:func:`report_document`, so they always show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from complaintdesk.reports.domain.charts import PALETTE, Chart, Series, fmt
from complaintdesk.reports.selectors import TARGET_PER_100, Summary


@dataclass
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    chart: Chart | None = None
    note: str = ""


@dataclass
class Document:
    title: str
    subtitle: str
    organisation: str
    lang: str
    empty_text: str = ""
    headline: list[tuple[str, str]] = field(default_factory=list)  # (label, formatted value)
    tables: list[Table] = field(default_factory=list)


def pct(value: float | None) -> str:
    return "—" if value is None else fmt(round(value, 1)) + " %"


def hours(value: float | None) -> str:
    return "—" if value is None else fmt(round(value, 1))


def period_label(day: date, grain: str) -> str:
    if grain == "month":
        return f"{day:%m/%Y}"
    return f"{day:%d/%m}" if grain == "day" else f"{day:%d/%m}–"


def _dimension_table(
    key: str, title: str, rows: list[tuple[str, str, int]], total: int, color: str
) -> Table:
    return Table(
        key=key,
        title=title,
        headers=(_("Nhóm"), _("Số phiếu"), _("Tỷ lệ")),
        rows=[(label, n, pct(100 * n / total if total else None)) for _code, label, n in rows],
        chart=Chart(
            "bars",
            title,
            tuple(label for _c, label, _n in rows),
            (Series(_("Số phiếu"), tuple(float(n) for *_x, n in rows), color),),
        ),
    )


def _tables(s: Summary) -> list[Table]:
    grain = s.grain
    grain_title = {
        "day": _("Số phiếu tiếp nhận theo ngày"),
        "week": _("Số phiếu tiếp nhận theo tuần"),
        "month": _("Số phiếu tiếp nhận theo tháng"),
    }[grain]
    series = s.series
    tables = [
        Table(
            "series",
            grain_title,
            (_("Kỳ"), _("Số phiếu")),
            [(period_label(d, grain), n) for d, n in series],
            Chart(
                "columns",
                grain_title,
                tuple(period_label(d, grain) for d, _n in series),
                (Series(_("Số phiếu"), tuple(float(n) for _d, n in series)),),
            ),
        ),
        _dimension_table("channel", _("Theo kênh tiếp nhận"), s.by_channel, s.received, PALETTE[0]),
        _dimension_table("kind", _("Theo loại"), s.by_kind, s.received, PALETTE[4]),
        _dimension_table("category", _("Theo danh mục"), s.by_category, s.received, PALETTE[2]),
        _dimension_table(
            "department", _("Theo phòng ban phụ trách"), s.by_department, s.received, PALETTE[3]
        ),
        _dimension_table(
            "status", _("Theo trạng thái hiện tại"), s.by_status, s.received, PALETTE[5]
        ),
    ]
    clocks = s.clocks
    tables.append(
        Table(
            "clocks",
            _("Thời hạn: đúng hạn và quá hạn"),
            (
                _("Thời hạn"),
                _("Tổng"),
                _("Đúng hạn"),
                _("Quá hạn"),
                _("Đang chạy"),
                _("Tạm dừng"),
                _("Tỷ lệ đúng hạn"),
                _("Tỷ lệ quá hạn"),
            ),
            [
                (
                    c.label,
                    c.total,
                    c.met,
                    c.breached,
                    c.running,
                    c.paused,
                    pct(c.met_share),
                    pct(c.breached_share),
                )
                for c in clocks
            ],
            Chart(
                "stacked",
                _("Thời hạn: đúng hạn và quá hạn"),
                tuple(c.label for c in clocks),
                (
                    Series(_("Đúng hạn"), tuple(float(c.met) for c in clocks), PALETTE[3]),
                    Series(_("Quá hạn"), tuple(float(c.breached) for c in clocks), PALETTE[1]),
                ),
            )
            if clocks
            else None,
            note=_("Tỷ lệ tính trên các thời hạn đã kết thúc hoặc đã quá hạn."),
        )
    )
    names = {
        "acknowledge": _("Báo đã tiếp nhận"),
        "first_response": _("Phản hồi đầu tiên"),
        "resolution": _("Giải quyết"),
    }
    tables.append(
        Table(
            "times",
            _("Thời gian xử lý (giờ, tính từ lúc tiếp nhận)"),
            (_("Bước"), _("Số phiếu"), _("Trung bình (giờ)"), _("Phân vị 90 (giờ)")),
            [(names[t.key], t.count, hours(t.average_hours), hours(t.p90_hours)) for t in s.times],
        )
    )
    causes = s.top_causes
    tables.append(
        Table(
            "causes",
            _("Nguyên nhân thường gặp (theo kết quả xác minh)"),
            (_("Nguyên nhân"), _("Số phiếu")),
            [(text, n) for text, n in causes],
            Chart(
                "bars",
                _("Nguyên nhân thường gặp"),
                tuple(t for t, _n in causes),
                (Series(_("Số phiếu"), tuple(float(n) for _t, n in causes), PALETTE[1]),),
            ),
        )
    )
    tables.append(
        Table(
            "quarters",
            _("Khiếu nại bằng văn bản trên 100 khách hàng mỗi quý"),
            (
                _("Quý"),
                _("Khiếu nại bằng văn bản"),
                _("Số khách hàng"),
                _("Trên 100 khách hàng"),
                _("Chỉ tiêu"),
            ),
            [
                (
                    f"{q.start:%d/%m/%Y}–{q.end:%d/%m/%Y}",
                    q.written,
                    "—" if q.customers is None else fmt(q.customers),
                    "—" if q.per_100 is None else f"{q.per_100:.3f}".replace(".", ","),
                    "—"
                    if q.meets_target is None
                    else (_("Đạt") if q.meets_target else _("Không đạt")),
                )
                for q in s.quarters
            ],
            note=_(
                "Chỉ tiêu: dưới %(target)s khiếu nại trên 100 khách hàng trong 3 tháng. Nhập quy mô "
                "khách hàng trong trang quản trị để tính."
            )
            % {"target": str(TARGET_PER_100).replace(".", ",")},
        )
    )
    return tables


def report_document(summary: Summary, *, lang: str = "vi") -> Document:
    """The whole report in ``lang`` ("vi" or "en")."""
    with translation.override(lang):
        f = summary.filters
        reply = summary.reply_clock
        doc = Document(
            title=_("Báo cáo tiếp nhận và giải quyết khiếu nại"),
            subtitle=_("Từ %(start)s đến %(end)s")
            % {"start": f"{f.date_from:%d/%m/%Y}", "end": f"{f.date_to:%d/%m/%Y}"},
            organisation=settings.ORGANISATION_NAME,
            lang=lang,
            empty_text=_("Không có dữ liệu trong kỳ."),
        )
        doc.headline = [
            (_("Số phiếu tiếp nhận"), fmt(summary.received)),
            (_("Đang mở"), fmt(summary.open)),
            (_("Đã đóng"), fmt(summary.closed)),
            (_("Đóng trong kỳ"), fmt(summary.closed_in_period)),
            (
                _("Chuyển cấp trên"),
                f"{fmt(summary.escalated_heads)} ({pct(summary.escalation_share)})",
            ),
            (_("Chuyển Ban Giám đốc"), fmt(summary.escalated_leadership)),
            (_("Khách hài lòng"), pct(summary.satisfaction_share)),
            (
                _("Trả lời đúng hạn (%(clock)s)") % {"clock": reply.label if reply else "—"},
                pct(reply.met_share) if reply else "—",
            ),
        ]
        doc.tables = _tables(summary)
        if any(f.as_query().get(k) for k in ("channel", "kind", "category", "department")):
            doc.subtitle += " · " + ", ".join(
                f"{k}: {v}" for k, v in f.as_query().items() if k not in ("from", "to")
            )
    return doc
