"""Notice wording edited by an administrator; an agent sends a notice by hand."""

from __future__ import annotations

import pytest

from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import NoticeTemplate, Outbox

from .helpers import EMAIL, filed

pytestmark = pytest.mark.django_db


def test_an_agent_sends_more_time_with_the_new_date_in_the_administrators_words(client, org):
    NoticeTemplate.objects.create(
        notice="more_time",
        language="vi",
        subject="[{{ code }}] Hẹn lại ngày {{ deadline }}",
        body="Kính gửi {{ customer }}, chúng tôi hẹn trả lời phiếu {{ code }} trước "
        "{{ deadline }}. Người phụ trách: {{ agent }}.",
    )
    complaint = filed(org)
    client.force_login(org.receiver)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Gửi thông báo cho khách hàng" in page

    sent = client.post(
        f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/",
        {"notice": "more_time", "new_date": "20/03/2026"},
        follow=True,
    )
    assert "Đã xếp thông báo vào hộp thư đi." in sent.content.decode()
    row = Outbox.objects.get(complaint=complaint, notice="more_time")
    assert row.recipient == EMAIL
    assert row.subject == f"[{complaint.code}] Hẹn lại ngày 20/03/2026"
    assert row.body.startswith("Kính gửi Trần Thị Bình, chúng tôi hẹn trả lời phiếu")
    entry = JournalEntry.objects.get(complaint=complaint, action="notice.sent_by_hand")
    assert entry.actor_id == org.receiver.pk

    # The same submission twice queues one notice.
    client.post(
        f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/",
        {"notice": "more_time", "new_date": "20/03/2026"},
    )
    assert Outbox.objects.filter(complaint=complaint, notice="more_time").count() == 1
    assert (
        JournalEntry.objects.filter(complaint=complaint, action="notice.sent_by_hand").count() == 1
    )


def test_a_notice_sent_by_hand_is_queued_and_journaled_together_or_not_at_all(org, monkeypatch):
    """The agent's entry is written in the outbox row's transaction: if it fails, no notice
    goes out that the journal does not attribute."""
    from complaintdesk.notifications import notices

    complaint = filed(org)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(notices, "journal_append", broken)
    with pytest.raises(RuntimeError):
        notices.notice_send_by_hand(
            complaint=complaint,
            actor=org.receiver,
            notice="more_time",
            dedupe_key="manual:test",
            context={"due_date": "20/03/2026"},
        )
    assert not Outbox.objects.filter(dedupe_key="manual:test").exists()


def test_more_time_needs_a_date_and_internal_notices_cannot_be_sent_by_hand(client, org):
    complaint = filed(org)
    client.force_login(org.receiver)
    missing = client.post(
        f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/", {"notice": "more_time"}, follow=True
    )
    assert "Hãy nhập ngày hẹn mới (dd/mm/yyyy)." in missing.content.decode()
    client.post(f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/", {"notice": "deadline_breach"})
    client.force_login(org.leadership)  # sees every complaint, may not write to customers
    client.post(f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/", {"notice": "result"})
    assert not Outbox.objects.filter(complaint=complaint, notice__in=["more_time", "result"])
    assert not Outbox.objects.filter(complaint=complaint, notice="deadline_breach")


def test_an_anonymous_visitor_cannot_send_notices(client, org):
    complaint = filed(org)
    response = client.post(f"/tra-cuu/nhan-vien/thong-bao/{complaint.code}/", {"notice": "result"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Outbox.objects.filter(complaint=complaint, notice="result").exists()
