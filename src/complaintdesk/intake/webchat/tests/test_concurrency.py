"""Two messages of one conversation filed at the same moment open one complaint (SQLite: one
writer at a time; PostgreSQL: the session row lock / the advisory lock per conversation)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from complaintdesk.complaints.models import Complaint, Message
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.queue import QueuedEvent, inbound_file, inbound_queue
from complaintdesk.intake.webchat.services import Contact, chat_message_receive, chat_session_start


def at_once(*jobs):
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_chat_messages_at_once_make_one_complaint():
    session = chat_session_start(contact=Contact(name="Đỗ Văn Hùng", phone="+84912000111"))
    at_once(
        lambda: chat_message_receive(session=session, text="Tin thứ nhất", client_id="a"),
        lambda: chat_message_receive(session=session, text="Tin thứ hai", client_id="b"),
    )
    assert Complaint.objects.count() == 1
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_queued_messages_of_one_psid_filed_at_once_make_one_complaint(monkeypatch):
    monkeypatch.setattr("complaintdesk.intake.queue._schedule", lambda: None)
    now = datetime.now(UTC)

    def raw(mid, text):
        event = {
            "message": {"mid": mid, "text": text},
            "recipient": {"id": "1"},
            "sender": {"id": "psid-77"},
            "timestamp": 1700000000000,
        }
        return json.dumps(event, ensure_ascii=False).encode()

    queued = inbound_queue(
        channel="facebook",
        events=[
            QueuedEvent("m-x", raw("m-x", "Một"), now, "psid-77", "psid-77"),
            QueuedEvent("m-y", raw("m-y", "Hai"), now, "psid-77", "psid-77"),
        ],
    ).queued
    first, second = queued
    assert set(InboundRecord.objects.values_list("status", flat=True)) == {"queued"}
    at_once(lambda: inbound_file(first), lambda: inbound_file(second), lambda: inbound_file(first))
    assert Complaint.objects.count() == 1
    assert Message.objects.count() == 1
    assert sorted(InboundRecord.objects.values_list("status", flat=True)) == ["ok", "ok"]
