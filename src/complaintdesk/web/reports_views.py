"""Reports in the agent workspace: the dashboard, exports, the daily report journal and the
journal of record (URLs in ``web.reports_urls``, templates under ``web/reports/``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import Department
from complaintdesk.complaints.models import Category, Channel, Kind
from complaintdesk.core.clock import local, utcnow
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.core.formvalues import ascii_int
from complaintdesk.reports import journal_selectors as journal
from complaintdesk.reports.document import report_document
from complaintdesk.reports.domain import figures as fig
from complaintdesk.reports.domain.charts import legend_svg, render_svg
from complaintdesk.reports.exports.csv import document_csv, rows_csv
from complaintdesk.reports.exports.pdf import document_pdf
from complaintdesk.reports.exports.xlsx import document_xlsx
from complaintdesk.reports.filters import ReportFilters, parse_date, report_filters_parse
from complaintdesk.reports.selectors import report_summary
from complaintdesk.reports.services import export_record
from complaintdesk.web.views.common import lang, require

MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
DAILY_SHOWN = 500


class ReportFilterForm(forms.Form):
    """Renders the filters; checking is ``reports.filters.report_filters_parse``'s job."""

    date_from = forms.CharField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.CharField(label=gettext_lazy("Đến ngày"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Kênh"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Danh mục"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Phòng ban"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("Tất cả"))]
        self.fields["channel"].choices = blank + list(Channel.choices)  # type: ignore[attr-defined]
        self.fields["kind"].choices = blank + list(Kind.choices)  # type: ignore[attr-defined]
        self.fields["category"].choices = blank + [  # type: ignore[attr-defined]
            (c.code, str(c)) for c in Category.objects.select_related("parent")
        ]
        self.fields["department"].choices = blank + [  # type: ignore[attr-defined]
            (d.code, d.name) for d in Department.objects.all()
        ]
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
            )


def _today() -> date:
    return local(utcnow()).date()


def _filters(
    request: HttpRequest, *, default_from: date | None = None
) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The filter form, and the checked filters (None when a value is wrong: shown by its field)."""
    data = request.GET
    raw = {
        "from": data.get("from") or data.get("date_from", ""),
        "to": data.get("to") or data.get("date_to", ""),
    }
    raw.update({k: data.get(k, "") for k in ("channel", "kind", "category", "department")})
    shown = {
        "date_from": raw["from"],
        "date_to": raw["to"],
        **{k: raw[k] for k in ("channel", "kind", "category", "department")},
    }
    try:
        filters = report_filters_parse(raw, today=_today(), default_from=default_from)
    except ValidationFailed as exc:
        form = ReportFilterForm(data=shown)
        form.full_clean()
        form._errors = ErrorDict()  # type: ignore[attr-defined]  # our messages only, one per field
        index = 1 if lang().startswith("en") else 0
        names = {"from": "date_from", "to": "date_to"}
        for field, pair in exc.errors.items():
            form.add_error(names.get(field, field), pair[index])
        return form, None
    shown.update(date_from=f"{filters.date_from:%d/%m/%Y}", date_to=f"{filters.date_to:%d/%m/%Y}")
    return ReportFilterForm(data=shown), filters


def _ranges(today: date) -> list[tuple[str, date, date]]:
    last_month = fig.previous_month(today)
    quarter = fig.quarter_start(today)
    last_quarter = fig.quarter_start(quarter - timedelta(days=1))
    return [
        (_("Hôm nay"), today, today),
        (_("7 ngày qua"), today - timedelta(days=6), today),
        (_("Tháng này"), fig.month_start(today), today),
        (_("Tháng trước"), last_month.start, last_month.end),
        (_("Quý này"), quarter, today),
        (_("Quý trước"), last_quarter, fig.quarter_end(last_quarter)),
    ]


def _download(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=MIME[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = require(request, "report.view")
    form, filters = _filters(request)
    context: dict[str, Any] = {"form": form, "filters": filters, "ranges": _ranges(_today())}
    if filters is not None:
        summary = report_summary(filters=filters, user=user, lang=lang())
        doc = report_document(summary, lang=lang())
        context.update(
            summary=summary,
            doc=doc,
            query=_query(filters),
            charts={
                t.key: mark_safe(render_svg(t.chart) + legend_svg(t.chart))  # noqa: S308 - escaped SVG
                for t in doc.tables
                if t.chart is not None
            },
        )
    return render(request, "web/reports/dashboard.html", context)


def _query(filters: ReportFilters) -> str:
    from urllib.parse import urlencode

    return urlencode(filters.as_query())


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = require(request, "report.view")
    if fmt not in MIME:
        raise Http404
    _form, filters = _filters(request)
    if filters is None:
        messages.error(request, _("Bộ lọc không hợp lệ; hãy sửa rồi xuất lại."))
        return redirect(f"{request.path.rsplit('/', 1)[0]}/?{request.GET.urlencode()}")
    doc = report_document(report_summary(filters=filters, user=user, lang=lang()), lang=lang())
    if fmt == "csv":
        content = document_csv(doc)
    else:
        content = document_xlsx(doc) if fmt == "xlsx" else document_pdf(doc)
    export_record(actor=user, what="report", fmt=fmt, query=filters.as_query())
    return _download(content, f"bao-cao-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}", fmt)


# --- the daily report journal -----------------------------------------------------------------


def journal_headers() -> list[str]:
    return [
        _("Mã phiếu"),
        _("Ghi nhận"),
        _("Tiếp nhận lúc"),
        _("Đóng lúc"),
        _("Kênh"),
        _("Loại"),
        _("Khách hàng"),
        _("Điện thoại"),
        _("Tiêu đề"),
        _("Danh mục"),
        _("Phòng ban"),
        _("Người phụ trách"),
        _("Trạng thái"),
        _("Kết quả"),
    ]


def _stamp(value: datetime | None) -> str:
    return f"{local(value):%d/%m/%Y %H:%M}" if value else ""


def journal_values(row: journal.JournalRow) -> list[Any]:
    events = {
        "received": _("Tiếp nhận"),
        "closed": _("Đóng"),
        "received_closed": _("Tiếp nhận và đóng"),
    }
    return [
        row.code,
        events[row.event],
        _stamp(row.received_at),
        _stamp(row.closed_at),
        row.channel,
        row.kind,
        row.customer,
        row.phone,
        row.subject,
        row.category,
        row.department,
        row.assignee,
        row.status,
        row.resolution,
    ]


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    user = require(request, "report.view")
    form, filters = _filters(request, default_from=_today())
    context: dict[str, Any] = {"form": form, "filters": filters}
    if filters is not None:
        rows = list(journal.report_journal_rows(filters, user, limit=DAILY_SHOWN + 1, lang=lang()))
        context.update(
            rows=rows[:DAILY_SHOWN],
            more=len(rows) > DAILY_SHOWN,
            query=_query(filters),
            received=sum(r.event != "closed" for r in rows),
            closed=sum(r.event != "received" for r in rows),
        )
    return render(request, "web/reports/daily.html", context)


@login_required
def daily_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = require(request, "customer.export")  # names and phones: personal data
    if fmt not in MIME:
        raise Http404
    _form, filters = _filters(request, default_from=_today())
    if filters is None:
        raise Http404
    count = journal.report_journal_queryset(filters, user).count()
    export_record(actor=user, what="report_journal", fmt=fmt, query=filters.as_query(), rows=count)
    rows = (journal_values(r) for r in journal.report_journal_rows(filters, user, lang=lang()))
    name = f"nhat-ky-bao-cao-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            rows_csv(journal_headers(), rows), content_type=MIME["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    doc = report_document(report_summary(filters=filters, user=user, lang=lang()), lang=lang())
    render_fn = document_xlsx if fmt == "xlsx" else document_pdf
    content = render_fn(doc, journal=(journal_headers(), rows), journal_title=_("Nhật ký báo cáo"))
    return _download(content, name, fmt)


# --- the journal of record ----------------------------------------------------------------


def journal_action_label(action: str) -> str:
    from complaintdesk.web.formatting import action_label

    if action.startswith("action."):
        return action_label(action.removeprefix("action."))
    labels = {
        "complaint.created": _("Tạo phiếu"),
        "complaint.updated": _("Sửa phiếu"),
        "complaint.assigned": _("Giao phụ trách"),
        "note.added": _("Ghi chú nội bộ"),
        "message.in": _("Khách gửi tin"),
        "message.out": _("Gửi khách"),
        "task.created": _("Tạo nhiệm vụ"),
        "task.updated": _("Cập nhật nhiệm vụ"),
        "attachment.added": _("Thêm tệp"),
        "export.report": _("Xuất báo cáo"),
        "export.report_journal": _("Xuất nhật ký báo cáo"),
        "export.journal": _("Xuất nhật ký thao tác"),
    }
    return labels.get(action, action)


def _journal_filters(request: HttpRequest) -> journal.JournalFilters:
    data = request.GET
    before = data.get("before", "")
    return journal.JournalFilters(
        date_from=parse_date(data.get("from", "")),
        date_to=parse_date(data.get("to", "")),
        actor=data.get("actor", "").strip()[:150],
        action=data.get("action", "").strip()[:60],
        code=data.get("code", "").strip()[:32],
        before_id=ascii_int(before, max_digits=18),
    )


@login_required
def journal_view(request: HttpRequest) -> HttpResponse:
    user = require(request, "journal.view")
    filters = _journal_filters(request)
    entries, next_before = journal.journal_page(filters, user)
    for entry in entries:
        entry.label = journal_action_label(entry.action)  # type: ignore[attr-defined]
    from urllib.parse import urlencode

    return render(
        request,
        "web/reports/journal.html",
        {
            "entries": entries,
            "next_before": next_before,
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "verification": journal.latest_verification(),
        },
    )


@login_required
def journal_export(request: HttpRequest) -> HttpResponseBase:
    user = require(request, "customer.export")
    filters = _journal_filters(request)
    qs = journal.journal_entries(filters, user)
    export_record(actor=user, what="journal", fmt="csv", query=filters.as_query(), rows=qs.count())
    headers = [
        _("Số"),
        _("Thời điểm"),
        _("Người thực hiện"),
        _("Thao tác"),
        _("Mã phiếu"),
        _("Đối tượng"),
        _("Trước"),
        _("Sau"),
        _("Chuỗi"),
        _("Mã băm"),
    ]
    rows = (
        [
            e.id,
            _stamp(e.at),
            e.actor_label,
            e.action,
            e.complaint.code if e.complaint_id and e.complaint else "",
            e.target,
            e.before,
            e.after,
            f"{e.chain}#{e.seq}",
            e.hash,
        ]
        for e in qs.only(
            "id",
            "at",
            "actor_label",
            "action",
            "target",
            "before",
            "after",
            "chain",
            "seq",
            "hash",
            "complaint__code",
        ).iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(rows_csv(headers, rows), content_type=MIME["csv"])
    response["Content-Disposition"] = 'attachment; filename="nhat-ky-thao-tac.csv"'
    return response


@login_required
@require_POST
def journal_verify_now(request: HttpRequest) -> HttpResponse:
    require(request, "journal.view")
    from complaintdesk.reports.jobs import verify_journal

    verify_journal.enqueue()
    messages.success(
        request, _("Đã yêu cầu kiểm tra toàn vẹn nhật ký; kết quả hiện ở đây khi chạy xong.")
    )
    return redirect("web:reports:journal")
