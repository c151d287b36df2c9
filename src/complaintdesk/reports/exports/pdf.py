"""PDF export with fpdf2 and the bundled DejaVu Sans (every Vietnamese letter), charts drawn
with the PDF's own rectangles from the same :class:`Chart` data as the web page's SVG."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace

from complaintdesk.reports.document import Document, Table
from complaintdesk.reports.domain.charts import Chart, fmt

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its font subsetting is chatty
HEADINGS = FontFace(emphasis="BOLD", fill_color=(221, 231, 245))


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


class ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"{self.footer_text}  ·  {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _pdf(orientation: str = "P") -> ReportPDF:
    pdf = ReportPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.alias_nb_pages()
    return pdf


def _chart(pdf: FPDF, chart: Chart) -> None:
    if chart.empty:
        return
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if chart.kind == "columns":
        _columns(pdf, chart, width)
    else:
        _bars(pdf, chart, width)
    pdf.ln(3)


def _bars(pdf: FPDF, chart: Chart, width: float) -> None:
    row, label_w = 5.5, 55.0
    n = len(chart.labels)
    if pdf.get_y() + n * row > pdf.h - pdf.b_margin:
        pdf.add_page()
    biggest = max(chart.total(i) for i in range(n)) or 1
    room = width - label_w - 22
    top = pdf.get_y()
    pdf.set_font(FAMILY, size=7.5)
    for i, label in enumerate(chart.labels):
        y = top + i * row
        short = label if len(label) <= 36 else label[:35] + "…"
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, row, short, align="R")
        x = pdf.l_margin + label_w
        for s in chart.series:
            w = room * s.values[i] / biggest
            if w > 0:
                pdf.set_fill_color(*_rgb(s.color))
                pdf.rect(x, y + 0.8, w, row - 1.6, style="F")
                x += w
        pdf.set_xy(x + 1, y)
        pdf.cell(20, row, fmt(chart.total(i)) + chart.unit)
    pdf.set_y(top + n * row + 1)
    if len(chart.series) > 1:
        _legend(pdf, chart)


def _columns(pdf: FPDF, chart: Chart, width: float) -> None:
    height, left = 42.0, 12.0
    if pdf.get_y() + height + 8 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    n = len(chart.labels)
    biggest = max(chart.total(i) for i in range(n)) or 1
    step = (width - left) / n
    base = top + height
    pdf.set_draw_color(140, 149, 159)
    pdf.line(pdf.l_margin + left, base, pdf.l_margin + width, base)
    pdf.set_font(FAMILY, size=6.5)
    pdf.set_xy(pdf.l_margin, top - 1)
    pdf.cell(left - 1, 4, fmt(biggest), align="R")
    every = max(1, round(n / 12))
    for i, label in enumerate(chart.labels):
        x = pdf.l_margin + left + i * step
        y = base
        for s in chart.series:
            h = height * s.values[i] / biggest
            if h > 0:
                pdf.set_fill_color(*_rgb(s.color))
                pdf.rect(x + step * 0.12, y - h, step * 0.76, h, style="F")
                y -= h
        if i % every == 0:
            pdf.set_xy(x - 4, base + 0.5)
            pdf.cell(step + 8, 4, label, align="C")
    pdf.set_y(base + 6)


def _legend(pdf: FPDF, chart: Chart) -> None:
    pdf.set_font(FAMILY, size=7.5)
    x = pdf.l_margin + 55
    y = pdf.get_y()
    for s in chart.series:
        pdf.set_fill_color(*_rgb(s.color))
        pdf.rect(x, y + 1, 3, 3, style="F")
        pdf.set_xy(x + 4, y)
        pdf.cell(pdf.get_string_width(s.name) + 6, 5, s.name)
        x = pdf.get_x()
    pdf.ln(6)


def _table(
    pdf: FPDF,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] | None = None,
    size: float = 8,
    headings: bool = True,
) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if widths is None:
        share = 0.6 if len(headers) <= 2 else 0.4 if len(headers) <= 5 else 1 / len(headers)
        first = width * share
        widths = [first] + [(width - first) / (len(headers) - 1)] * (len(headers) - 1)
    pdf.set_font(FAMILY, size=size)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(160, 170, 180)
    with pdf.table(
        col_widths=tuple(widths),
        text_align="LEFT",
        line_height=size * 0.55,
        first_row_as_headings=headings,
        cell_fill_color=(244, 246, 249),
        cell_fill_mode="ROWS",
        headings_style=HEADINGS,
    ) as table:
        if headings:
            head = table.row()
            for h in headers:
                head.cell(str(h))
        for values in rows:
            line = table.row()
            for v in values:
                line.cell("" if v is None else str(v))


def _wrap(rows: list[tuple[Any, ...]], columns: int) -> list[tuple[Any, ...]]:
    """A long two-column table laid out in ``columns`` pairs side by side."""
    height = -(-len(rows) // columns)
    out = []
    for i in range(height):
        line: tuple[Any, ...] = ()
        for c in range(columns):
            j = c * height + i
            line += rows[j] if j < len(rows) else ("", "")
        out.append(line)
    return out


def _section(pdf: FPDF, table: Table, empty_text: str) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
    if table.chart is not None:
        _chart(pdf, table.chart)
    if table.key == "series" and len(table.rows) > 8:
        _table(pdf, table.headers * 4, _wrap(table.rows, 4), size=7)
    elif table.rows:
        _table(pdf, table.headers, table.rows)
    else:
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(0, 5, empty_text, new_x="LMARGIN", new_y="NEXT")
    if table.note:
        pdf.set_font(FAMILY, size=7.5)
        pdf.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def document_pdf(
    doc: Document,
    *,
    journal: tuple[Sequence[str], Iterable[Sequence[Any]]] | None = None,
    journal_title: str = "",
) -> bytes:
    pdf = _pdf()
    pdf.footer_text = f"{doc.organisation} · {doc.title} · {doc.subtitle}"
    pdf.set_title(doc.title)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 9)
    pdf.multi_cell(0, 5, doc.organisation.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(0, 6, doc.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, ("", ""), doc.headline, size=9, headings=False)
    for table in doc.tables:
        _section(pdf, table, doc.empty_text)
    if journal is not None:
        headers, rows = journal
        pdf.add_page(orientation="L")
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 6, journal_title, new_x="LMARGIN", new_y="NEXT")
        _table(pdf, headers, rows, size=6.5)
    return bytes(pdf.output())
