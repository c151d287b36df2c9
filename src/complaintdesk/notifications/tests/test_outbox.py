from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction

from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.domain.retry import RetryPolicy
from complaintdesk.notifications.domain.templates import NOTICES
from complaintdesk.notifications.models import Outbox, OutboxStatus
from complaintdesk.notifications.notices import customer_address, customer_notice_enqueue
from complaintdesk.notifications.services import (
    outbox_deliver,
    outbox_dispatch_due,
    outbox_enqueue,
    outbox_retry,
    render_notice,
)
from complaintdesk.notifications.tests.fakes import FlakyDeliverer

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
FLAKY = {"email": "complaintdesk.notifications.tests.fakes.FlakyDeliverer"}


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_DELIVERERS = FLAKY
    FlakyDeliverer.reset()
    return FlakyDeliverer


def _queue(complaint, key="k1", **kw):
    with transaction.atomic():
        return outbox_enqueue(
            channel="email",
            recipient="an@example.vn",
            notice="acknowledgement",
            dedupe_key=key,
            context={
                "code": complaint.code,
                "customer_name": "Nguyễn Văn An",
                "subject": "Mất tiếng",
            },
            complaint_id=complaint.pk,
            now=NOW,
            **kw,
        )


def _journal(complaint, prefix="notice."):
    return list(
        JournalEntry.objects.filter(complaint_id=complaint.pk, action__startswith=prefix)
        .order_by("seq")
        .values_list("action", "after")
    )


def test_enqueue_is_idempotent_on_the_dedupe_key(org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    first, created = _queue(complaint)
    again, created_again = _queue(complaint)
    assert created and not created_again
    assert first.pk == again.pk
    assert Outbox.objects.count() == 1
    assert [a for a, _ in _journal(complaint)] == ["notice.queued"]
    assert first.subject == f"[{complaint.code}] Đã tiếp nhận khiếu nại của Quý khách"
    assert "Kính gửi Nguyễn Văn An" in first.body


def test_delivery_runs_after_commit_and_is_journaled(
    org, complaint_factory, django_capture_on_commit_callbacks
):
    complaint = complaint_factory.create(actor=org.receiver)
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = _queue(complaint)
        assert mail.outbox == []  # nothing leaves before the commit
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["an@example.vn"]
    assert sent.subject == row.subject
    assert sent.extra_headers["Message-ID"].endswith("@complaintdesk.local>")
    assert [a for a, _ in _journal(complaint)] == ["notice.queued", "notice.sent"]


def test_rolled_back_change_queues_nothing(
    org, complaint_factory, django_capture_on_commit_callbacks
):
    complaint = complaint_factory.create(actor=org.receiver)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue(complaint)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Outbox.objects.exists()
    assert mail.outbox == []


def test_failing_deliverer_is_retried_with_backoff_then_succeeds_once(
    flaky, org, complaint_factory
):
    flaky.reset(fail_times=2)
    complaint = complaint_factory.create(actor=org.receiver)
    row, _ = _queue(complaint)

    first = outbox_deliver(outbox_id=row.pk, now=NOW)
    assert (first.outcome, first.attempt, first.next_attempt_at) == (
        "failed",
        1,
        NOW + timedelta(minutes=1),
    )
    assert first.error == "SMTP 451 thử lại sau"
    # Not yet due: neither the task nor the periodic job sends it again.
    assert outbox_deliver(outbox_id=row.pk, now=NOW + timedelta(seconds=30)).outcome == "skipped"
    assert outbox_dispatch_due(now=NOW + timedelta(seconds=30)) == []

    second = outbox_deliver(outbox_id=row.pk, now=NOW + timedelta(minutes=1))
    assert (second.outcome, second.next_attempt_at) == ("failed", NOW + timedelta(minutes=3))
    third = outbox_dispatch_due(now=NOW + timedelta(minutes=3))
    assert [(a.outcome, a.attempt) for a in third] == [("sent", 3)]

    # Redelivery (a duplicate task, the periodic job) sends nothing more.
    assert outbox_deliver(outbox_id=row.pk, now=NOW + timedelta(hours=1)).outcome == "skipped"
    assert outbox_dispatch_due(now=NOW + timedelta(days=1)) == []
    assert len(flaky.calls) == 3

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 3, "")
    journal = _journal(complaint)
    assert [a for a, _ in journal] == [
        "notice.queued",
        "notice.failed",
        "notice.failed",
        "notice.sent",
    ]
    assert [after.get("attempt") for _, after in journal[1:]] == [1, 2, 3]
    assert journal[1][1]["error"] == "SMTP 451 thử lại sau"


def test_gives_up_after_max_attempts(flaky, org, complaint_factory, settings):
    settings.NOTIFICATION_RETRY = {"max_attempts": 3}
    flaky.reset(fail_times=99)
    complaint = complaint_factory.create(actor=org.receiver)
    row, _ = _queue(complaint)
    outcomes = [outbox_dispatch_due(now=NOW + timedelta(hours=h)) for h in range(5)]
    assert [[a.outcome for a in batch] for batch in outcomes] == [
        ["failed"],
        ["failed"],
        ["dead"],
        [],
        [],
    ]
    row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD


def test_permanent_failure_is_dead_at_once_and_can_be_retried(flaky, org, complaint_factory):
    flaky.reset(fail_times=1, permanent=True)
    complaint = complaint_factory.create(actor=org.receiver)
    row, _ = _queue(complaint)
    assert outbox_deliver(outbox_id=row.pk, now=NOW).outcome == "dead"
    outbox_retry(outbox=row, actor=org.admin, now=NOW + timedelta(hours=1))
    assert row.status == OutboxStatus.PENDING
    assert outbox_deliver(outbox_id=row.pk, now=NOW + timedelta(hours=1)).outcome == "sent"
    assert [a for a, _ in _journal(complaint)] == [
        "notice.queued",
        "notice.dead",
        "notice.retry_requested",
        "notice.sent",
    ]


def test_channel_without_adapter_is_dead_with_a_clear_error(org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    with transaction.atomic():
        row, _ = outbox_enqueue(
            channel="sms",
            recipient="+84912345678",
            notice="survey",
            dedupe_key="sms-1",
            context={"code": "X"},
            complaint_id=complaint.pk,
            now=NOW,
        )
    attempt = outbox_deliver(outbox_id=row.pk, now=NOW)
    assert attempt.outcome == "dead"
    assert attempt.error == "no delivery adapter for channel 'sms'"


def test_abandoned_send_is_taken_over_after_the_lease(flaky, org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    row, _ = _queue(complaint)
    # A worker claimed the row and died before recording the outcome.
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, attempts=1, claimed_at=NOW)
    assert outbox_dispatch_due(now=NOW + timedelta(minutes=5)) == []
    [attempt] = outbox_dispatch_due(now=NOW + timedelta(minutes=11))
    assert (attempt.outcome, attempt.attempt) == ("sent", 2)


def test_each_delivery_of_a_dispatch_is_stamped_with_its_own_time(
    flaky, org, complaint_factory, monkeypatch
):
    """A dispatch of many rows over a slow mail server: every claim and outcome carries the
    moment it happened, so another worker does not take a row over while it is being sent and
    a retry waits its backoff from the failure, not from the dispatch's start."""
    complaint = complaint_factory.create(actor=org.receiver)
    first, _ = _queue(complaint, key="k1")
    second, _ = _queue(complaint, key="k2")
    clock = {"now": NOW + timedelta(minutes=1)}

    def slow_clock():
        clock["now"] += timedelta(minutes=4)  # each reading of the clock: four minutes later
        return clock["now"]

    monkeypatch.setattr("complaintdesk.notifications.services.utcnow", slow_clock)
    flaky.reset(fail_times=2)
    attempts = outbox_dispatch_due()
    assert [a.outcome for a in attempts] == ["failed", "failed"]
    rows = {r.pk: r for r in Outbox.objects.filter(pk__in=[first.pk, second.pk])}
    assert rows[second.pk].claimed_at > rows[first.pk].claimed_at > NOW + timedelta(minutes=1)
    for row, attempt in zip((rows[first.pk], rows[second.pk]), attempts, strict=True):
        assert row.next_attempt_at == attempt.next_attempt_at
        assert row.next_attempt_at > row.claimed_at + timedelta(minutes=4)  # after the send


def test_backoff_doubles_up_to_the_cap():
    policy = RetryPolicy(base=timedelta(minutes=1), cap=timedelta(minutes=10), max_attempts=10)
    assert [policy.delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert policy.after_failure(attempts=10, now=NOW, permanent=False) is None
    assert policy.after_failure(attempts=1, now=NOW, permanent=True) is None


@pytest.mark.parametrize("notice", sorted(NOTICES))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_notice_renders_in_both_languages(notice, language):
    subject, body = render_notice(
        notice=notice,
        language=language,
        context={
            "code": "KN-2026-000001",
            "customer_name": "Trần Thị Bình",
            "reason": "bão số 3",
            "starts": "01/03/2026",
            "clock_label": "Báo tiếp nhận",
            "due": "17:00 02/03/2026",
            "level_label": "lãnh đạo phòng",
            "subject": "Mất tiếng",
            "resolution": "Đã hoàn tiền",
        },
    )
    assert "KN-2026-000001" in subject
    assert "{{" not in body and "{%" not in body
    assert subject.isprintable()


def test_customer_is_reached_by_email_when_they_have_one(org, complaint_factory):
    with_email = complaint_factory.create(
        actor=org.receiver,
        customer={"name": "Lê Văn Cường", "phone": "0912000111", "email": "cuong@example.vn"},
    )
    assert customer_address(with_email) == ("email", "cuong@example.vn")
    phone_only = complaint_factory.create(actor=org.receiver)
    assert customer_address(phone_only) is None  # no SMS adapter yet
    assert (
        customer_notice_enqueue(complaint=phone_only, notice="survey", dedupe_key="s", now=NOW)
        is None
    )
    assert [a for a, _ in _journal(phone_only)] == ["notice.unreachable"]
