"""Several requests at once: one complaint per key, one customer per phone, one winner per step,
distinct consecutive codes. Real threads with their own connections, on a real (file) database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint, Customer, IdempotencyKey
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import TransitionRefused, complaint_create
from complaintdesk.complaints.tests.factories import act, complaint_in_state, make_org
from complaintdesk.core.errors import Conflict
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def presets():
    """Transactional tests start from an empty database: seed the procedure presets once,
    before the threads race (the data migration does this in a real installation)."""
    from complaintdesk.procedures.services import procedure_ensure_presets

    procedure_ensure_presets()


def run_together(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Start every call at the same moment in its own thread; ('ok', value) or ('error', exc)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            results[i] = ("ok", call())
        except Exception as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(not t.is_alive() for t in threads)
    return results


@pytest.fixture
def slow_procedure(monkeypatch):
    """Hold every complaint transaction open a moment, so parallel requests really overlap
    (a creation's procedure step, and every later action's)."""
    for name in ("procedure_apply_event", "procedure_apply_received"):
        original = getattr(services, name)

        def slow(original: Any = original, **kwargs: Any) -> Any:
            time.sleep(0.3)
            return original(**kwargs)

        monkeypatch.setattr(services, name, slow)


def data(phone: str = "0987654321", subject: str = "Mất kết nối") -> ComplaintIn:
    return ComplaintIn.model_validate(
        {"channel": "web", "customer": {"name": "Ngô Lan", "phone": phone}, "subject": subject}
    )


def test_two_requests_with_one_key_make_one_complaint(slow_procedure):
    org = make_org()
    results = run_together(
        lambda: complaint_create(actor=org.receiver, data=data(), idempotency_key="same"),
        lambda: complaint_create(actor=org.receiver, data=data(), idempotency_key="same"),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"]
    made = [r.complaint.pk for _, r in results]
    assert made[0] == made[1]
    assert sorted(r.created for _, r in results) == [False, True]
    assert Complaint.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert JournalEntry.objects.filter(action="complaint.created").count() == 1
    # The request that lost took no number: the next complaint's code follows on.
    first = Complaint.objects.get()
    following = complaint_create(actor=org.receiver, data=data()).complaint
    assert int(following.code[-6:]) == int(first.code[-6:]) + 1


def test_same_new_phone_at_once_makes_one_customer(slow_procedure):
    org = make_org()
    results = run_together(
        lambda: complaint_create(actor=org.receiver, data=data("0977 111 222", "Một")),
        lambda: complaint_create(actor=org.receiver, data=data("+84977111222", "Hai")),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert Customer.objects.count() == 1
    assert Complaint.objects.count() == 2
    assert len({c.customer_id for c in Complaint.objects.all()}) == 1


def test_codes_are_distinct_and_consecutive_under_load():
    org = make_org()

    def intake(n: int) -> list[str]:
        return [
            complaint_create(
                actor=org.receiver, data=data(f"09{n}{i:07d}", f"Phiếu {i}")
            ).complaint.code
            for i in range(25)
        ]

    results = run_together(*(lambda n=n: intake(n) for n in range(1, 5)))
    assert all(kind == "ok" for kind, _ in results), results
    codes = [code for _, batch in results for code in batch]
    numbers = sorted(int(code[-6:]) for code in codes)
    assert len(set(codes)) == 100
    assert numbers == list(range(numbers[0], numbers[0] + 100))
    assert Complaint.objects.count() == 100
    assert journal_verify()[0] == []


def test_two_people_acknowledging_at_once_one_wins(slow_procedure):
    org = make_org()
    complaint = complaint_in_state("received", org)
    results = run_together(
        lambda: act(complaint, "acknowledge", org, role="receiver"),
        lambda: act(complaint, "acknowledge", org, role="head"),
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, TransitionRefused)
    assert error.code == "not_applicable"
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.status, stored.version) == ("acknowledged", complaint.version + 1)
    assert (
        JournalEntry.objects.filter(complaint_id=complaint.pk, action="action.acknowledge").count()
        == 1
    )
    assert journal_verify()[0] == []


def test_with_the_version_seen_the_loser_gets_conflict(slow_procedure):
    org = make_org()
    complaint = complaint_in_state("verifying", org)
    seen = complaint.version
    # record_verification is a self-loop: without the version both would apply.
    results = run_together(
        lambda: act(complaint, "record_verification", org, expected_version=seen),
        lambda: act(complaint, "record_verification", org, role="staff", expected_version=seen),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.message("vi") == "Phiếu đã được người khác cập nhật; hãy tải lại rồi thử lại."
    assert Complaint.objects.get(pk=complaint.pk).version == seen + 1
    assert (
        JournalEntry.objects.filter(
            complaint_id=complaint.pk, action="action.record_verification"
        ).count()
        == 1
    )


def test_both_stale_both_conflict():
    org = make_org()
    complaint = complaint_in_state("verifying", org)
    seen = complaint.version
    act(complaint, "record_verification", org)  # someone else, before either of them
    results = run_together(
        lambda: act(complaint, "answer_later", org, expected_version=seen),
        lambda: act(complaint, "answer_now", org, expected_version=seen),
    )
    assert [type(value) for _, value in results] == [Conflict, Conflict]
    assert Complaint.objects.get(pk=complaint.pk).status == "verifying"


def test_self_loop_without_version_both_apply_in_turn(slow_procedure):
    org = make_org()
    complaint = complaint_in_state("verifying", org)
    results = run_together(
        lambda: act(complaint, "request_negotiation", org),
        lambda: act(complaint, "request_negotiation", org, role="head"),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"]
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.version == complaint.version + 2
    seqs = list(
        JournalEntry.objects.filter(complaint_id=complaint.pk).values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    assert journal_verify()[0] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="per-year sequences: PostgreSQL")
def test_a_year_sequence_made_by_a_rolled_back_intake_is_made_again():
    """The first intake of a year creates its sequence; if that transaction rolls back, the
    sequence goes with it and the next intake must not assume it exists."""
    from datetime import UTC, datetime

    from django.db import transaction

    org = make_org()
    now = datetime(2031, 3, 2, 3, 0, tzinfo=UTC)

    def data(n: int) -> ComplaintIn:
        return ComplaintIn.model_validate(
            {
                "channel": "hotline",
                "kind": "complaint",
                "customer": {"name": "Lê Văn Bình", "phone": f"09170000{n:02d}"},
                "subject": "Mất tín hiệu",
                "description": "Không xem được kênh nào.",
            }
        )

    with pytest.raises(RuntimeError, match="abandoned"), transaction.atomic():
        complaint_create(actor=org.receiver, data=data(1), now=now)
        complaint_create(actor=org.receiver, data=data(2), now=now)  # finds the new sequence
        raise RuntimeError("abandoned")
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('complaint_code_2031')")
        assert cur.fetchone()[0] is None  # rolled back with the transaction
    first = complaint_create(actor=org.receiver, data=data(3), now=now).complaint
    second = complaint_create(actor=org.receiver, data=data(4), now=now).complaint
    assert (first.code, second.code) == ("KN-2031-000001", "KN-2031-000002")
