"""The public complaint form: embeddable, one complaint per submission, bots kept out."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.complaints.models import Attachment, Complaint
from complaintdesk.intake.email.tests.mails import PNG
from complaintdesk.intake.models import InboundRecord

pytestmark = pytest.mark.django_db
URL = "/webhooks/form/"


def fresh_token(client, lang="vi"):
    page = client.get(URL + f"?lang={lang}").content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def fields(token, **extra):
    data = {
        "token": token,
        "name": "Phạm Minh Tuấn",
        "phone": "0912 345 678",
        "email": "",
        "subject": "Không xem được phim đã mua",
        "message": "Tôi đã mua gói phim nhưng không xem được, báo lỗi 403.",
        "hp_website": "",
    }
    data.update(extra)
    return data


def test_the_form_may_be_framed_by_the_configured_sites_only(client, channels, settings):
    settings.WEBCHAT_FRAME_ANCESTORS = ["https://www.congty.vn", "javascript:alert(1)"]
    response = client.get(URL)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == "frame-ancestors 'self' https://www.congty.vn"
    assert "Gửi phản ánh, khiếu nại" in response.content.decode()
    # The rest of the site still refuses to be framed.
    assert client.get("/login/")["X-Frame-Options"] == "DENY"


def test_without_configured_sites_only_our_own_pages_may_frame_it(client, channels, settings):
    settings.WEBCHAT_FRAME_ANCESTORS = []
    response = client.get(URL)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_a_submission_opens_a_complaint_and_answers_its_code(client, channels):
    response = client.post(URL, fields(fresh_token(client)))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    html = response.content.decode()
    assert complaint.code in html
    assert "Cảm ơn bạn, chúng tôi đã nhận được phản ánh." in html
    assert (complaint.channel, complaint.subject) == ("web", "Không xem được phim đã mua")
    assert complaint.customer.name == "Phạm Minh Tuấn"
    assert complaint.customer.identities.get(kind="phone").value == "+84912345678"


def test_a_complaint_code_and_the_customers_phone_typed_in_open_a_new_complaint(client, channels):
    client.post(URL, fields(fresh_token(client)))
    theirs = Complaint.objects.get()
    response = client.post(
        URL,
        fields(
            fresh_token(client),
            name="Người lạ",
            subject=f"Bổ sung cho phiếu {theirs.code}",
            message="Xin gửi lại kết quả xử lý vào email này.",
        ),
    )
    assert response.status_code == 200
    mine = Complaint.objects.exclude(pk=theirs.pk).get()  # a complaint of its own
    html = response.content.decode()
    assert mine.code in html
    assert not theirs.messages.exists()


def test_the_answer_names_the_deadlines_when_the_procedure_starts_clocks(client, channels):
    from complaintdesk.intake.webchat.receipt import deadlines

    response = client.post(URL, fields(fresh_token(client)))
    complaint = Complaint.objects.get()
    items = deadlines(complaint)
    assert items, "the default procedure starts at least one clock"
    html = response.content.decode()
    for item in items:
        assert f"{item['label']}: trước {item['due']}" in html


def test_english_on_request(client, channels):
    form = client.get(URL + "?lang=en").content.decode()
    assert "Send feedback or a complaint" in form and 'lang="en"' in form
    response = client.post(URL + "?lang=en", fields(fresh_token(client, "en")))
    html = response.content.decode()
    assert "Thank you, we have received your message." in html
    assert "Your complaint number:" in html


def test_a_double_submit_gives_the_same_complaint(client, channels):
    data = fields(fresh_token(client))
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Complaint.objects.count() == 1
    code = Complaint.objects.get().code
    assert code in first.content.decode() and code in second.content.decode()


def test_pictures_are_kept_and_checked_by_content(client, channels):
    picture = SimpleUploadedFile("loi.jpg", PNG, content_type="image/jpeg")
    client.post(URL, {**fields(fresh_token(client)), "pictures": [picture]})
    stored = Attachment.objects.get(complaint=Complaint.objects.get())
    assert (stored.content_type, stored.original_name) == ("image/png", "loi.png")


def test_a_disguised_program_is_refused_and_nothing_created(client, channels):
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00\x03program", content_type="image/jpeg")
    response = client.post(URL, {**fields(fresh_token(client)), "pictures": [fake]})
    assert response.status_code == 400
    assert "anh.jpg" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_phone_or_an_email_is_needed(client, channels):
    response = client.post(URL, fields(fresh_token(client), phone="", email=""))
    assert response.status_code == 400
    assert "Vui lòng cho biết số điện thoại hoặc email" in response.content.decode()
    response = client.post(URL, fields(fresh_token(client), phone="12"))
    assert "Số điện thoại không hợp lệ." in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_form_without_a_valid_token_is_shown_again(client, channels):
    response = client.post(URL, fields("forged"))
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn, vui lòng gửi lại." in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_filled_honeypot_pretends_success_and_creates_nothing(client, channels, caplog):
    caplog.set_level(logging.INFO)
    response = client.post(URL, fields(fresh_token(client), hp_website="http://spam.example"))
    assert response.status_code == 200
    assert "Cảm ơn bạn, chúng tôi đã nhận được phản ánh." in response.content.decode()
    assert not Complaint.objects.exists() and not InboundRecord.objects.exists()
    assert "honeypot filled" in caplog.text


def test_too_fast_is_a_bot(client, channels, settings):
    settings.WEBFORM_MIN_SECONDS = 60
    response = client.post(URL, fields(fresh_token(client)))
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_submissions_are_rate_limited_per_address(client, channels, settings):
    settings.WEBFORM_RATE = "2/600"
    for n in range(2):
        client.post(URL, fields(fresh_token(client), message=f"Lần {n}"))
    response = client.post(URL, fields(fresh_token(client), message="Lần 3"))
    assert response.status_code == 429
    assert "Bạn gửi quá nhiều yêu cầu trong thời gian ngắn" in response.content.decode()
    assert Complaint.objects.count() == 2
