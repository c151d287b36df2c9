"""GET /api/v1/calendars/… — the deadline calculator, in Vietnamese and English, and its errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.sla.models import Calendar

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendars/{slug}/deadline?"


@pytest.fixture
def client_as(org):
    def make(lang: str = "vi") -> Client:
        _token, raw = api_token_issue(user=org.staff, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": lang})

    return make


def get(client: Client, slug: str = "vn-official", **params: str):
    return client.get(URL.format(slug=slug) + urlencode(params))


def test_seven_working_days_after_tet_in_vietnamese(client_as):
    response = get(client_as(), start="2026-02-13T10:00:00+07:00", working_days="7")

    assert response.status_code == 200
    body = response.json()
    assert body["due_at"] == "2026-03-04T00:00:00+07:00"
    assert body["due_display"] == "24:00 ngày 03/03/2026"
    assert body["explanation"] == (
        "nhận thứ Sáu 13/02/2026; bỏ qua 16–20/02 (Tết Nguyên Đán); ngày làm việc thứ 7 là thứ Ba "
        "03/03/2026; hạn 24:00 ngày 03/03/2026"
    )
    assert body["explanation_en"] == (
        "received Friday 13/02/2026; skipped 16–20/02 (Lunar New Year); working day 7 is Tuesday "
        "03/03/2026; due 24:00 on 03/03/2026"
    )


def test_english_follows_accept_language(client_as):
    body = get(client_as("en"), start="2026-02-13T03:00:00Z", working_days="7").json()

    assert body["due_display"] == "24:00 on 03/03/2026"
    assert body["explanation"] == body["explanation_en"]


def test_hours_elapsed_and_business(client_as):
    elapsed = get(client_as(), slug="24x7", start="2026-02-13T10:00:00+07:00", hours="24").json()
    assert elapsed["due_at"] == "2026-02-14T10:00:00+07:00"

    business = get(
        client_as(), start="2026-02-13T16:00:00+07:00", hours="4", business="true"
    ).json()
    # 1.5 h left on Friday, then Tết and the weekend: Monday 23/02 08:00 + 2.5 h.
    assert business["due_at"] == "2026-02-23T10:30:00+07:00"
    assert business["due_display"] == "10:30 ngày 23/02/2026"


def test_an_unencoded_plus_in_the_offset_is_understood(client_as):
    response = client_as().get(
        URL.format(slug="vn-official") + "start=2026-02-13T10:00:00+07:00&working_days=3"
    )

    assert response.status_code == 200
    assert response.json()["due_display"] == "24:00 ngày 25/02/2026"


def test_unknown_calendar_is_404(client_as):
    response = get(
        client_as(), slug="khong-co", start="2026-02-13T10:00:00+07:00", working_days="3"
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy lịch làm việc."


def test_inactive_calendar_is_404(client_as):
    Calendar.objects.filter(slug="vn-labor-code").update(active=False)
    response = get(
        client_as("en"), slug="vn-labor-code", start="2026-02-13T10:00:00+07:00", working_days="3"
    )

    assert (response.status_code, response.json()["detail"]) == (404, "Calendar not found.")


@pytest.mark.parametrize(
    ("params", "lang", "expected"),
    [
        ({"working_days": "3"}, "vi", {"start": "Trường này là bắt buộc."}),
        (
            {"start": "2026-02-13T10:00:00+07:00"},
            "en",
            {"working_days": "Give exactly one of working_days or hours."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "working_days": "3", "hours": "4"},
            "vi",
            {"working_days": "Cần đúng một trong hai tham số working_days hoặc hours."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "working_days": "-1"},
            "en",
            {"working_days": "The number of working days must be between 1 and 3650."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "working_days": "3651"},
            "en",
            {"working_days": "The number of working days must be between 1 and 3650."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "working_days": "1e9"},
            "en",
            {"working_days": "A whole number is required."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "hours": "0"},
            "en",
            {"hours": "The number of hours must be above 0 and at most 87600."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "hours": "nan"},
            "en",
            {"hours": "The number of hours must be above 0 and at most 87600."},
        ),
        (
            {"start": "2026-02-13T10:00:00+07:00", "hours": "4", "business": "maybe"},
            "en",
            {"business": "Expected true or false."},
        ),
        (
            {"start": "2026-02-13T10:00:00", "working_days": "3"},
            "vi",
            {"start": "Thời điểm phải có múi giờ (ví dụ +07:00)."},
        ),
        (
            {"start": "13/02/2026", "working_days": "3"},
            "en",
            {"start": "Invalid time; use ISO 8601, e.g. 2026-02-13T09:00:00+07:00."},
        ),
        (
            {"start": "2026-02-30T10:00:00+07:00", "hours": "x"},
            "en",
            {
                "start": "Invalid time; use ISO 8601, e.g. 2026-02-13T09:00:00+07:00.",
                "hours": "A number is required.",
            },
        ),
    ],
)
def test_bad_parameters_are_422_with_a_message_per_field(client_as, params, lang, expected):
    response = get(client_as(lang), **params)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {e["field"]: e["message"] for e in body["errors"]} == expected


def test_a_far_future_start_is_refused_not_a_crash(client_as):
    response = get(client_as(), start="9998-12-31T10:00:00+07:00", working_days="3650")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_the_calculator_needs_a_signed_in_caller():
    response = Client().get(
        URL.format(slug="vn-official") + "start=2026-02-13T10:00:00Z&working_days=3"
    )

    assert response.status_code == 401


def test_calendars_and_their_days_off(client_as):
    calendars = client_as().get("/api/v1/calendars").json()
    assert [c["slug"] for c in calendars][:1] == ["vn-official"]
    official = calendars[0]
    assert official["weekly"]["mon"] == ["08:00-12:00", "13:30-17:30"]
    assert "sat" not in official["weekly"]

    days = client_as().get("/api/v1/calendars/vn-official/days?year=2026").json()
    by_day = {d["day"]: d["reason"] for d in days}
    assert by_day["2026-01-10"] == "Ngày làm bù"
    assert by_day["2026-02-17"] == "Tết Nguyên Đán"
    assert by_day["2026-01-02"].startswith("Tết Dương lịch")
    assert "2026-02-14" not in by_day  # weekends are not listed
