"""Two declarations with one Idempotency-Key at the same moment make one event."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.api.models import IdempotentRequest
from complaintdesk.api.tests.test_force_majeure import FM, _body
from complaintdesk.complaints.tests.factories import make_org
from complaintdesk.complaints.tests.test_concurrency import run_together
from complaintdesk.force_majeure import services
from complaintdesk.force_majeure.models import ForceMajeureEvent
from complaintdesk.journal.models import JournalEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_retries_of_one_declaration_make_one_event(monkeypatch):
    org = make_org()
    _token, raw = api_token_issue(user=org.head)
    original = services.force_majeure_declare

    def slow(**kwargs: Any) -> Any:
        time.sleep(0.3)  # hold the first transaction open while the second one arrives
        return original(**kwargs)

    monkeypatch.setattr(services, "force_majeure_declare", slow)
    body = _body()

    def send() -> Any:
        client = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "bao-3"})
        return client.post(FM, body, content_type="application/json")

    results = run_together(send, send)

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    responses = [r for _, r in results]
    assert sorted(r.status_code for r in responses) == [200, 201], [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert ForceMajeureEvent.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    assert JournalEntry.objects.filter(action="force_majeure.declared").count() == 1
