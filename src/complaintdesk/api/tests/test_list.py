"""GET /complaints and /complaints/{code}: filters, cursor pagination, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintdesk.api.tests.util import BASE
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition, task_create
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.core.clock import utcnow


def _codes(response):
    assert response.status_code == 200, response.json()
    return [item["code"] for item in response.json()["items"]]


def _walk(client, **params):
    """Every page of the list; returns the codes in the order served."""
    seen, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(f"{BASE}/complaints", query)
        seen += _codes(response)
        cursor = response.json()["next_cursor"]
        pages += 1
        assert pages < 50
        if cursor is None:
            return seen


@pytest.fixture
def many(org):
    """23 complaints: some received at the same instant (ties), 9 with a running deadline."""
    now = utcnow().replace(microsecond=0)
    made = []
    for i in range(23):
        received = now - timedelta(hours=i // 3)  # three complaints per instant
        made.append(ComplaintFactory.create(actor=org.receiver, received_at=received.isoformat()))
    for i, complaint in enumerate(made[:9]):
        # next_due_at is the SLA work's column; two share an instant to exercise ties.
        Complaint.objects.filter(pk=complaint.pk).update(
            next_due_at=now + timedelta(hours=(i * 7) % 5)
        )
    return made


def test_cursor_pagination_newest_first_serves_each_complaint_once(org, client_for, many):
    seen = _walk(client_for(org.receiver), limit=5)

    expected = list(
        Complaint.objects.order_by("-received_at", "-id").values_list("code", flat=True)
    )
    assert seen == expected
    assert len(seen) == len(set(seen)) == 23


def test_cursor_pagination_nearest_deadline_first_then_the_rest(org, client_for, many):
    seen = _walk(client_for(org.receiver), limit=4, order="deadline")

    due = list(
        Complaint.objects.filter(next_due_at__isnull=False)
        .order_by("next_due_at", "id")
        .values_list("code", flat=True)
    )
    undated = list(
        Complaint.objects.filter(next_due_at__isnull=True)
        .order_by("-received_at", "-id")
        .values_list("code", flat=True)
    )
    assert seen == due + undated
    assert len(set(seen)) == 23


def test_limit_and_cursor_are_checked(org, client_for):
    client = client_for(org.receiver, lang="en")

    too_many = client.get(f"{BASE}/complaints", {"limit": 500})
    broken = client.get(f"{BASE}/complaints", {"cursor": "bm90LWEtY3Vyc29y"})
    foreign = client.get(
        f"{BASE}/complaints", {"cursor": "eyJvIjoiciIsInQiOm51bGwsImkiOjF9", "order": "deadline"}
    )

    assert too_many.status_code == 422
    assert too_many.json()["errors"] == [
        {"field": "limit", "code": "out_of_range", "message": "The value is out of range."}
    ]
    for response in (broken, foreign):
        assert response.status_code == 422
        assert response.json()["errors"][0]["message"] == "Invalid pagination cursor."


@pytest.mark.parametrize("phone", ["0912345678", "+84912345678", "84912345678", "091 234 5678"])
def test_phone_filter_in_any_format_finds_the_same_complaint(org, client_for, phone):
    mine = ComplaintFactory.create(
        actor=org.receiver, customer={"name": "Lê Văn Cường", "phone": "+84 912 345 678"}
    )
    ComplaintFactory.create(actor=org.receiver)

    assert _codes(client_for(org.receiver).get(f"{BASE}/complaints", {"phone": phone})) == [
        mine.code
    ]


def test_invalid_phone_filter_is_422(org, client_for):
    response = client_for(org.receiver).get(f"{BASE}/complaints", {"phone": "gọi lại sau"})

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "phone",
        "code": "invalid_phone",
        "message": "Số điện thoại không hợp lệ.",
    }


def test_filters(org, client_for):
    now = utcnow()
    letter = ComplaintFactory.create(
        actor=org.receiver,
        channel="letter",
        kind="request",
        category="payment",
        department="ke-toan",
        received_at=(now - timedelta(days=10)).isoformat(),
    )
    call = ComplaintFactory.create(actor=org.receiver, assignee="head")
    complaint_transition(complaint=call, action="acknowledge", actor=org.receiver)
    client = client_for(org.receiver)

    def codes(**params):
        return _codes(client.get(f"{BASE}/complaints", params))

    assert codes(status="acknowledged") == [call.code]
    assert codes(status="received") == [letter.code]
    assert codes(channel="letter") == [letter.code]
    assert codes(kind="request") == [letter.code]
    assert codes(category="payment") == [letter.code]
    assert codes(department="ke-toan") == [letter.code]
    assert codes(assignee="head") == [call.code]
    assert codes(received_from=(now - timedelta(days=1)).isoformat()) == [call.code]
    assert codes(received_to=(now - timedelta(days=1)).isoformat()) == [letter.code]
    assert codes(channel="hotline", status="acknowledged", assignee="head") == [call.code]
    assert codes(channel="letter", status="acknowledged") == []
    bad = client.get(f"{BASE}/complaints", {"status": "lost", "department": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["message"] == "Giá trị không hợp lệ: lost."


def test_list_item_shape(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)

    item = client_for(org.receiver, lang="en").get(f"{BASE}/complaints").json()["items"][0]

    assert item["code"] == complaint.code
    assert item["status_label"] == "Received"
    assert item["customer_name"] == "Nguyễn Văn An"
    assert item["assignee"] == "receiver"
    assert item["received_at"].endswith("+07:00")


def test_staff_see_a_complaint_only_once_their_department_has_a_task(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    staff = client_for(org.staff)

    assert staff.get(f"{BASE}/complaints/{complaint.code}").status_code == 404
    assert staff.get(f"{BASE}/complaints/{complaint.code}/notes").status_code == 404
    assert _codes(staff.get(f"{BASE}/complaints")) == []
    unknown = staff.get(f"{BASE}/complaints/KN-1999-000001")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Không tìm thấy phiếu."

    task_create(
        complaint=complaint,
        actor=org.receiver,
        department_code="ky-thuat",
        title="Kiểm tra tín hiệu tại nhà khách",
    )

    detail = staff.get(f"{BASE}/complaints/{complaint.code}")
    assert detail.status_code == 200
    assert detail.json()["tasks"][0]["department"] == "ky-thuat"
    assert _codes(staff.get(f"{BASE}/complaints")) == [complaint.code]


def test_detail_shows_the_record(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver, content={"title": "Phim Lật Mặt 7"})
    complaint_transition(complaint=complaint, action="acknowledge", actor=org.receiver)

    response = client_for(org.receiver).get(f"{BASE}/complaints/{complaint.code}")

    data = response.json()
    assert response["ETag"] == '"2"'
    assert data["status"] == "acknowledged"
    assert data["content"] == {"title": "Phim Lật Mặt 7"}
    journaled = [e["action"] for e in data["timeline"] if not e["action"].startswith("clock.")]
    # The acknowledgement notice finds no address (the customer gave only a phone, and no SMS
    # provider is configured here): the journal says so.
    assert journaled == ["complaint.created", "action.acknowledge", "notice.unreachable"]
    assert data["timeline"][0]["after"] is None  # receivers do not read the journal's details
    actions = {a["action"]: a for a in data["actions"]}
    assert "start_verification" in actions
    assert actions["answer_now"]["inputs"][0] == {
        "name": "explanation",
        "label": "Nội dung giải thích, hướng dẫn",
        "kind": "text",
        "required": True,
        "choices": [],
    }
    assert {c["name"]: c["state"] for c in data["clocks"]}["acknowledge"] != "running"


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_detail_queries_do_not_grow_with_the_rows(org, client_for):
    client = client_for(org.staff)
    first = ComplaintFactory.create(actor=org.receiver, category="payment", department="ke-toan")
    task_create(complaint=first, actor=org.receiver, department_code="ky-thuat", title="Đo")
    client.get(f"{BASE}/complaints")  # the token's first use is written (then once a minute)
    few_list = _queries(client, f"{BASE}/complaints")
    few_detail = _queries(client, f"{BASE}/complaints/{first.code}")

    for _ in range(6):
        other = ComplaintFactory.create(actor=org.receiver, category="content", assignee="head")
        task_create(complaint=other, actor=org.receiver, department_code="ky-thuat", title="Đo")
        task_create(complaint=first, actor=org.receiver, department_code="ky-thuat", title="Thêm")

    assert _queries(client, f"{BASE}/complaints") == few_list
    assert _queries(client, f"{BASE}/complaints/{first.code}") == few_detail
