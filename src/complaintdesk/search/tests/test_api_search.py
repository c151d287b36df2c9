"""GET /api/v1/complaints?q=…: ranked, highlighted, scoped and filtered like the list."""

from __future__ import annotations

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.complaints.services import task_create

URL = "/api/v1/complaints"


def client(user, lang="vi"):
    _token, raw = api_token_issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": lang})


@pytest.fixture
def made(org, complaint_factory):
    a = complaint_factory.create(
        actor=org.receiver,
        subject="Đường truyền chập chờn",
        customer={"name": "Trần Thị Đào", "phone": "0912 345 678"},
    )
    b = complaint_factory.create(
        actor=org.receiver,
        subject="Không đăng ký được gói",
        description="Đường truyền vẫn tốt, chỉ lỗi đăng ký.",
        customer={"name": "Lê Văn Bình", "phone": "0987654321"},
        channel="email",
    )
    return a, b


def test_q_ranks_and_highlights(org, made):
    a, b = made
    response = client(org.receiver).get(URL, {"q": "DUONG TRUYEN"})
    assert response.status_code == 200
    items = response.json()["items"]
    # Both mention it; the one with the words in its subject ranks first.
    assert [i["code"] for i in items] == [a.code, b.code]
    assert items[0]["match"]["subject"] == "<mark>Đường</mark> <mark>truyền</mark> chập chờn"
    assert (
        items[1]["match"]["snippet"]
        == "<mark>Đường</mark> <mark>truyền</mark> vẫn tốt, chỉ lỗi đăng ký."
    )
    assert items[0]["match"]["score"] > items[1]["match"]["score"]


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "84912345678"])
def test_q_finds_a_phone_in_any_format(org, made, typed):
    response = client(org.receiver).get(URL, {"q": typed})
    assert [i["code"] for i in response.json()["items"]] == [made[0].code]


def test_q_combines_with_the_filters(org, made):
    _a, b = made
    response = client(org.receiver).get(URL, {"q": "duong truyen", "channel": "email"})
    assert [i["code"] for i in response.json()["items"]] == [b.code]
    response = client(org.receiver, "en").get(URL, {"q": "duong", "channel": "pigeon"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channel"


def test_q_respects_the_callers_scope(org, made):
    a, _b = made
    staff = client(org.staff)  # technical department staff: only complaints with their tasks
    assert staff.get(URL, {"q": "duong truyen"}).json()["items"] == []
    task_create(
        complaint=a,
        actor=org.receiver,
        department_code=org.staff.department.code,
        title="Kiểm tra đường truyền",
    )
    assert [i["code"] for i in staff.get(URL, {"q": "duong truyen"}).json()["items"]] == [a.code]


def test_q_pages_with_its_own_cursor(org, complaint_factory):
    for i in range(4):
        complaint_factory.create(actor=org.receiver, subject=f"Mất tín hiệu lần {i}")
    api = client(org.receiver)
    first = api.get(URL, {"q": "mat tin hieu", "limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = api.get(URL, {"q": "mat tin hieu", "limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    # A search cursor is refused by another search, with a message.
    refused = api.get(URL, {"q": "khac", "cursor": first["next_cursor"]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == "Con trỏ phân trang không hợp lệ."


def test_without_q_the_list_is_unchanged(org, made):
    a, b = made
    items = client(org.receiver).get(URL).json()["items"]
    assert [i["code"] for i in items] == [b.code, a.code]
    assert items[0]["match"] is None
