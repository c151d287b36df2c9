"""One-page intake receipt (walk-in and letter complaints): code, what was received, the
deadlines, and how to follow the complaint (the tracking address and its QR code)."""

from __future__ import annotations

from typing import Any

import qrcode
from django.conf import settings
from fpdf import FPDF

from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import local
from complaintdesk.documents.pdf import FAMILY, LEFT, RIGHT, _pdf
from complaintdesk.sla.selectors import clocks_for


def qr_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()  # type: ignore[no-any-return]


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(data)
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + r * cell, cell, cell, style="F")


def _row(pdf: FPDF, label: str, value: str, width: float) -> None:
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(45, 6.5, label)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(width - 45, 6.5, value or "—", new_x="LMARGIN", new_y="NEXT")


def receipt_pdf(complaint: Complaint, tracking_url: str) -> bytes:
    pdf = _pdf()
    pdf.add_page()
    width = pdf.w - LEFT - RIGHT
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(width, 6, settings.ORGANISATION_NAME.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 15)
    pdf.cell(width, 8, "GIẤY BIÊN NHẬN KHIẾU NẠI", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", 10)
    pdf.cell(width, 6, "Complaint receipt", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    attachments = complaint.attachments.count()
    rows: list[tuple[str, Any]] = [
        ("Mã phiếu:", complaint.code),
        ("Thời điểm nhận:", local(complaint.received_at).strftime("%H:%M ngày %d/%m/%Y")),
        ("Hình thức:", complaint.get_channel_display()),
        ("Khách hàng:", complaint.customer.name),
        ("Nội dung:", complaint.subject),
        ("Tài liệu kèm theo:", f"{attachments} tệp" if attachments else "Không"),
    ]
    for label, value in rows:
        _row(pdf, label, str(value), width)
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(width, 7, "Thời hạn giải quyết", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    for clock in clocks_for(complaint, "vi"):
        pdf.multi_cell(
            width,
            6,
            f"- {clock['label']}: hạn {clock['due_display']}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(width, 7, "Theo dõi khiếu nại", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    _draw_qr(pdf, tracking_url, LEFT, top + 1, 35)
    pdf.set_xy(LEFT + 40, top + 1)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(
        width - 40,
        6,
        "Quét mã QR hoặc truy cập địa chỉ dưới đây, nhập mã phiếu và số điện thoại hoặc email "
        "đã đăng ký để nhận mã xác thực, xem tiến độ, bổ sung thông tin và đánh giá kết quả:\n"
        + tracking_url,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
