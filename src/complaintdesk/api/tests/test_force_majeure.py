"""/api/v1/force-majeure: the web page's roles, the error shape, idempotent retries, clocks."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from complaintdesk.api.models import IdempotentRequest
from complaintdesk.api.tests.util import BASE
from complaintdesk.core.clock import LOCAL_TZ as VN
from complaintdesk.core.clock import utcnow
from complaintdesk.force_majeure.models import EventStatus, ForceMajeureEvent
from complaintdesk.force_majeure.services import force_majeure_approve
from complaintdesk.force_majeure.tests.helpers import PNG, REASON, declare
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.tests.factories import complaint_at
from complaintdesk.sla.models import Clock, ClockState

FM = f"{BASE}/force-majeure"
ROLES = ("receiver", "staff", "head", "leadership", "admin")


def _body(**overrides):
    start = utcnow() - timedelta(hours=2)
    body = {
        "reason": REASON,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=2)).isoformat(),
        "evidence_url": "https://nchmf.gov.vn/tin-bao-so-3",
    }
    body.update(overrides)
    return body


def _post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def _journal(event):
    return list(
        JournalEntry.objects.filter(chain=event.chain)
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_that_sees_complaints_lists_and_reads_events(org, client_for, role):
    event = declare(org)
    client = client_for(org.user(role))

    page = client.get(FM)
    one = client.get(f"{FM}/{event.pk}")

    assert page.status_code == 200
    assert [e["id"] for e in page.json()["items"]] == [event.pk]
    assert page.json()["next_cursor"] is None
    assert one.status_code == 200
    body = one.json()
    assert (body["reason"], body["status"], body["status_label"]) == (
        REASON,
        "pending",
        "chờ phê duyệt",
    )
    assert (body["declared_by"], body["scope"], body["version"]) == ("head", "all", 1)
    assert body["evidence"] == {
        "url": "https://nchmf.gov.vn/tin-bao-so-3",
        "name": "",
        "sha256": "",
        "download": None,
    }
    assert one["ETag"] == '"1"'


def test_reading_needs_credentials_and_unknown_event_is_404(org, client_for):
    from django.test import Client

    assert Client().get(FM).status_code == 401
    missing = client_for(org.receiver, lang="en").get(f"{FM}/999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "Force majeure event not found.",
        "code": "not_found",
        "errors": [],
    }


def test_list_filters_by_status_and_pages_with_a_cursor(org, client_for):
    now = utcnow()
    events = [declare(org, starts_at=now - timedelta(days=d), ends_at=None) for d in (3, 2, 1)]
    force_majeure_approve(event=events[0], actor=org.leadership)
    client = client_for(org.staff)

    first = client.get(FM, {"limit": 2}).json()
    second = client.get(FM, {"limit": 2, "cursor": first["next_cursor"]}).json()
    approved = client.get(FM, {"status": "approved"}).json()
    bad_status = client.get(FM, {"status": "lost"})
    bad_cursor = client.get(FM, {"cursor": "bm9wZQ"})

    assert [e["id"] for e in first["items"]] == [events[2].pk, events[1].pk]  # newest start first
    assert [e["id"] for e in second["items"]] == [events[0].pk]
    assert second["next_cursor"] is None
    assert [e["id"] for e in approved["items"]] == [events[0].pk]
    assert bad_status.status_code == 422
    assert bad_status.json()["errors"][0]["field"] == "status"
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0] == {
        "field": "cursor",
        "code": "invalid_cursor",
        "message": "Con trỏ phân trang không hợp lệ.",
    }


# --- declaring -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("receiver", 403), ("staff", 403), ("head", 201), ("leadership", 201), ("admin", 201)],
)
def test_declare_by_role(org, client_for, role, status):
    response = _post(client_for(org.user(role), lang="en"), FM, _body())

    assert response.status_code == status, response.content
    if status == 403:
        assert response.json()["code"] == "forbidden"
        assert response.json()["detail"].startswith(
            "Only department heads, leadership or administrators may declare"
        )
        assert not ForceMajeureEvent.objects.exists()
    else:
        event = ForceMajeureEvent.objects.get()
        assert response["Location"] == f"{FM}/{event.pk}"
        assert response.json()["id"] == event.pk
        assert (event.status, event.declared_by.username) == (EventStatus.PENDING, role)
        assert _journal(event) == ["force_majeure.declared"]


@pytest.mark.parametrize(
    ("overrides", "field", "code", "vi", "en"),
    [
        (
            {"evidence_url": ""},
            "evidence",
            "evidence_required",
            "Cần tệp bằng chứng hoặc liên kết tới bằng chứng.",
            "Attach evidence or give a link to it.",
        ),
        (
            {"ends_at": "2020-01-01T00:00:00+07:00"},
            "ends_at",
            "ends_before_start",
            "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            "The end must be after the start.",
        ),
        (
            {"scope": "planet"},
            "scope",
            "scope_invalid",
            "Phạm vi không hợp lệ.",
            "Invalid scope.",
        ),
        (
            {"scope": "channel", "scope_value": "pigeon"},
            "scope_value",
            "unknown_channel",
            "Không có kênh «pigeon».",
            "There is no channel “pigeon”.",
        ),
        (
            {"evidence_url": "ftp://x"},
            "evidence_url",
            "evidence_url_invalid",
            "Liên kết phải bắt đầu bằng http:// hoặc https://.",
            "The link must start with http:// or https://.",
        ),
        (
            {"starts_at": "ngày mai"},
            "starts_at",
            "invalid_datetime",
            "Thời điểm không hợp lệ (ví dụ 2025-03-05T08:30:00+07:00).",
            "Invalid date and time (e.g. 2025-03-05T08:30:00+07:00).",
        ),
        (
            {"reason": ""},
            "reason",
            "required",
            "Trường này là bắt buộc.",
            "This field is required.",
        ),
        (
            {"evidence": {"name": "x.png", "content_base64": "không phải base64"}},
            "evidence.content_base64",
            "invalid",
            "Giá trị không hợp lệ.",
            "Invalid value.",
        ),
        (
            {
                "evidence": {
                    "name": "x.png",
                    "content_base64": base64.b64encode(b"plain text").decode(),
                }
            },
            "evidence",
            "file_type",
            "Loại tệp không được chấp nhận (unknown). Chấp nhận: ảnh, video, PDF.",
            "File type not accepted (unknown). Accepted: pictures, videos, PDF.",
        ),
        (
            {"color": "red"},
            "color",
            "unknown_field",
            "Trường này không được chấp nhận.",
            "This field is not accepted.",
        ),
    ],
)
def test_declaration_errors_name_the_field_in_both_languages(
    org, client_for, overrides, field, code, vi, en
):
    for lang, message in (("vi", vi), ("en", en)):
        response = _post(client_for(org.head, lang=lang), FM, _body(**overrides))

        assert response.status_code == 422, response.content
        assert response.json()["errors"] == [{"field": field, "code": code, "message": message}]
        assert response["Content-Language"] == lang
    assert not ForceMajeureEvent.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_evidence_file_is_stored_checked_and_downloadable(org, client_for):
    body = _body(
        evidence_url="",
        evidence={"name": "cong-van.exe", "content_base64": base64.b64encode(PNG).decode()},
    )
    created = _post(client_for(org.head), FM, body)

    assert created.status_code == 201, created.content
    evidence = created.json()["evidence"]
    assert evidence["name"] == "cong-van.png"  # named by its content
    assert evidence["download"] == f"{FM}/{created.json()['id']}/evidence"
    download = client_for(org.staff).get(evidence["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    without = declare(org)
    assert client_for(org.staff).get(f"{FM}/{without.pk}/evidence").status_code == 404


def test_declare_with_idempotency_key_creates_one_event(org, client_for):
    client = client_for(org.head)
    headers = {"Idempotency-Key": "storm-3-hanoi"}

    body = _body()
    first = _post(client, FM, body, **headers)
    # The same instants written in Vietnam time are the same declaration.
    in_vn = {
        k: datetime.fromisoformat(body[k]).astimezone(VN).isoformat()
        for k in ("starts_at", "ends_at")
    }
    retry = _post(client, FM, {**body, **in_vn}, **headers)
    other_body = _post(client, FM, _body(reason="Động đất"), **headers)
    other_user = _post(client_for(org.leadership), FM, body, **headers)

    assert first.status_code == 201
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (200, "true")
    assert retry.json()["id"] == first.json()["id"]
    assert other_body.status_code == 422
    assert other_body.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "code": "idempotency_mismatch",
            "message": "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        }
    ]
    assert other_user.status_code == 201  # keys are per caller
    assert ForceMajeureEvent.objects.count() == 2
    bad_key = _post(client, FM, _body(), **{"Idempotency-Key": "có dấu"})
    assert bad_key.status_code == 422
    assert bad_key.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_refused_declaration_does_not_burn_its_idempotency_key(org, client_for):
    client = client_for(org.head)
    headers = {"Idempotency-Key": "retry-after-fix"}

    refused = _post(client, FM, _body(evidence_url=""), **headers)
    fixed = _post(client, FM, _body(), **headers)

    assert (refused.status_code, fixed.status_code) == (422, 201)
    assert ForceMajeureEvent.objects.count() == 1


# --- approve, extend, end, cancel ----------------------------------------------------------------


OPERATION_ROLES = {
    # operation: roles allowed by the web page (web/views/force_majeure.py)
    "approve": {"leadership", "admin"},
    "extend": {"leadership", "admin"},
    "end": {"leadership", "admin"},
    "cancel": {"head", "leadership", "admin"},
}


def _ready_for(org, operation):
    """An event in the state the operation applies to."""
    event = declare(org, starts_at=utcnow() - timedelta(hours=3), ends_at=None)
    if operation in ("end",):
        force_majeure_approve(event=event, actor=org.leadership)
        event.refresh_from_db()
    return event


@pytest.mark.parametrize("operation", sorted(OPERATION_ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_operations_by_role(org, client_for, operation, role):
    event = _ready_for(org, operation)
    body = {"version": event.version}
    if operation == "extend":
        body["ends_at"] = (utcnow() + timedelta(days=1)).isoformat()

    response = _post(client_for(org.user(role)), f"{FM}/{event.pk}/{operation}", body)

    fresh = ForceMajeureEvent.objects.get(pk=event.pk)
    if role in OPERATION_ROLES[operation]:
        assert response.status_code == 200, response.content
        expected = {
            "approve": "approved",
            "extend": "pending",
            "end": "ended",
            "cancel": "cancelled",
        }[operation]
        assert response.json()["status"] == fresh.status == expected
        assert response.json()["version"] == fresh.version == event.version + 1
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
        assert fresh.version == event.version


def test_head_cannot_cancel_an_approved_event(org, client_for):
    event = declare(org)
    force_majeure_approve(event=event, actor=org.leadership)

    response = _post(client_for(org.head, lang="en"), f"{FM}/{event.pk}/cancel")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only leadership or administrators may approve")
    assert ForceMajeureEvent.objects.get(pk=event.pk).status == EventStatus.APPROVED


def test_stale_version_wrong_status_and_bad_input(org, client_for):
    event = declare(org)
    leader = client_for(org.leadership, lang="en")

    stale = _post(leader, f"{FM}/{event.pk}/extend", {"ends_at": None, "version": 7})
    stale_header = _post(leader, f"{FM}/{event.pk}/approve", None, **{"If-Match": '"7"'})
    not_yet = _post(leader, f"{FM}/{event.pk}/end")
    no_end = _post(leader, f"{FM}/{event.pk}/extend", {})
    backwards = _post(leader, f"{FM}/{event.pk}/extend", {"ends_at": "2020-01-01T00:00:00Z"})

    assert stale.status_code == stale_header.status_code == 409
    assert stale.json() == {
        "detail": "Someone else updated this event; reload and try again.",
        "code": "conflict",
        "errors": [],
    }
    assert not_yet.status_code == 409
    assert not_yet.json()["code"] == "wrong_status"
    assert not_yet.json()["detail"] == "Not possible while the event is “pending approval”."
    assert no_end.status_code == 422
    assert no_end.json()["errors"][0]["field"] == "ends_at"
    assert backwards.status_code == 422
    assert backwards.json()["errors"] == [
        {
            "field": "ends_at",
            "code": "ends_before_start",
            "message": "The end must be after the start.",
        }
    ]
    assert ForceMajeureEvent.objects.get(pk=event.pk).version == 1
    assert _post(leader, f"{FM}/999999/approve").status_code == 404


def test_repeating_an_operation_whose_result_is_in_place_changes_nothing(org, client_for):
    event = declare(org)
    leader = client_for(org.leadership)
    new_end = (event.starts_at + timedelta(days=5)).isoformat()

    first = _post(leader, f"{FM}/{event.pk}/approve", {"version": 1})
    again = _post(leader, f"{FM}/{event.pk}/approve", {"version": 1})  # a retry after a timeout
    extended = _post(leader, f"{FM}/{event.pk}/extend", {"ends_at": new_end, "version": 2})
    extended_again = _post(leader, f"{FM}/{event.pk}/extend", {"ends_at": new_end, "version": 2})

    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert extended.status_code == extended_again.status_code == 200
    assert extended_again["Idempotent-Replayed"] == "true"
    assert extended_again.json()["version"] == 3
    assert _journal(event) == [
        "force_majeure.declared",
        "force_majeure.approved",
        "force_majeure.extended",
    ]


def test_approving_over_the_api_pauses_clocks_in_scope_and_ending_resumes_them(
    org, client_for, django_capture_on_commit_callbacks
):
    now = utcnow()
    complaint = complaint_at(org.receiver, at=now - timedelta(hours=1))
    clock = Clock.objects.get(complaint=complaint, name="acknowledge")
    assert clock.state == ClockState.RUNNING
    head, leader = client_for(org.head), client_for(org.leadership)
    created = _post(
        head, FM, _body(starts_at=(now - timedelta(minutes=30)).isoformat(), ends_at=None)
    )
    event_id = created.json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        approved = _post(leader, f"{FM}/{event_id}/approve")
    assert approved.status_code == 200
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED
    assert leader.get(f"{FM}/{event_id}").json()["clocks_applied"] is True

    with django_capture_on_commit_callbacks(execute=True):
        ended = _post(leader, f"{FM}/{event_id}/end", {"note": "x"})
    assert ended.status_code == 422  # "note" is cancel's field, not end's
    with django_capture_on_commit_callbacks(execute=True):
        ended = _post(leader, f"{FM}/{event_id}/end")
    assert ended.status_code == 200, ended.content
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.due_at is not None


def test_times_without_zone_and_a_future_end_are_refused_on_their_own_field(org, client_for):
    head, leader = client_for(org.head, lang="en"), client_for(org.leadership, lang="en")
    naive_end = _post(head, FM, _body(ends_at="2030-01-01T00:00:00"))
    event = declare(org, starts_at=utcnow() - timedelta(hours=3), ends_at=None)
    force_majeure_approve(event=event, actor=org.leadership)
    naive_extend = _post(leader, f"{FM}/{event.pk}/extend", {"ends_at": "2030-01-01T08:00:00"})
    future_end = _post(
        leader, f"{FM}/{event.pk}/end", {"at": (utcnow() + timedelta(days=1)).isoformat()}
    )

    naive = "The time must include a time zone (e.g. +07:00)."
    assert naive_end.json()["errors"] == [
        {"field": "ends_at", "code": "naive_datetime", "message": naive}
    ]
    assert naive_extend.json()["errors"] == [
        {"field": "ends_at", "code": "naive_datetime", "message": naive}
    ]
    assert future_end.status_code == 422
    assert future_end.json()["errors"] == [
        {
            "field": "at",
            "code": "end_invalid",
            "message": "The end must be after the start and not in the future.",
        }
    ]
    assert ForceMajeureEvent.objects.get(pk=event.pk).status == EventStatus.APPROVED


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "", {"starts_at": "0001-01-01T00:00:00+14:00"}),
        ("POST", "", {"reason": "x" * 501}),
        ("POST", "", {"reason": "\x00"}),
        ("POST", "", {"evidence": "abc"}),
        ("POST", "", {"evidence": {"content_base64": ""}}),
        ("POST", "", {"notify_customers": "rất"}),
        ("POST", "", {"scope": "category", "scope_value": "\x00"}),
        ("POST", "", ["reason"]),
        ("POST", "/{id}/approve", {"version": "một"}),
        ("POST", "/{id}/approve", {"version": 0}),
        ("POST", "/{id}/extend", {"ends_at": 12}),
        ("POST", "/{id}/cancel", {"note": ["x"]}),
        ("POST", "/99999999999999999999999/approve", {}),
        ("GET", "/-1", None),
        ("GET", "?limit=1e9", None),
        ("GET", "?cursor=W10", None),  # "[]"
        ("GET", "?status=%00lost", None),
    ],
)
def test_hostile_force_majeure_requests_never_500(org, client_for, method, path, body):
    event = declare(org)
    url = FM + path.replace("{id}", str(event.pk))
    payload = "" if body is None else json.dumps(body)
    if method == "POST" and isinstance(body, dict) and path == "":
        payload = json.dumps({**_body(), **body})

    response = client_for(org.admin).generic(method, url, payload, content_type="application/json")

    assert response.status_code in (400, 404, 422), response.content[:300]
    assert response.json()["errors"] or response.json()["detail"]
    assert ForceMajeureEvent.objects.count() == 1
    assert ForceMajeureEvent.objects.get().version == 1
