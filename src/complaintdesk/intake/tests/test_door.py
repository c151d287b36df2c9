"""The webhook door's hot path: one committed INSERT per event, one deferred drain task per
process and window (not one task per event), drains that claim different records, the sweeper
for what a drain left, and the short way through the middleware."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from complaintdesk.complaints.models import Complaint, Message
from complaintdesk.intake.facebook.tests.payloads import body, event, post
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.queue import (
    CLAIMED,
    _claim_batch,
    drain_plan,
    inbound_drain,
    inbound_sweep,
)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _no_pending_drain() -> Iterator[None]:
    drain_plan.release()
    yield
    drain_plan.release()


@pytest.fixture
def db_tasks(settings):
    """The production task backend: tasks are rows a worker runs later (django-tasks resets
    its backends when the setting changes)."""
    settings.TASKS = DB_TASKS


@pytest.mark.django_db
def test_events_of_one_window_share_one_deferred_drain_task(
    client, channels, db_tasks, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_DRAIN_DELAY_SECONDS = 30
    before = timezone.now()
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, body(event(f"Tin số {n}", mid=f"m_win_{n}")))
        assert response.status_code == 200
    records = InboundRecord.objects.order_by("pk")
    assert [(r.status, r.reason) for r in records] == [("queued", "")] * 3
    assert not Complaint.objects.exists()
    task = DBTaskResult.objects.get()  # one task for the three events
    assert task.task_path == "complaintdesk.intake.jobs.drain_inbound"
    assert task.run_after >= before + timedelta(seconds=30)
    # The worker's drain files them all, in order: one complaint, two follow-ups.
    assert inbound_drain() == {"filed": 3}
    complaint = Complaint.objects.get()
    assert list(Message.objects.values_list("complaint_id", "body")) == [
        (complaint.pk, "Tin số 1"),
        (complaint.pk, "Tin số 2"),
    ]
    assert set(InboundRecord.objects.values_list("status", flat=True)) == {"ok"}


@pytest.mark.django_db
def test_after_the_window_a_new_drain_is_asked_for(
    client, channels, db_tasks, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_DRAIN_DELAY_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body(event("Một", mid="m_a")))
    drain_plan.pending_until = 0.0  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body(event("Hai", mid="m_b")))
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_one_payload_is_one_insert_and_repeats_count_as_deliveries(client, channels):
    raw = body(event("Một", mid="m_1"), event("Hai", mid="m_2"), event("Một", mid="m_1"))
    with CaptureQueriesContext(connection) as queries:
        assert post(client, raw).status_code == 200
    writes = [q["sql"].split()[0] for q in queries.captured_queries]
    writes = [w for w in writes if w in ("INSERT", "UPDATE", "DELETE")]
    assert writes == ["INSERT", "UPDATE"]  # the events; the repeated id's delivery count
    kept = dict(InboundRecord.objects.values_list("provider_message_id", "deliveries"))
    assert kept == {"m_1": 2, "m_2": 1}
    # A redelivery of the whole payload inserts nothing and counts each event again.
    assert post(client, raw).status_code == 200
    kept = dict(InboundRecord.objects.values_list("provider_message_id", "deliveries"))
    assert kept == {"m_1": 4, "m_2": 2}


@pytest.mark.django_db(transaction=True)
def test_an_acknowledged_event_is_already_committed(client, channels, monkeypatch):
    monkeypatch.setattr("complaintdesk.intake.queue._schedule", lambda: None)
    assert post(client, body(event("Mất tín hiệu", mid="m_commit"))).status_code == 200
    seen: list[int] = []

    def other_connection() -> None:  # a worker's view of the database
        try:
            seen.append(InboundRecord.objects.filter(provider_message_id="m_commit").count())
        finally:
            connection.close()

    reader = threading.Thread(target=other_connection)
    reader.start()
    reader.join(timeout=30)
    assert seen == [1]


@pytest.mark.django_db
def test_drains_claim_different_records_and_the_sweeper_takes_what_one_left(
    client, channels, monkeypatch
):
    monkeypatch.setattr("complaintdesk.intake.queue._schedule", lambda: None)
    for n in range(3):
        post(client, body(event(f"Tin {n}", mid=f"m_c{n}", psid=f"psid-{n}")))
    first, second = _claim_batch(2), _claim_batch(2)
    ids = list(InboundRecord.objects.order_by("pk").values_list("pk", flat=True))
    assert (first, second) == (ids[:2], ids[2:])
    assert set(InboundRecord.objects.values_list("reason", flat=True)) == {CLAIMED}
    # The drains that claimed them stopped (worker killed): no other drain takes them…
    assert inbound_drain() == {}
    assert not Complaint.objects.exists()
    # …the sweeper does, once they are past the grace period.
    assert inbound_sweep(now=timezone.now()) == {}
    assert inbound_sweep(now=timezone.now() + timedelta(minutes=5)) == {"filed": 3}
    assert Complaint.objects.count() == 3


@pytest.mark.django_db
def test_provider_webhooks_skip_the_browser_middleware(client, channels):
    response = post(client, body(event("Xin chào", mid="m_fast")))
    assert response.status_code == 200
    # No session, CSRF, locale or clickjacking work on the way: none of their headers.
    assert "X-Frame-Options" not in response
    assert "Vary" not in response
    assert not response.cookies
    # Security headers still apply (SecurityMiddleware runs first).
    assert response["X-Content-Type-Options"] == "nosniff"
    # Other pages under /webhooks/ take the whole stack (here: sign-in required).
    page = client.get("/webhooks/hotline/popup")
    assert page.status_code == 302 and page["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_short_way_still_checks_the_host(client, channels):
    response = client.post(
        "/webhooks/facebook",
        data=body(event("Xin chào", mid="m_host")),
        content_type="application/json",
        HTTP_HOST="attacker.example",
    )
    assert response.status_code == 400
    assert not InboundRecord.objects.exists()


@pytest.mark.django_db
def test_a_drain_out_of_time_asks_for_the_next_one(client, channels, db_tasks, monkeypatch):
    from complaintdesk.intake import jobs

    monkeypatch.setattr("complaintdesk.intake.queue._schedule", lambda: None)
    post(client, body(event("Còn chờ", mid="m_left")))
    monkeypatch.setattr("complaintdesk.intake.queue.inbound_drain", lambda **kw: {})  # no time
    monkeypatch.setattr(jobs, "DRAIN_SECONDS", 0.0)
    jobs.drain_inbound.call()
    assert DBTaskResult.objects.get().task_path == "complaintdesk.intake.jobs.drain_inbound"
    # Within its time a drain leaves the rest to the drains already asked for.
    monkeypatch.setattr(jobs, "DRAIN_SECONDS", 60.0)
    jobs.drain_inbound.call()
    assert DBTaskResult.objects.count() == 1
