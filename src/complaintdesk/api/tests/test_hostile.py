"""Malformed and hostile requests: never a 500, never a record, always the error shape."""

from __future__ import annotations

import json

import pytest

from complaintdesk.api.tests.util import BASE, intake_body
from complaintdesk.complaints.models import Complaint, Customer, Message, Task
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.journal.models import JournalEntry


def _json(**overrides):
    return json.dumps(intake_body(**overrides)).encode()


def _nested(depth):
    return "[" * depth + "]" * depth


HOSTILE_BODIES = {
    "empty": b"",
    "invalid json": b'{"channel": "hotline", ',
    "not json": b"channel=hotline&subject=x",
    "array": b"[]",
    "array of objects": json.dumps([intake_body()]).encode(),
    "number": b"42",
    "string": b'"complaint"',
    "null": b"null",
    "true": b"true",
    "customer is a string": _json(customer="Nguyễn Văn An 0912345678"),
    "customer is a list": _json(customer=[{"name": "An", "phone": "0912345678"}]),
    "subject is a number": _json(subject=123),
    "subject is an object": _json(subject={"vi": "Mất sóng"}),
    "subject is only NULs": _json(subject="\x00\x00\x00"),
    "NUL in a key": _json(**{"sub\x00ject": "x"}),
    "received_at is a list": _json(received_at=[2025, 3, 5]),
    "received_at in year 1": _json(received_at="0001-01-01T00:00:00+14:00"),
    "received_at in year 9999": _json(received_at="9999-12-31T23:59:59-12:00"),
    "received_at without zone": _json(received_at="2025-03-05T08:30:00"),
    "content time in year 9999": _json(content={"occurred_at": "9999-12-31T23:00:00Z"}),
    "content time in year 1": _json(content={"occurred_at": "0001-01-01T00:00:00+14:00"}),
    "payment time in year 9999": _json(payment={"paid_at": "9999-12-31T23:00:00-12:00"}),
    "payment is a list": _json(payment=[1, 2]),
    "negative amount": _json(payment={"amount_vnd": -5}),
    "huge amount": _json(payment={"amount_vnd": 10**30}),
    "float overflow": _json()[:-1] + b', "vulnerable": 1e400}',
    "NaN": _json()[:-1] + b', "vulnerable": NaN}',
    "1 MB subject": _json(subject="x" * 1_000_000),
    "3 MB description": _json(description="x" * 3_000_000),
    "100 kB channel": _json(channel="x" * 100_000),
    "1000 phones": _json(customer={"name": "An", "phones": ["0912345678"] * 1000}),
    "unknown fields": _json(is_admin=True, status="closed", code="KN-2020-000001"),
    "nested 25 deep": _json(content={"title": json.loads(_nested(25))}),
    "nested 100000 deep": b'{"content": ' + _nested(100_000).encode() + b"}",
    "invalid UTF-8": b'{"channel": "hotline", "subject": "\xff\xfe\xfd"}',
    "latin-1 text": '{"subject": "Khiếu nại"}'.encode("utf-16"),
    "no customer identity": _json(customer={"name": "Không để lại số"}),
    "no customer name": _json(customer={"phone": "0987654321"}),
    "bad email": _json(customer={"name": "An", "email": "an@@mail"}),
    "unknown category": _json(category="../../etc/passwd"),
    "unknown procedure": _json(procedure="x" * 60),
    "wrong language": _json(language="fr"),
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_intake_bodies_are_refused_and_create_nothing(org, client_for, body):
    response = client_for(org.receiver).generic(
        "POST", f"{BASE}/complaints", body, content_type="application/json"
    )

    assert response.status_code in (400, 413, 422), response.content[:300]
    data = response.json()
    assert data["detail"]
    assert isinstance(data["errors"], list)
    for error in data["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert error["message"]
    assert Complaint.objects.count() == 0
    assert Customer.objects.count() == 0
    assert JournalEntry.objects.count() == 0


def test_nul_characters_inside_valid_text_are_removed(org, client_for):
    body = intake_body(subject="Mất\x00 sóng", customer={"name": "An\x00", "phone": "0912345678"})

    response = client_for(org.receiver).post(
        f"{BASE}/complaints", body, content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["subject"] == "Mất sóng"
    assert Complaint.objects.get().customer.name == "An"


def test_body_messages_name_the_problem(org, client_for):
    client = client_for(org.receiver, lang="en")

    broken = client.generic("POST", f"{BASE}/complaints", b"{", content_type="application/json")
    listed = client.generic("POST", f"{BASE}/complaints", b"[]", content_type="application/json")
    empty = client.generic("POST", f"{BASE}/complaints", b"", content_type="application/json")

    assert broken.status_code == 400
    assert broken.json()["detail"] == (
        "The request body is not valid JSON (UTF-8, not nested too deeply)."
    )
    assert listed.json()["errors"] == [
        {"field": "body", "code": "invalid_object", "message": "A JSON object {…} is expected."}
    ]
    assert empty.json()["errors"][0]["field"] == "body"
    assert empty.json()["errors"][0]["message"] == "This field is required."


HOSTILE_ACTION_BODIES = {
    "inputs is a list": {"inputs": ["reason"]},
    "inputs is a string": {"inputs": "reason=x"},
    "nested input": {"inputs": {"reason": {"text": "x"}}},
    "list input": {"inputs": {"reason": ["x"]}},
    "float input": {"inputs": {"reason": 1.5}},
    "too many inputs": {"inputs": {f"k{i}": "x" for i in range(100)}},
    "long input": {"inputs": {"reason": "x" * 20001}},
    "version is text": {"inputs": {"reason": "x"}, "version": "one"},
    "version is huge": {"inputs": {"reason": "x"}, "version": 10**20},
    "version is zero": {"inputs": {"reason": "x"}, "version": 0},
    "unknown key": {"inputs": {"reason": "x"}, "actor": "admin"},
    "reason of NULs only": {"inputs": {"reason": "\x00\x00"}},
}


@pytest.mark.parametrize("body", HOSTILE_ACTION_BODIES.values(), ids=HOSTILE_ACTION_BODIES.keys())
def test_hostile_action_bodies_change_nothing(org, client_for, body):
    complaint = ComplaintFactory.create(actor=org.receiver)

    response = client_for(org.receiver).post(
        f"{BASE}/complaints/{complaint.code}/actions/withdraw",
        body,
        content_type="application/json",
    )

    assert response.status_code == 422, response.content[:300]
    assert response.json()["errors"][0]["field"].startswith(("inputs", "version", "actor"))
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.status, fresh.version) == ("received", 1)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/complaints?status=lost%00", None),
        ("GET", "/complaints?phone=09%0012", None),
        ("GET", "/complaints?department=ky%00thuat", None),
        ("GET", "/complaints?cursor=eyJ%00", None),
        # {"o": "r", "t": "0001-01-01T00:00:00+14:00", "i": 1}: overflows when made UTC (SQLite)
        (
            "GET",
            "/complaints?cursor=eyJvIjogInIiLCAidCI6ICIwMDAxLTAxLTAxVDAwOjAwOjAwKzE0OjAwIiwgImkiOiAxfQ",
            None,
        ),
        ("GET", "/complaints?limit=1e9", None),
        ("GET", "/complaints?received_from=0001-01-01T00:00:00%2B14:00", None),
        ("GET", "/complaints?received_to=soon", None),
        ("GET", "/complaints/%00", None),
        ("GET", "/complaints/KN-2026-%00/tasks", None),
        ("GET", "/complaints/{code}/attachments/99999999999999999999999", None),
        ("GET", "/complaints/{code}/attachments/-1", None),
        ("PATCH", "/complaints/{code}/tasks/abc", {"status": "done"}),
        ("PATCH", "/complaints/{code}", {"subject": None, "priority": 5}),
        ("PATCH", "/complaints/{code}", {"vulnerable": "rất"}),
        ("PATCH", "/complaints/{code}", {"department": "ky\x00thuat"}),
        ("PATCH", "/complaints/{code}", ["subject"]),
        ("POST", "/complaints/{code}/notes", {"body": "\x00"}),
        ("POST", "/complaints/{code}/notes", {"body": ["x"]}),
        ("POST", "/complaints/{code}/messages", {"body": "Chào anh", "channel": "pigeon"}),
        (
            "POST",
            "/complaints/{code}/tasks",
            {"department": "ky-thuat", "title": "x", "due_at": "0001-01-01T00:00:00+14:00"},
        ),
        (
            "POST",
            "/complaints/{code}/tasks",
            {"department": "ky-thuat", "title": "x", "due_at": "2026-01-01T00:00:00"},
        ),
        ("POST", "/complaints/{code}/tasks", {"department": {"code": "x"}, "title": "x"}),
        ("POST", "/complaints/{code}/attachments", {"file": "aGVsbG8="}),
    ],
)
def test_hostile_requests_elsewhere_never_500(org, client_for, method, path, body):
    complaint = ComplaintFactory.create(actor=org.receiver)
    url = BASE + path.replace("{code}", complaint.code)

    payload = "" if body is None else json.dumps(body)
    response = client_for(org.receiver).generic(
        method, url, payload, content_type="application/json"
    )

    assert response.status_code in (400, 404, 409, 413, 422), response.content[:300]
    assert response.json()["detail"]
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.version == 1
    assert Message.objects.count() == 0
    assert Task.objects.count() == 0


def test_nul_only_query_values_count_as_empty(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)

    response = client_for(org.receiver).get(
        f"{BASE}/complaints?department=%00&phone=%00&status=%00"
    )

    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == [complaint.code]


def test_a_lone_surrogate_in_text_becomes_a_replacement_character(org, client_for):
    """\\ud800 is valid JSON but not UTF-8: it would fail in the database or the journal's hash."""
    client = client_for(org.receiver)
    body = '{"channel": "api", "customer": {"name": "An\\ud800", "phone": "0912345678"},'
    body += ' "subject": "M\\u1ea5t s\\u00f3ng \\udfff"}'
    created = client.generic("POST", f"{BASE}/complaints", body, content_type="application/json")
    assert created.status_code == 201, created.content[:300]
    complaint = Complaint.objects.get()
    assert (complaint.subject, complaint.customer.name) == ("Mất sóng \ufffd", "An\ufffd")
    withdraw = client.generic(
        "POST",
        f"{BASE}/complaints/{complaint.code}/actions/withdraw",
        '{"inputs": {"reason": "Kh\\u00f4ng c\\u1ea7n n\\u1eefa \\ud800"}}',
        content_type="application/json",
    )
    assert withdraw.status_code == 200, withdraw.content[:300]
    assert withdraw.json()["status"] == "withdrawn"
    entries = JournalEntry.objects.filter(complaint_id=complaint.pk)
    said = [json.dumps(e.after, ensure_ascii=False) for e in entries]
    assert any("Không cần nữa \ufffd" in text for text in said)


def test_an_if_match_of_unicode_digits_is_refused_not_a_500(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    response = client_for(org.receiver).patch(
        f"{BASE}/complaints/{complaint.code}",
        {"subject": "Mất sóng cả ngày"},
        content_type="application/json",
        HTTP_IF_MATCH="²",
    )
    assert response.status_code in (400, 422), response.content[:300]
    assert Complaint.objects.get(pk=complaint.pk).version == 1
