"""The reports pages of the workspace and their exports, as a person would see them."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from complaintdesk.journal.models import JournalEntry

DASH = "/reports/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def lead(client, known):
    client.force_login(known.org.leadership)
    return client


def test_dashboard_shows_figures_charts_and_the_numbers_behind_them(lead):
    response = lead.get(DASH, MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Từ 01/03/2026 đến 31/03/2026" in html
    kpis = dict(response.context["doc"].headline)
    assert (
        kpis["Số phiếu tiếp nhận"] == "5"
        and kpis["Đang mở"] == "4"
        and kpis["Khách hài lòng"] == "50 %"
    )
    assert html.count("<svg") >= 5
    assert "Xem số liệu" in html
    assert "<td>Tổng đài</td><td>2</td><td>40 %</td>" in html
    assert "0.200 trên 100 khách hàng" in html or "0,200 trên 100 khách hàng" in html
    assert "đạt chỉ tiêu dưới 0,25" in html


def test_dashboard_refuses_bad_dates_beside_the_field(lead):
    response = lead.get(DASH, {"from": "31/02/2026"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"] == [
        "Ngày không hợp lệ: dùng dạng YYYY-MM-DD (ví dụ 2026-03-31) hoặc dd/mm/yyyy."
    ]
    assert "summary" not in response.context


def test_staff_may_not_see_reports(client, org):
    client.force_login(org.staff)
    assert client.get(DASH).status_code == 403
    assert client.get("/reports/journal/").status_code == 403


def test_xlsx_export_has_the_figures_and_charts_and_is_journaled(lead, known):
    response = lead.get("/reports/export.xlsx", MARCH)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="bao-cao-20260301-20260331.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert list(values[4][:2]) == ["Số phiếu tiếp nhận", "5"]
    assert any(row[:3] == ("Tổng đài", 2, "40 %") for row in map(tuple, values))
    assert len(sheet._charts) >= 5
    entry = JournalEntry.objects.get(chain="sys:exports")
    assert entry.action == "export.report" and entry.actor_id == known.org.leadership.pk
    assert entry.after == {"format": "xlsx", "filters": MARCH, "rows": None}


def test_csv_and_pdf_exports(lead):
    text = lead.get("/reports/export.csv", MARCH).content.decode("utf-8")
    assert text.startswith("\ufeffBáo cáo tiếp nhận và giải quyết khiếu nại")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["Số phiếu tiếp nhận", "5"] in rows and ["Tổng đài", "2", "40 %"] in rows
    pdf = lead.get("/reports/export.pdf", MARCH)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"DejaVu" in pdf.content
    assert lead.get("/reports/export.doc", MARCH).status_code == 404


def test_english_report(lead):
    lead.cookies["django_language"] = "en"
    response = lead.get(DASH, MARCH, HTTP_ACCEPT_LANGUAGE="en")
    kpis = dict(response.context["doc"].headline)
    assert kpis["Complaints received"] == "5"
    assert "From 01/03/2026 to 31/03/2026" in response.content.decode()


def test_daily_report_journal_lists_received_and_closed(lead, known):
    response = lead.get("/reports/daily/", {"from": "2026-03-02", "to": "2026-03-02"})
    rows = response.context["rows"]
    assert [r.code for r in rows] == [known.c["c1"].code, known.c["c2"].code]
    assert {r.event for r in rows} == {"received"}
    response = lead.get("/reports/daily/", {"from": "08/03/2026", "to": "08/03/2026"})
    assert [(r.code, r.event) for r in response.context["rows"]] == [(known.c["c1"].code, "closed")]
    assert "Khách c1" in response.content.decode()


def test_daily_journal_export_needs_the_export_right_and_is_journaled(client, known):
    client.force_login(known.org.receiver)
    assert client.get("/reports/daily/export.csv", MARCH).status_code == 403
    client.force_login(known.org.leadership)
    response = client.get("/reports/daily/export.csv", MARCH)
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Mã phiếu", "Ghi nhận", "Tiếp nhận lúc"]
    assert len(rows) == 1 + 5  # c1 (received, closed in March too), c2, c3, c5, c7
    assert rows[1][0] == known.c["c1"].code and rows[1][1] == "Tiếp nhận và đóng"
    entry = JournalEntry.objects.get(chain="sys:exports")
    assert entry.action == "export.report_journal" and entry.after["rows"] == 5
    xlsx = client.get("/reports/daily/export.xlsx", MARCH)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[-1] == "Nhật ký báo cáo" and book["Nhật ký báo cáo"].max_row == 6


def test_journal_of_record_browse_filter_export_and_verify(lead, known):
    response = lead.get("/reports/journal/", {"code": known.c["c7"].code})
    labels = [e.label for e in response.context["entries"]]
    assert labels[-1] == "Tạo phiếu" and len(labels) >= 4
    response = lead.get("/reports/journal/", {"actor": "head"})
    assert {e.complaint_id for e in response.context["entries"]} == {known.c["c7"].pk}
    assert "Chưa có lần kiểm tra nào." in response.content.decode()
    response = lead.post("/reports/journal/verify/", follow=True)
    assert "Toàn vẹn" in response.content.decode()
    export = lead.get("/reports/journal/export.csv", {"code": known.c["c7"].code})
    rows = list(
        csv.reader(io.StringIO(b"".join(export.streaming_content).decode().lstrip("\ufeff")))
    )
    assert rows[0][:4] == ["Số", "Thời điểm", "Người thực hiện", "Thao tác"]
    assert JournalEntry.objects.filter(chain="sys:exports", action="export.journal").count() == 1


def test_journal_pages_by_keyset(lead, known, monkeypatch):
    monkeypatch.setattr("complaintdesk.reports.journal_selectors.PAGE_SIZE", 5)
    first = lead.get("/reports/journal/")
    assert first.context["next_before"] is not None and len(first.context["entries"]) == 5
    older = lead.get("/reports/journal/", {"before": first.context["next_before"]})
    assert older.context["entries"][0].id < first.context["entries"][-1].id
