"""Reply letters (công văn): POST to issue one (a role that may send messages to customers, once
the complaint has a recorded result), GET its PDF once issued. Reading never issues: issuing is
an official act with a register number and a notice to the customer."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema

from complaintdesk.api.complaints import ERRORS, expected_version, find, require
from complaintdesk.core.errors import NotFound
from complaintdesk.documents.models import ReplyLetter
from complaintdesk.documents.pdf import letter_pdf
from complaintdesk.documents.receipt import receipt_pdf
from complaintdesk.documents.services import letter_issue

router = Router(tags=["documents"])


class LetterOut(Schema):
    reference: str
    year: int
    number: int
    issued_at: datetime
    pdf_url: str


def _pdf_response(letter: ReplyLetter) -> HttpResponse:
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    name = letter.reference.replace("/", "_")
    response["Content-Disposition"] = f'inline; filename="cong-van-{name}.pdf"'
    return response


@router.get("/complaints/{code}/reply-letter.pdf", response={**ERRORS}, url_name="reply_letter_pdf")
def reply_letter_pdf(request: HttpRequest, code: str) -> HttpResponse:
    complaint = find(request, code)
    letter = ReplyLetter.objects.filter(complaint=complaint).first()
    if letter is None:
        raise NotFound("Phiếu chưa có công văn trả lời.", "No reply letter has been issued.")
    return _pdf_response(letter)


@router.post(
    "/complaints/{code}/reply-letter", response={200: LetterOut, **ERRORS}, url_name="reply_letter"
)
def reply_letter_issue(request: HttpRequest, code: str) -> LetterOut:
    """Issue the reply letter (idempotent: the letter already issued is returned). With
    ``If-Match: <version>`` it is refused (409) when the complaint changed since."""
    complaint = find(request, code)
    user = require(request, "message.send")
    version = expected_version(None, request.headers.get("If-Match", ""))
    letter = letter_issue(complaint=complaint, actor=user, expected_version=version)
    return LetterOut(
        reference=letter.reference,
        year=letter.year,
        number=letter.number,
        issued_at=letter.issued_at,
        pdf_url=f"/api/v1/complaints/{complaint.code}/reply-letter.pdf",
    )


@router.get("/complaints/{code}/receipt.pdf", response={**ERRORS}, url_name="receipt_pdf")
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The intake receipt handed to a walk-in customer or posted back for a letter."""
    complaint = find(request, code)
    path = f"{reverse('portal:start')}?ma={complaint.code}"
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    url = f"{base}{path}" if base else request.build_absolute_uri(path)
    response = HttpResponse(receipt_pdf(complaint, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{complaint.code}.pdf"'
    return response
