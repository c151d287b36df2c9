"""A reply letter laid out as Decree 30/2020/ND-CP Appendix I (A4, serif, the usual blocks)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from complaintdesk.documents.models import ReplyLetter
from complaintdesk.documents.services import vn_date

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSerif"
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Margins in mm: top/bottom 20–25, left 30–35, right 15–20.
TOP, BOTTOM, LEFT, RIGHT = 20, 20, 30, 15
LEFT_COL = 70  # organisation block width


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    for style, name in [("", ""), ("B", "-Bold"), ("I", "-Italic"), ("BI", "-BoldItalic")]:
        pdf.add_font(FAMILY, style, str(FONTS / f"DejaVuSerif{name}.ttf"))
    return pdf


def letter_pdf(letter: ReplyLetter) -> bytes:
    pdf = _pdf()
    pdf.set_title(f"{letter.reference} {letter.summary}")
    pdf.add_page()
    width = pdf.w - LEFT - RIGHT
    right_x, right_w = LEFT + LEFT_COL, width - LEFT_COL
    top = pdf.get_y()
    # Left: organisation, number, summary.
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(LEFT_COL, 5.5, letter.organisation.upper(), align="C")
    y = pdf.get_y()
    pdf.line(LEFT + LEFT_COL / 2 - 12, y + 0.5, LEFT + LEFT_COL / 2 + 12, y + 0.5)
    pdf.set_y(y + 2)
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(LEFT_COL, 6, f"Số: {letter.reference}", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(LEFT_COL, 5, letter.summary, align="C")
    left_bottom = pdf.get_y()
    # Right: national title, motto (underlined), place and date (italic).
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.cell(right_w, 5.5, NATIONAL, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "BU", 11)
    pdf.cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 3)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "I", 11)
    pdf.cell(right_w, 6, vn_date(letter.place, letter.issued_at), align="C")
    pdf.set_xy(LEFT, max(left_bottom, pdf.get_y() + 6) + 6)
    # Addressee and body.
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(width, 7, f"Kính gửi: {letter.addressee}", align="C")
    pdf.ln(3)
    for paragraph in letter.body.splitlines():
        if paragraph.strip():
            pdf.set_x(LEFT)
            pdf.multi_cell(width, 6.5, "      " + paragraph.strip(), align="J")
            pdf.ln(1)
    pdf.ln(6)
    # Recipients (left) and signature (right).
    block = pdf.get_y()
    if block > pdf.h - BOTTOM - 50:
        pdf.add_page()
        block = pdf.get_y()
    pdf.set_font(FAMILY, "BI", 11)
    pdf.cell(LEFT_COL, 6, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    for i, line in enumerate(letter.recipients):
        end = "." if i == len(letter.recipients) - 1 else ";"
        pdf.cell(LEFT_COL, 5, f"- {line}{end}", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(right_x, block)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(right_w, 6, letter.signer_title.upper(), align="C", new_x="LEFT", new_y="NEXT")
    if letter.signer_name:
        pdf.set_xy(right_x, block + 30)
        pdf.cell(right_w, 6, letter.signer_name, align="C")
    return bytes(pdf.output())
