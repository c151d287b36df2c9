"""The call centre's webhook: signature and replay window, call states, missed calls folded,
the agent's pop-up and the one-click complaint."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

import pytest

from complaintdesk.complaints.models import Complaint, Message
from complaintdesk.complaints.schemas import ComplaintIn, CustomerIn
from complaintdesk.complaints.services import complaint_create
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.intake.hotline.models import Call, CallbackTask, CallEvent
from complaintdesk.intake.hotline.parse import sign
from complaintdesk.intake.hotline.selectors import active_calls_for
from complaintdesk.intake.models import InboundRecord

pytestmark = pytest.mark.django_db
SECRET = "hotline-secret"


def call_event(event, call_id="call-1", caller="0912345678", at=None, **extra):
    at = at or datetime.now(LOCAL_TZ)
    return json.dumps(
        {
            "event": event,
            "call_id": call_id,
            "caller": caller,
            "hotline": "19001234",
            "occurred_at": at.isoformat(),
            **extra,
        },
        ensure_ascii=False,
    ).encode()


def send(client, body: bytes, *, stamp: int | None = None, signature: str | None = "auto"):
    stamp = int(time.time()) if stamp is None else stamp
    headers = {"HTTP_X_HOTLINE_TIMESTAMP": str(stamp)}
    if signature == "auto":
        headers["HTTP_X_HOTLINE_SIGNATURE"] = sign(body, timestamp=str(stamp), secret=SECRET)
    elif signature is not None:
        headers["HTTP_X_HOTLINE_SIGNATURE"] = signature
    return client.post("/webhooks/hotline", data=body, content_type="application/json", **headers)


def test_a_signed_event_is_recorded(client, channels, org):
    response = send(client, call_event("ringing", agent=org.receiver.username))
    assert response.status_code == 200 and response.json() == {"status": "ok", "call": "call-1"}
    call = Call.objects.get()
    assert (call.caller, call.state, call.agent) == ("+84912345678", "ringing", org.receiver)


def test_signature_missing_wrong_stale_or_reserialised_is_refused(client, channels, caplog):
    caplog.set_level(logging.WARNING)
    body = call_event("ringing")
    assert send(client, body, signature=None).status_code == 401
    assert send(client, body, signature="sha256=" + "1" * 64).status_code == 403
    stale = int(time.time()) - 301
    assert send(client, body, stamp=stale).status_code == 403
    stamp = int(time.time())
    good = sign(body, timestamp=str(stamp), secret=SECRET)
    reserialised = json.dumps(json.loads(body), indent=2).encode()
    assert send(client, reserialised, stamp=stamp, signature=good).status_code == 403
    assert not Call.objects.exists()
    assert "0912345678" not in caplog.text
    assert "timestamp outside the allowed window" in caplog.text
    assert send(client, body, stamp=stamp, signature=good).status_code == 200


def test_malformed_events_get_400_and_are_kept(client, channels):
    for body in (b"{not json", b'{"event":"exploded","call_id":"x"}', b'{"event":"ringing"}'):
        assert send(client, body).status_code == 400
    assert list(
        InboundRecord.objects.order_by("id").values_list("channel", "status", "reason")
    ) == [
        ("hotline", "malformed", "not JSON"),
        ("hotline", "malformed", "unknown event 'exploded'"),
        ("hotline", "malformed", "no call_id"),
    ]


def test_hostile_timestamps_and_bodies_are_refused_not_a_500(client, channels):
    body = call_event("ringing")
    for stamp in ("1" + "0" * 400, "9" * 5000, "²"):  # int() took the first, raised on the others
        response = client.post(
            "/webhooks/hotline",
            data=body,
            content_type="application/json",
            HTTP_X_HOTLINE_TIMESTAMP=stamp,
            HTTP_X_HOTLINE_SIGNATURE="sha256=" + "0" * 64,
        )
        assert response.status_code in (401, 403), stamp
    nested = b'{"event": "ringing", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    year_one = call_event("ringing", call_id="c-2", occurred_at="0001-01-01T00:00:00+14:00")
    year_9000 = call_event("ringing", call_id="c-3", occurred_at="9000-01-01T00:00:00Z")
    epoch_1800 = call_event("ringing", call_id="c-4", occurred_at=-5_364_662_400)  # 1800-01-01
    assert send(client, nested).status_code == 400
    for body in (year_one, year_9000, epoch_1800):
        assert send(client, body).status_code == 400
    assert not Call.objects.exists()
    assert list(InboundRecord.objects.order_by("id").values_list("status", "reason")) == [
        ("malformed", "not JSON"),
        *[("malformed", "occurred_at out of range")] * 3,
    ]


def test_events_move_a_call_forward_even_out_of_order(client, channels):
    start = datetime(2026, 3, 5, 8, 0, tzinfo=LOCAL_TZ)
    send(
        client,
        call_event(
            "ended", at=start + timedelta(minutes=5), recording_url="https://rec.example/1.mp3"
        ),
    )
    send(client, call_event("answered", at=start + timedelta(seconds=10)))
    send(client, call_event("ringing", at=start))
    call = Call.objects.get()
    assert call.state == "ended"
    assert call.started_at == start and call.answered_at == start + timedelta(seconds=10)
    assert call.recording_url == "https://rec.example/1.mp3"


def test_a_redelivered_event_changes_nothing(client, channels):
    body = call_event("missed")
    send(client, body)
    assert send(client, body).json()["status"] == "duplicate"
    assert CallEvent.objects.get().deliveries == 2
    assert CallbackTask.objects.get().missed_count == 1


def test_missed_calls_of_one_number_on_one_day_fold_into_one_callback(client, channels):
    morning = datetime(2026, 3, 5, 8, 0, tzinfo=LOCAL_TZ)
    send(client, call_event("missed", call_id="a", at=morning))
    send(
        client,
        call_event(
            "missed", call_id="b", caller="+84 912 345 678", at=morning + timedelta(hours=3)
        ),
    )
    send(client, call_event("missed", call_id="c", at=morning + timedelta(days=1)))
    send(client, call_event("missed", call_id="d", caller="0987654321", at=morning))
    tasks = list(
        CallbackTask.objects.order_by("day", "phone").values_list("phone", "day", "missed_count")
    )
    assert tasks == [
        ("+84912345678", morning.date(), 2),
        ("+84987654321", morning.date(), 1),
        ("+84912345678", morning.date() + timedelta(days=1), 1),
    ]


def test_a_callback_missed_again_since_the_list_was_loaded_stays_owed(client, channels, org):
    morning = datetime.now(LOCAL_TZ).replace(hour=8, minute=0, second=0, microsecond=0)
    send(client, call_event("missed", call_id="a", at=morning))
    client.force_login(org.receiver)
    [shown] = client.get("/webhooks/hotline/callbacks").json()["callbacks"]
    assert shown["missed_count"] == 1
    send(client, call_event("missed", call_id="b", at=morning + timedelta(minutes=5)))
    url = f"/webhooks/hotline/callbacks/{shown['id']}/done"
    stale = client.post(url, {"missed_count": shown["missed_count"]})
    assert stale.status_code == 409
    assert CallbackTask.objects.get().status == "open"
    assert client.post(url, {"missed_count": 2}).status_code == 204
    done = CallbackTask.objects.get()
    assert (done.status, done.done_by) == ("done", org.receiver)
    client.force_login(org.head)
    assert client.post(url, {"missed_count": 2}).status_code == 204  # again: changes nothing
    assert CallbackTask.objects.get().done_by == org.receiver


def test_local_day_decides_the_fold_not_utc(client, channels):
    # 23:30 and 00:30 Vietnam time are two days, though both fall on one UTC day.
    late = datetime(2026, 3, 5, 23, 30, tzinfo=LOCAL_TZ)
    send(client, call_event("missed", call_id="x1", at=late))
    send(client, call_event("missed", call_id="x2", at=late + timedelta(hours=1)))
    assert CallbackTask.objects.count() == 2


def test_getting_through_later_that_day_closes_the_callback(client, channels):
    morning = datetime.now(LOCAL_TZ).replace(hour=8, minute=0)
    send(client, call_event("missed", call_id="m1", at=morning))
    send(client, call_event("answered", call_id="m2", at=morning + timedelta(hours=1)))
    assert CallbackTask.objects.get().status == "done"


def test_the_pop_up_shows_the_callers_card_and_open_complaints(client, channels, org):
    agent = org.receiver
    complaint = complaint_create(
        actor=agent,
        data=ComplaintIn(
            channel="hotline",
            customer=CustomerIn(name="Lê Thị Hoa", phone="0912345678"),
            subject="Mất tín hiệu kênh VTV1",
        ),
    ).complaint
    send(client, call_event("ringing", call_id="live-1", agent=agent.username))
    calls = active_calls_for(agent)
    assert [
        (c.call.call_id, c.customer.name, [x.code for x in c.open_complaints]) for c in calls
    ] == [("live-1", "Lê Thị Hoa", [complaint.code])]
    client.force_login(agent)
    page = client.get("/webhooks/hotline/popup")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lê Thị Hoa" in html and complaint.code in html and "Tạo phiếu từ cuộc gọi này" in html
    data = client.get("/webhooks/hotline/popup.json").json()
    assert data["calls"][0]["customer"]["name"] == "Lê Thị Hoa"
    assert data["calls"][0]["open_complaints"][0]["code"] == complaint.code
    # Another agent sees nothing; once the call ends, neither does this one.
    client.force_login(org.head)
    assert client.get("/webhooks/hotline/popup.json").json() == {"calls": []}
    send(client, call_event("ended", call_id="live-1"))
    client.force_login(agent)
    assert client.get("/webhooks/hotline/popup").content.strip() == b""


def test_one_click_opens_one_complaint_with_the_recording_in_a_note(client, channels, org):
    agent = org.receiver
    send(
        client,
        call_event(
            "answered",
            call_id="c-77",
            agent=agent.username,
            recording_url="https://rec.example/c-77.mp3",
        ),
    )
    client.force_login(agent)
    first = client.post("/webhooks/hotline/calls/c-77/complaint")
    again = client.post("/webhooks/hotline/calls/c-77/complaint", HTTP_HX_REQUEST="true")
    complaint = Complaint.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/complaints/{complaint.pk}/"
    assert again.status_code == 204 and again["HX-Redirect"] == f"/complaints/{complaint.pk}/"
    assert complaint.channel == "hotline"
    assert complaint.customer.identities.get(kind="phone").value == "+84912345678"
    note = Message.objects.get(complaint=complaint)
    assert note.direction == "note"
    assert "https://rec.example/c-77.mp3" in note.body
    assert Call.objects.get().complaint == complaint


def test_one_click_needs_the_right_to_create(client, channels, org):
    send(client, call_event("answered", call_id="c-78"))
    client.force_login(org.staff)
    assert client.post("/webhooks/hotline/calls/c-78/complaint").status_code == 403
    assert not Complaint.objects.exists()


def test_a_hidden_number_cannot_open_a_complaint(client, channels, org):
    send(client, call_event("answered", call_id="c-79", caller="anonymous"))
    client.force_login(org.receiver)
    response = client.post("/webhooks/hotline/calls/c-79/complaint", HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Số gọi đến bị ẩn hoặc không hợp lệ" in response.content.decode()


def test_calls_callbacks_and_chats_are_listed_in_the_admin(client, channels, org):
    send(client, call_event("missed", call_id="adm-1"))
    client.force_login(org.admin)
    for url in (
        "/admin/intake/call/",
        "/admin/intake/callbacktask/",
        "/admin/intake/chatsession/",
        f"/admin/intake/call/{Call.objects.get().pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "+84912345678" in client.get("/admin/intake/callbacktask/").content.decode()
