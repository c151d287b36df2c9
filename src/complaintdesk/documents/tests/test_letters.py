"""Reply letters: numbering, the written-reply clock, the PDF's text and layout."""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection
from pypdf import PdfReader

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import complaint_create
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.documents.models import LetterCounter, LetterTemplate, ReplyLetter
from complaintdesk.documents.pdf import letter_pdf
from complaintdesk.documents.services import letter_issue, vn_date
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox
from complaintdesk.sla.selectors import clocks_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts" / "letters"


def at(y: int, m: int, d: int, hh: int = 9) -> datetime:
    return datetime(y, m, d, hh, tzinfo=VN)


def written(org: Any, received: datetime, n: int = 1) -> Any:
    data = {
        "channel": "letter",
        "procedure": "qcatv",
        "customer": {"name": "Ông Phạm Văn Dũng", "email": f"dung{n}@example.vn"},
        "subject": "Mất tín hiệu truyền hình cáp nhiều ngày",
        "received_at": received.isoformat(),
    }
    complaint = complaint_create(
        actor=org.receiver, data=ComplaintIn.model_validate(data), now=received
    ).complaint
    return complaint


def test_vietnamese_letter_dates_follow_decree_30():
    assert vn_date("Quy Nhơn", at(2026, 3, 5)) == "Quy Nhơn, ngày 05 tháng 3 năm 2026"
    assert vn_date("Hà Nội", at(2026, 2, 14)) == "Hà Nội, ngày 14 tháng 02 năm 2026"
    assert vn_date("Hà Nội", at(2026, 12, 1)) == "Hà Nội, ngày 01 tháng 12 năm 2026"


@pytest.mark.django_db
def test_a_written_complaint_gets_its_numbered_letter_within_its_clock(org):
    complaint = written(org, at(2026, 3, 3))
    complaint.resolution = "Đã thay bộ chia tín hiệu và khôi phục dịch vụ ngày 04/03/2026."
    complaint.save(update_fields=["resolution"])

    letter = letter_issue(complaint=complaint, actor=org.receiver, now=at(2026, 3, 5, 8))

    assert (letter.year, letter.number, letter.reference) == (2026, 1, "1/TNKN-CSKH")
    clocks = {c["name"]: c["state"] for c in clocks_for(complaint)}
    assert clocks["written_reply"] == "met"
    entry = JournalEntry.objects.get(complaint=complaint, action="reply_letter.sent")
    assert entry.public and entry.after["reference"] == "1/TNKN-CSKH"
    notice = Outbox.objects.get(complaint=complaint, notice="reply_letter")
    assert notice.recipient == "dung1@example.vn"
    assert "công văn số 1/TNKN-CSKH" in notice.body and "/tra-cuu/l/" in notice.body
    # Issuing again returns the same letter and consumes no number.
    assert letter_issue(complaint=complaint, actor=org.receiver).pk == letter.pk
    assert LetterCounter.objects.get(year=2026).last_number == 1


@pytest.mark.django_db
def test_the_letter_pdf_reads_as_an_official_letter(org):
    LetterTemplate.objects.create(signer_title="Phó Giám đốc", signer_name="Nguyễn Văn Hùng")
    complaint = written(org, at(2026, 3, 3))
    complaint.resolution = "Đã thay bộ chia tín hiệu và khôi phục dịch vụ."
    complaint.save(update_fields=["resolution"])
    letter = letter_issue(complaint=complaint, actor=org.receiver, now=at(2026, 3, 5, 8))

    data = letter_pdf(letter)
    page = PdfReader(BytesIO(data)).pages[0]
    text = page.extract_text()
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1/TNKN-CSKH",
        f"V/v trả lời khiếu nại {complaint.code}",
        "Quy Nhơn, ngày 05 tháng 3 năm 2026",
        "Kính gửi: Ông Phạm Văn Dũng",
        "Đã thay bộ chia tín hiệu và khôi phục dịch vụ.",
        "Nơi nhận:",
        "- Lưu: VT, CSKH.",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Hùng",
    ]:
        assert expected in text, expected
    width_mm = float(page.mediabox.width) * 25.4 / 72
    assert round(width_mm) == 210  # A4

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "reply-letter.pdf").write_bytes(data)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing (apt-get install -y poppler-utils): PNG not rendered")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / "reply-letter.pdf"),
            str(ARTIFACTS / "reply-letter"),
        ],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / "reply-letter.png").stat().st_size > 1000


@pytest.mark.django_db
def test_the_api_issues_the_letter_only_on_purpose_and_serves_it_once_issued(client, org):
    complaint = written(org, at(2026, 3, 3))
    pdf = f"/api/v1/complaints/{complaint.code}/reply-letter.pdf"
    issue = f"/api/v1/complaints/{complaint.code}/reply-letter"
    client.force_login(org.receiver)
    # Opening the PDF never issues a letter (a GET: a link clicked anywhere could otherwise
    # take a register number and tell the customer they were answered).
    assert client.get(pdf).status_code == 404
    refused = client.post(issue, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert "no result yet" in refused.json()["detail"]
    assert ReplyLetter.objects.count() == 0 and not Outbox.objects.filter(notice="reply_letter")
    assert {c["name"]: c["state"] for c in clocks_for(complaint)}["written_reply"] == "running"

    complaint.resolution = "Đã thay bộ chia tín hiệu và khôi phục dịch vụ."
    complaint.save(update_fields=["resolution"])
    stale = client.post(issue, HTTP_IF_MATCH=str(complaint.version + 1))
    assert stale.status_code == 409 and ReplyLetter.objects.count() == 0
    client.force_login(org.leadership)  # may read, may not send to customers
    assert client.post(issue).status_code == 403
    client.force_login(org.receiver)
    issued = client.post(issue, HTTP_IF_MATCH=str(complaint.version))
    assert issued.status_code == 200 and issued.json()["reference"] == "1/TNKN-CSKH"
    assert client.post(issue).json()["number"] == 1  # again: the same letter, no new number
    client.force_login(org.leadership)
    served = client.get(pdf)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_withdrawn_complaint_gets_no_letter(org):
    complaint = written(org, at(2026, 3, 3))
    complaint.resolution = "x"
    complaint.status = "withdrawn"
    complaint.save(update_fields=["resolution", "status"])
    with pytest.raises(ValidationFailed):
        letter_issue(complaint=complaint, actor=org.receiver)
    assert ReplyLetter.objects.count() == 0


def run_together(*calls: Any) -> list[Any]:
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(i: int, call: Any) -> None:
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # pragma: no cover - reported by the assertion
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_issuers_at_once_get_consecutive_numbers_without_gaps(org):
    complaints = [written(org, at(2026, 3, 3), n) for n in range(1, 7)]
    Complaint.objects.filter(pk__in=[c.pk for c in complaints]).update(resolution="Đã xử lý.")
    for rounds in (complaints[0:2], complaints[2:4], complaints[4:6]):
        results = run_together(*[lambda c=c: letter_issue(complaint=c, actor=None) for c in rounds])
        assert all(isinstance(r, ReplyLetter) for r in results), results
    numbers = sorted(ReplyLetter.objects.values_list("number", flat=True))
    year = ReplyLetter.objects.first().year
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert LetterCounter.objects.get(year=year).last_number == 6


@pytest.mark.django_db
def test_a_walk_in_customer_gets_a_receipt_with_deadlines_and_a_qr_code(client, org):
    from complaintdesk.documents.receipt import qr_matrix

    complaint = written(org, at(2026, 3, 3))
    client.force_login(org.receiver)
    response = client.get(f"/api/v1/complaints/{complaint.code}/receipt.pdf")
    assert response.status_code == 200
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    for expected in [
        "GIẤY BIÊN NHẬN KHIẾU NẠI",
        complaint.code,
        "Thời điểm nhận: 09:00 ngày 03/03/2026",
        "Trả lời bằng văn bản (2 ngày làm việc): hạn 24:00 ngày 05/03/2026",
        f"http://testserver/tra-cuu/?ma={complaint.code}",
    ]:
        assert expected in text, (expected, text)
    assert len(qr_matrix(f"http://testserver/tra-cuu/?ma={complaint.code}")) >= 21
    # The QR address pre-fills the code on the tracking form.
    form = client.get(f"/tra-cuu/?ma={complaint.code}").content.decode()
    assert f'value="{complaint.code}"' in form
