"""XLSX export: a summary sheet with every table and its chart (native Excel charts), and
optionally the report journal on its own sheet."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from complaintdesk.reports.document import Document, Table
from complaintdesk.reports.exports.csv import _clean

HEAD_FILL = PatternFill("solid", fgColor="DDE7F5")


def _sheet_title(text: str) -> str:
    bad = "[]:*?/\\"
    return "".join(c for c in text if c not in bad)[:31] or "Sheet"


def _chart(ws: Any, table: Table, first_row: int, last_row: int, anchor: str) -> None:
    chart = table.chart
    if chart is None or chart.empty or last_row < first_row:
        return
    bar = BarChart()
    bar.type = "col" if chart.kind == "columns" else "bar"
    bar.title = table.title
    bar.height, bar.width = 7.5, 16
    bar.legend = None if len(chart.series) < 2 else bar.legend
    if chart.kind == "stacked":
        bar.grouping, bar.overlap = "stacked", 100
        cols: tuple[int, ...] = (3, 4)  # met, breached
    else:
        cols = (2,)
    for col in cols:
        data = Reference(ws, min_col=col, min_row=first_row - 1, max_row=last_row)
        bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=last_row))
    if chart.kind == "bars" or chart.kind == "stacked":
        bar.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    ws.add_chart(bar, anchor)


def document_xlsx(
    doc: Document,
    *,
    journal: tuple[Sequence[str], Iterable[Sequence[Any]]] | None = None,
    journal_title: str = "Nhật ký",
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(doc.title[:31])
    ws["A1"] = doc.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = doc.organisation
    ws["A3"] = doc.subtitle
    row = 5
    for label, value in doc.headline:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=2, value=value)
        row += 1
    for table in doc.tables:
        row += 2
        ws.cell(row=row, column=1, value=table.title).font = Font(bold=True, size=12)
        row += 1
        for col, header in enumerate(table.headers, start=1):
            cell = ws.cell(row=row, column=col, value=header)
            cell.font, cell.fill = Font(bold=True), HEAD_FILL
            cell.alignment = Alignment(wrap_text=True)
        first = row + 1
        for values in table.rows:
            row += 1
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=_clean(value))
        if table.note:
            row += 1
            ws.cell(row=row, column=1, value=table.note).font = Font(italic=True)
        _chart(ws, table, first, first + len(table.rows) - 1, f"J{first - 1}")
        if table.chart is not None and not table.chart.empty:
            row = max(row, first + 15)
    ws.column_dimensions["A"].width = 42
    for col in range(2, 9):
        ws.column_dimensions[get_column_letter(col)].width = 16
    if journal is not None:
        headers, rows = journal
        js = wb.create_sheet(_sheet_title(journal_title))
        js.append(list(headers))
        for cell in js[1]:
            cell.font, cell.fill = Font(bold=True), HEAD_FILL
        for line in rows:
            js.append([_clean(v) for v in line])
        js.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
