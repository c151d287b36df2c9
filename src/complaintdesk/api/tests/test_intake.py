"""POST /complaints: intake, idempotent retries, field messages in Vietnamese and English."""

from __future__ import annotations

import re

from complaintdesk.api.tests.util import BASE, intake_body
from complaintdesk.complaints.models import Complaint, IdempotencyKey
from complaintdesk.core.clock import local, utcnow


def test_create_answers_201_with_code_status_customer_and_clocks(org, client_for):
    client = client_for(org.receiver)
    response = client.post(f"{BASE}/complaints", intake_body(), content_type="application/json")

    assert response.status_code == 201, response.content
    data = response.json()
    year = local(utcnow()).year
    assert re.fullmatch(rf"KN-{year}-\d{{6}}", data["code"])
    assert data["status"] == "received"
    assert data["status_label"] == "Mới tiếp nhận"
    assert data["version"] == 1
    assert data["customer"]["name"] == "Trần Thị Bình"
    assert data["customer"]["phones"] == ["+84912345678"]
    # The deadlines work starts the procedure's first clock: tell the customer it was received.
    clocks = {c["name"]: c for c in data["clocks"]}
    assert clocks["acknowledge"]["state"] == "running"
    assert clocks["acknowledge"]["due_at"].endswith("+07:00")
    assert data["category"] == "payment"
    assert data["payment"] == {"package": "VIP 12 tháng", "method": "MoMo", "amount_vnd": 599000}
    assert response["Location"].endswith(f"/complaints/{data['code']}")
    complaint = Complaint.objects.get(code=data["code"])
    assert complaint.recorded_by == org.receiver
    assert complaint.journal.filter(action="complaint.created").count() == 1


def test_retry_with_the_same_idempotency_key_returns_the_first_complaint(org, client_for):
    client = client_for(org.receiver)
    headers = {"Idempotency-Key": "zalo-msg-7781"}
    first = client.post(
        f"{BASE}/complaints", intake_body(), content_type="application/json", headers=headers
    )
    again = client.post(
        f"{BASE}/complaints", intake_body(), content_type="application/json", headers=headers
    )

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Complaint.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_same_key_with_a_different_body_is_refused_422(org, client_for):
    client = client_for(org.receiver)
    headers = {"Idempotency-Key": "web-form-42"}
    client.post(
        f"{BASE}/complaints", intake_body(), content_type="application/json", headers=headers
    )
    other = client.post(
        f"{BASE}/complaints",
        intake_body(subject="Chuyện khác hẳn"),
        content_type="application/json",
        headers=headers,
    )

    assert other.status_code == 422
    assert other.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "code": "idempotency_mismatch",
            "message": "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        }
    ]
    assert Complaint.objects.count() == 1


def test_without_credentials_401_in_the_error_shape(org):
    from django.test import Client

    response = Client().post(f"{BASE}/complaints", intake_body(), content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Cần đăng nhập hoặc khóa API hợp lệ (Authorization: Bearer …).",
        "code": "unauthenticated",
        "errors": [],
    }
    assert Complaint.objects.count() == 0


def test_department_staff_may_not_take_in_complaints(org, client_for):
    response = client_for(org.staff).post(
        f"{BASE}/complaints", intake_body(), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Bạn không có quyền thực hiện thao tác này."


def test_field_errors_in_vietnamese_by_default(org, client_for):
    body = intake_body(customer={"name": "An", "phone": "12"}, subject="", priority="rất gấp")
    response = client_for(org.receiver).post(
        f"{BASE}/complaints", body, content_type="application/json"
    )

    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["customer.phone"]["code"] == "invalid_phone"
    assert errors["customer.phone"]["message"] == "Số điện thoại không hợp lệ."
    assert errors["subject"]["message"] == "Trường này là bắt buộc."
    assert response.json()["detail"] == "Dữ liệu không hợp lệ."


def test_field_errors_in_english_with_accept_language(org, client_for):
    body = intake_body(customer={"name": "An", "phone": "12", "nickname": "x"})
    body["received_at"] = "hôm qua"
    response = client_for(org.receiver, lang="en-US,en;q=0.9").post(
        f"{BASE}/complaints", body, content_type="application/json"
    )

    assert response.status_code == 422
    errors = {e["field"]: (e["code"], e["message"]) for e in response.json()["errors"]}
    assert errors == {
        "customer.phone": ("invalid_phone", "Invalid phone number."),
        "customer.nickname": ("unknown_field", "This field is not accepted."),
        "received_at": (
            "invalid_datetime",
            "Invalid date and time (e.g. 2025-03-05T08:30:00+07:00).",
        ),
    }
    assert response.json()["detail"] == "Invalid input."
    assert response["Content-Language"] == "en"


def test_service_checks_answer_per_field(org, client_for):
    client = client_for(org.receiver, lang="en")
    response = client.post(
        f"{BASE}/complaints",
        intake_body(category="khong-co", channel="fax"),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "channel", "code": "invalid_choice", "message": "Invalid value: fax."}
    ]


def test_too_long_and_wrong_types(org, client_for):
    body = intake_body(subject="x" * 301, vulnerable="maybe")
    body["payment"] = {"amount_vnd": "nhiều"}
    response = client_for(org.receiver).post(
        f"{BASE}/complaints", body, content_type="application/json"
    )

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "subject": "Quá dài (tối đa 300 ký tự).",
        "vulnerable": "Cần giá trị true hoặc false.",
        "payment.amount_vnd": "Cần một số nguyên.",
    }
