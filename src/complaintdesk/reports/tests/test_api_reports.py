"""GET /api/v1/reports/summary: the same figures as JSON; dates checked field by field."""

from __future__ import annotations

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue

URL = "/api/v1/reports/summary"


def client(user, lang="vi"):
    _token, raw = api_token_issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": lang})


def test_summary_returns_the_reports_figures(known):
    response = client(known.org.leadership).get(URL, {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["received"], data["open"], data["closed"], data["closed_in_period"]) == (
        5,
        4,
        1,
        1,
    )
    assert (data["escalated"], data["escalated_to_leadership"]) == (1, 1)
    assert data["satisfaction_share"] == 50.0
    assert {c["code"]: c["count"] for c in data["by_channel"]} == {
        "hotline": 2,
        "email": 1,
        "letter": 1,
        "facebook": 1,
    }
    assert len(data["by_day"]) == 31 and data["by_day"][1] == {"start": "2026-03-02", "count": 2}
    times = {t["step"]: t for t in data["times"]}
    assert times["acknowledge"]["average_hours"] == pytest.approx(3.0)
    assert times["resolution"]["p90_hours"] == pytest.approx(44.4)
    assert data["clocks"][0]["met"] == 2 and data["clocks"][0]["breached"] == 1
    assert data["quarters"][0]["per_100_customers"] == pytest.approx(0.2)
    assert data["quarters"][0]["meets_target"] is True
    assert data["top_causes"][0]["count"] == 2


def test_filters_apply(known):
    data = (
        client(known.org.admin)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-31", "kind": "complaint"})
        .json()
    )
    assert data["received"] == 3 and data["filters"] == {"kind": "complaint"}


@pytest.mark.parametrize(
    ("params", "field", "vi", "en"),
    [
        (
            {"from": "2026-02-30"},
            "from",
            "Ngày không hợp lệ: dùng dạng YYYY-MM-DD (ví dụ 2026-03-31) hoặc dd/mm/yyyy.",
            "Invalid date: use YYYY-MM-DD (e.g. 2026-03-31) or dd/mm/yyyy.",
        ),
        (
            {"from": "2026-03-10", "to": "2026-03-01"},
            "to",
            "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.",
            "The end date must be on or after the start date.",
        ),
        (
            {"from": "2020-01-01", "to": "2026-03-01"},
            "to",
            "Khoảng thời gian dài nhất là 1099 ngày.",
            "The range can be at most 1099 days.",
        ),
        (
            {"channel": "pigeon"},
            "channel",
            "Giá trị không hợp lệ: pigeon.",
            "Invalid value: pigeon.",
        ),
        ({"department": "nope"}, "department", "Phòng ban không tồn tại.", "Unknown department."),
    ],
)
def test_bad_input_is_422_with_field_messages(org, params, field, vi, en):
    for lang, text in (("vi", vi), ("en", en)):
        response = client(org.leadership, lang).get(URL, params)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [(e["field"], e["message"]) for e in errors] == [(field, text)]


def test_two_bad_dates_give_two_messages(org):
    response = client(org.leadership).get(URL, {"from": "x", "to": "31/02/2026"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"from", "to"}


def test_who_may_read_reports(org):
    assert client(org.staff).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
    assert client(org.receiver).get(URL).status_code == 200
