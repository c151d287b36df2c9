"""Complaint list, saved filters, my work, leadership, and the intake form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaintdesk.complaints.models import Attachment, Complaint
from complaintdesk.complaints.services import complaint_transition, task_create
from complaintdesk.core.clock import utcnow
from complaintdesk.web.models import SavedFilter
from complaintdesk.web.tests.conftest import PNG

pytestmark = pytest.mark.django_db
LIST = "/complaints/"


def codes(response):
    return [c.code for c in response.context["page"].rows]


def test_quick_search_by_code_phone_in_any_format_and_name(client, org, complaint_factory):
    a = complaint_factory.create(
        actor=org.receiver, customer={"name": "Trần Thị Bình", "phone": "0912345678"}
    )
    b = complaint_factory.create(
        actor=org.receiver, customer={"name": "Lê Văn Cường", "phone": "0987654321"}
    )
    client.force_login(org.receiver)
    assert codes(client.get(LIST, {"q": a.code.lower()})) == [a.code]
    assert codes(client.get(LIST, {"q": "+84 912 345 678"})) == [a.code]
    assert codes(client.get(LIST, {"q": "84987654321"})) == [b.code]
    assert codes(client.get(LIST, {"q": "Cường"})) == [b.code]
    assert (
        "Không có phiếu nào khớp với bộ lọc."
        in client.get(LIST, {"q": "không-có-ai"}).content.decode()
    )


def test_filters_and_invalid_values_are_shown_not_500(client, org, complaint_factory):
    a = complaint_factory.create(actor=org.receiver, channel="letter")
    complaint_factory.create(actor=org.receiver, channel="hotline")
    client.force_login(org.receiver)
    assert codes(client.get(LIST, {"channel": "letter"})) == [a.code]
    response = client.get(LIST, {"channel": "pigeon", "date_from": "31/02/2026"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "channel" in form.errors and "date_from" in form.errors
    assert len(codes(response)) == 2  # invalid filters are ignored, not applied
    response = client.get(LIST, {"date_from": "02/01/2026", "date_to": "01/01/2026"})
    assert response.context["form"].errors["date_to"] == ["Ngày kết thúc phải sau ngày bắt đầu."]


def test_clock_filter_uses_the_next_deadline(client, org, complaint_factory):
    late = complaint_factory.create(actor=org.receiver)
    soon = complaint_factory.create(actor=org.receiver)
    now = utcnow()
    Complaint.objects.filter(pk=late.pk).update(next_due_at=now - timedelta(hours=1))
    Complaint.objects.filter(pk=soon.pk).update(next_due_at=now + timedelta(hours=1))
    client.force_login(org.receiver)
    assert codes(client.get(LIST, {"clock": "breached"})) == [late.code]
    assert codes(client.get(LIST, {"clock": "due_soon"})) == [soon.code]
    assert codes(client.get(LIST, {"order": "due"})) == [late.code, soon.code]


def test_keyset_pages_without_gaps_or_repeats(client, org, complaint_factory, monkeypatch):
    monkeypatch.setattr("complaintdesk.web.filters.PAGE_SIZE", 2)
    made = [complaint_factory.create(actor=org.receiver).code for _ in range(5)]
    client.force_login(org.receiver)
    seen, cursor = [], ""
    for _ in range(5):
        response = client.get(LIST, {"cursor": cursor} if cursor else {})
        seen += codes(response)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5
    assert client.get(LIST, {"cursor": "!!garbage!!"}).status_code == 200


def test_staff_list_is_scoped_to_their_tasks(client, org, complaint_factory):
    mine = complaint_factory.create(actor=org.receiver)
    complaint_factory.create(actor=org.receiver)
    task_create(complaint=mine, actor=org.receiver, department_code="ky-thuat", title="A")
    client.force_login(org.staff)
    assert codes(client.get(LIST)) == [mine.code]


def test_saved_filters_are_per_user(client, org):
    client.force_login(org.receiver)
    response = client.post(
        reverse("web:filter_save"), {"name": "Thư tay", "query": "channel=letter&cursor=abc&evil=1"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=org.receiver)
    assert saved.query == "channel=letter"
    assert "Thư tay" in client.get(LIST).content.decode()
    assert client.post(reverse("web:filter_save"), {"name": " ", "query": ""}).status_code == 302
    client.force_login(org.head)
    assert "Thư tay" not in client.get(LIST).content.decode()
    assert client.post(reverse("web:filter_delete", args=[saved.pk])).status_code == 404
    client.force_login(org.receiver)
    client.post(reverse("web:filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_my_work_counts_overdue_and_due_today(client, org, complaint_factory):
    late = complaint_factory.create(actor=org.receiver)
    later = complaint_factory.create(actor=org.receiver)
    now = utcnow()
    Complaint.objects.filter(pk=late.pk).update(next_due_at=now - timedelta(minutes=5))
    Complaint.objects.filter(pk=later.pk).update(next_due_at=now + timedelta(days=3))
    client.force_login(org.receiver)
    response = client.get(reverse("web:my_work"))
    work = response.context["work"]
    assert work.overdue == 1
    assert [item.complaint.code for item in work.items][:2] == [late.code, later.code]
    assert 'class="clock clock-breached"' in response.content.decode()


def test_leadership_view_is_for_leadership(client, org, complaint_factory):
    c = complaint_factory.create(actor=org.receiver)
    c = complaint_transition(
        complaint=c, action="answer_now", actor=org.receiver, inputs={"explanation": "x"}
    )
    c = complaint_transition(
        complaint=c, action="mark_unsatisfied", actor=org.receiver, inputs={"comment": "x"}
    )
    complaint_transition(
        complaint=c,
        action="escalate",
        actor=org.head,
        inputs={"level": "leadership", "reason": "x"},
    )
    client.force_login(org.receiver)
    assert client.get(reverse("web:leadership")).status_code == 403
    client.force_login(org.staff)
    assert client.get(reverse("web:leadership")).status_code == 403
    client.force_login(org.leadership)
    response = client.get(reverse("web:leadership"))
    assert response.status_code == 200
    assert c.code in response.content.decode()


def test_a_head_sees_only_overdue_complaints_within_their_scope(client, org, complaint_factory):
    ours = complaint_factory.create(actor=org.receiver, subject="Mất tín hiệu ở quận 3")
    task_create(complaint=ours, actor=org.receiver, department_code="ky-thuat", title="Đo tín hiệu")
    billing = complaint_factory.create(actor=org.receiver, subject="Trừ tiền hai lần")
    past = utcnow() - timedelta(hours=2)
    Complaint.objects.filter(pk__in=[ours.pk, billing.pk]).update(next_due_at=past)
    client.force_login(org.head)  # head of the technical department
    page = client.get(reverse("web:leadership"))
    assert [c.code for c in page.context["data"].breaches] == [ours.code]
    assert billing.code not in page.content.decode()
    client.force_login(org.leadership)
    page = client.get(reverse("web:leadership"))
    assert {c.code for c in page.context["data"].breaches} == {ours.code, billing.code}


def test_my_work_lists_no_assigned_complaint_outside_the_users_scope(
    client, org, complaint_factory
):
    elsewhere = complaint_factory.create(actor=org.receiver, subject="Hoàn tiền gói năm")
    ours = complaint_factory.create(actor=org.receiver, subject="Mất tín hiệu")
    task_create(complaint=ours, actor=org.receiver, department_code="ky-thuat", title="Kiểm tra")
    Complaint.objects.filter(pk__in=[elsewhere.pk, ours.pk]).update(assignee=org.staff)
    client.force_login(org.staff)
    response = client.get(reverse("web:my_work"))
    listed = {item.complaint.code for item in response.context["work"].items}
    assert listed == {ours.code}
    assert elsewhere.code not in response.content.decode()
    assert client.get(f"/complaints/{elsewhere.pk}/").status_code == 404


def _intake(**extra):
    data = {
        "idempotency_key": "k-1",
        "channel": "hotline",
        "kind": "complaint",
        "priority": "normal",
        "phone": "0912 345 678",
        "name": "Phạm Thị Dung",
        "subject": "Không xem được phim",
        "amount_vnd": "120.000",
    }
    data.update(extra)
    return data


def test_intake_creates_the_complaint_once_even_if_retried(client, org):
    client.force_login(org.receiver)
    first = client.post(reverse("web:complaint_new"), _intake())
    assert first.status_code == 302
    again = client.post(reverse("web:complaint_new"), _intake())
    assert again.url == first.url
    complaint = Complaint.objects.get()
    assert complaint.payment_info["amount_vnd"] == 120000
    assert complaint.customer.identities.get(kind="phone").value == "+84912345678"


def test_intake_errors_beside_fields_and_nothing_saved(client, org):
    client.force_login(org.receiver)
    response = client.post(
        reverse("web:complaint_new"), _intake(phone="12", subject="", amount_vnd="abc")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["subject"] == ["Trường này là bắt buộc."]
    assert errors["amount_vnd"] == ["Nhập số tiền bằng chữ số, ví dụ 120.000."]
    response = client.post(reverse("web:complaint_new"), _intake(phone="12"))
    assert response.context["form"].errors["phone"] == ["Số điện thoại không hợp lệ."]
    assert not Complaint.objects.exists()


def test_letter_with_scans_and_a_refused_file(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(org.receiver)
    bad = client.post(
        reverse("web:complaint_new"),
        _intake(
            channel="letter",
            attachments=[
                SimpleUploadedFile("scan.png", PNG),
                SimpleUploadedFile("x.txt", b"hello"),
            ],
        ),
    )
    assert bad.status_code == 422
    assert (
        bad.context["form"]
        .errors["attachments"][0]
        .startswith("x.txt: Loại tệp không được chấp nhận")
    )
    assert bad.context["form"]["subject"].value() == "Không xem được phim"  # the form is kept
    assert not Complaint.objects.exists()
    good = client.post(
        reverse("web:complaint_new"),
        _intake(
            channel="letter",
            idempotency_key="k-2",
            received_at="01/03/2026 09:30",
            attachments=[SimpleUploadedFile("scan.png", PNG)],
        ),
    )
    assert good.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "letter"
    assert complaint.received_at.isoformat() == "2026-03-01T02:30:00+00:00"
    assert Attachment.objects.get(complaint=complaint).content_type == "image/png"


def test_customer_lookup_shows_earlier_complaints(client, org, complaint_factory):
    old = complaint_factory.create(
        actor=org.receiver, customer={"name": "Đỗ Văn Em", "phone": "0903000111"}
    )
    client.force_login(org.receiver)
    response = client.get(
        reverse("web:customer_lookup"), {"phone": "+84903000111"}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "Đỗ Văn Em" in text and old.code in text
    new = client.get(reverse("web:customer_lookup"), {"phone": "0909999999"}).content.decode()
    assert "Khách hàng mới — chưa có trong hệ thống." in new


def test_a_head_finds_by_name_only_customers_of_complaints_they_may_see(
    client, org, complaint_factory
):
    ours = complaint_factory.create(
        actor=org.receiver, customer={"name": "Đỗ Minh Hùng", "phone": "0903000222"}
    )
    task_create(complaint=ours, actor=org.receiver, department_code="ky-thuat", title="Kiểm tra")
    complaint_factory.create(
        actor=org.receiver, customer={"name": "Đỗ Minh Hoa", "phone": "0903000333"}
    )
    url = reverse("web:customer_lookup")
    client.force_login(org.receiver)
    text = client.get(url, {"name": "Đỗ Minh"}).content.decode()
    assert "Đỗ Minh Hùng" in text and "Đỗ Minh Hoa" in text
    client.force_login(org.head)
    text = client.get(url, {"name": "Đỗ Minh"}).content.decode()
    assert "Đỗ Minh Hùng" in text
    assert "Đỗ Minh Hoa" not in text and "+84903000333" not in text
    # By phone: their own customer's card; a stranger only as "known", without details.
    assert "Đỗ Minh Hùng" in client.get(url, {"phone": "0903 000 222"}).content.decode()
    text = client.get(url, {"phone": "0903000333"}).content.decode()
    assert "Đỗ Minh Hoa" not in text and "Phiếu trước đây" not in text
    assert "Khách hàng đã có trong hệ thống" in text
    assert "Khách hàng mới" in client.get(url, {"phone": "0903000444"}).content.decode()


def test_procedure_preview_and_receipt(client, org, complaint_factory):
    client.force_login(org.receiver)
    response = client.get(
        reverse("web:procedure_preview"), {"channel": "hotline", "received_at": "junk"}
    )
    assert response.status_code == 200
    assert "Quy trình áp dụng:" in response.content.decode()
    c = complaint_factory.create(actor=org.receiver)
    receipt = client.get(reverse("web:receipt", args=[c.pk])).content.decode()
    assert "PHIẾU TIẾP NHẬN KHIẾU NẠI, YÊU CẦU" in receipt and c.code in receipt


def test_staff_cannot_create_complaints(client, org):
    client.force_login(org.staff)
    assert client.get(reverse("web:complaint_new")).status_code == 403
    assert client.post(reverse("web:complaint_new"), _intake()).status_code == 403


def test_pages_in_english(client, org, complaint_factory):
    c = complaint_factory.create(actor=org.receiver)
    client.force_login(org.receiver)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": f"/complaints/{c.pk}/"}
    )
    assert response.status_code == 302
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Acknowledge" in page and "Messages with the customer" in page
    assert "Tiếng Việt" in page  # the way back


def test_procedure_and_force_majeure_pages(client, org):
    client.force_login(org.receiver)
    page = client.get(reverse("web:procedure_view", args=["vieon"]))
    assert page.status_code == 200
    assert "Trả lời sau" in page.content.decode()
    assert client.get(reverse("web:procedure_view", args=["nope"])).status_code == 404
    assert client.get(reverse("web:force_majeure")).status_code == 200
