"""Two deliveries of the same message at the same moment open one complaint."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from complaintdesk.complaints.models import Complaint, Message
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import mail
from complaintdesk.intake.models import InboundRecord
from complaintdesk.intake.services import intake_accept

OWN = OwnIdentity(frozenset(), frozenset())


def deliver_twice_at_once(raw: bytes) -> list:
    barrier = threading.Barrier(2)
    results: list = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            now = timezone.now()
            outcome = parse_email(raw, received_at=now, own=OWN)
            barrier.wait(timeout=10)
            results.append(intake_accept(outcome, now=now))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_delivery_opens_one_complaint():
    results = deliver_twice_at_once(mail(message_id="<same@khachhang.vn>").as_bytes())
    assert Complaint.objects.count() == 1
    assert sorted((r.created_complaint, r.duplicate) for r in results) == [
        (False, True),
        (True, False),
    ]
    assert {r.complaint.pk for r in results} == {Complaint.objects.get().pk}
    record = InboundRecord.objects.get()
    assert record.deliveries == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_follow_up_adds_one_message():
    first = intake_accept(
        parse_email(
            mail(message_id="<q@khachhang.vn>").as_bytes(), received_at=timezone.now(), own=OWN
        )
    )
    reply = mail(message_id="<reply@khachhang.vn>", in_reply_to="<q@khachhang.vn>", text="Bổ sung")
    results = deliver_twice_at_once(reply.as_bytes())
    assert Message.objects.filter(complaint=first.complaint, direction="in").count() == 1
    assert sorted(r.duplicate for r in results) == [False, True]
