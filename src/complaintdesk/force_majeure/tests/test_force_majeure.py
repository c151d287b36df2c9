"""Force majeure: declared, approved by leadership, clocks pause and resume, explained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaintdesk.core.errors import PermissionRefused, ServiceError, ValidationFailed
from complaintdesk.force_majeure.apply import force_majeure_apply, force_majeure_reconcile
from complaintdesk.force_majeure.models import EventStatus
from complaintdesk.force_majeure.services import (
    force_majeure_approve,
    force_majeure_cancel,
    force_majeure_declare,
    force_majeure_end,
    force_majeure_extend,
)
from complaintdesk.force_majeure.tests.helpers import (
    PNG,
    REASON,
    THU,
    TUE,
    declare,
    declare_and_approve,
)
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.notifications.models import Outbox
from complaintdesk.notifications.tests.factories import complaint_at, give_emails
from complaintdesk.sla.models import Clock, ClockState

DUE = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 24:00 Thu 05/03 local, without the event
DUE_AFTER_2_DAYS = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # Tue+Wed not counted → 24:00 Mon 09/03


def _clock(complaint):
    return Clock.objects.get(complaint=complaint, name="acknowledge")


def _journal(complaint_id=None, chain=None, prefix=""):
    qs = JournalEntry.objects.filter(action__startswith=prefix)
    qs = qs.filter(chain=chain) if chain else qs.filter(complaint_id=complaint_id)
    return list(qs.order_by("seq").values_list("action", flat=True))


def test_only_an_approved_event_pauses_clocks(org):
    complaint = complaint_at(org.receiver)
    with pytest.raises(PermissionRefused) as refused:
        force_majeure_declare(
            actor=org.receiver, reason=REASON, starts_at=TUE, evidence_url="https://example.vn"
        )
    assert refused.value.message("vi").startswith("Chỉ lãnh đạo phòng ban, Ban Giám đốc")
    event = declare(org)
    force_majeure_apply(event_id=event.pk, now=TUE)
    assert _clock(complaint).due_at == DUE  # pending: nothing moves
    with pytest.raises(PermissionRefused) as refused:
        force_majeure_approve(event=event, actor=org.head, now=TUE)
    assert refused.value.message("en") == (
        "Only leadership or administrators may approve, extend or cancel an approved force "
        "majeure event."
    )
    force_majeure_approve(event=event, actor=org.leadership, now=TUE)
    force_majeure_apply(event_id=event.pk, now=TUE)
    assert _clock(complaint).due_at == DUE_AFTER_2_DAYS
    with pytest.raises(ServiceError) as again:
        force_majeure_approve(event=event, actor=org.leadership, now=TUE)
    assert (
        again.value.message("vi")
        == "Không thể thực hiện khi sự kiện đang ở trạng thái «đã phê duyệt»."
    )


def test_pause_recomputes_due_and_explains_it(org):
    complaint = complaint_at(org.receiver)
    event = declare_and_approve(org)
    clock = _clock(complaint)
    assert (clock.state, clock.due_at) == (ClockState.RUNNING, DUE_AFTER_2_DAYS)
    assert f"bất khả kháng: {REASON}" in clock.explanation
    assert f"force majeure: {REASON}" in clock.explanation_en
    assert "hạn 24:00 ngày 09/03/2026" in clock.explanation
    assert _journal(complaint.pk, prefix="force_majeure") == ["force_majeure.applied"]
    paused = JournalEntry.objects.get(complaint_id=complaint.pk, action="clock.paused")
    assert paused.after["source"] == f"force_majeure:{event.pk}"
    assert f"bất khả kháng: {REASON}" in paused.after["explanation"]
    assert _journal(chain=f"fm:{event.pk}") == ["force_majeure.declared", "force_majeure.approved"]
    # Applying again changes nothing and journals nothing.
    force_majeure_apply(event_id=event.pk, now=TUE + timedelta(hours=1))
    assert _journal(complaint.pk, prefix="clock.") == ["clock.started", "clock.paused"]


def test_open_ended_event_ended_later(org):
    complaint = complaint_at(org.receiver)
    event = declare_and_approve(org, ends_at=None)
    clock = _clock(complaint)
    assert (clock.state, clock.due_at) == (ClockState.PAUSED, None)
    assert "tạm dừng" in clock.explanation and REASON in clock.explanation
    later = THU + timedelta(hours=10)
    with pytest.raises(ValidationFailed):
        force_majeure_end(
            event=event, actor=org.leadership, now=later, at=later + timedelta(hours=1)
        )
    with pytest.raises(PermissionRefused):  # ending is leadership's call, as approving is
        force_majeure_end(event=event, actor=org.head, now=later, at=THU)
    force_majeure_end(event=event, actor=org.leadership, now=later, at=THU)
    assert event.status == EventStatus.ENDED
    force_majeure_apply(event_id=event.pk, now=later)
    clock = _clock(complaint)
    assert (clock.state, clock.due_at) == (ClockState.RUNNING, DUE_AFTER_2_DAYS)
    assert _journal(complaint.pk, prefix="force_majeure") == [
        "force_majeure.applied",
        "force_majeure.ended",
    ]
    assert _journal(chain=f"fm:{event.pk}") == [
        "force_majeure.declared",
        "force_majeure.approved",
        "force_majeure.ended",
    ]
    problems, counts = journal_verify()
    assert problems == []
    assert counts["chains"] >= 2  # the complaint's chain and the event's own


def test_extend_then_cancel_gives_the_time_back(org):
    complaint = complaint_at(org.receiver)
    event = declare_and_approve(org)
    with pytest.raises(PermissionRefused):
        force_majeure_extend(event=event, actor=org.head, ends_at=THU + timedelta(days=1), now=TUE)
    force_majeure_extend(
        event=event, actor=org.leadership, ends_at=THU + timedelta(days=1), now=TUE
    )
    force_majeure_apply(event_id=event.pk, now=TUE)
    assert _clock(complaint).due_at == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # Thu too
    force_majeure_cancel(event=event, actor=org.leadership, now=TUE, note="Công bố nhầm")
    force_majeure_apply(event_id=event.pk, now=TUE)
    clock = _clock(complaint)
    assert clock.due_at == DUE
    assert REASON not in clock.explanation
    assert _journal(complaint.pk, prefix="force_majeure") == [
        "force_majeure.applied",
        "force_majeure.extended",
        "force_majeure.cancelled",
    ]


def test_scope_matching_pauses_only_complaints_in_scope(org):
    from complaintdesk.complaints.models import Category

    internet = Category.objects.create(code="internet", name="Internet")
    Category.objects.create(code="wifi", name="Wifi", parent=internet)
    binh_dinh = complaint_at(org.receiver, customer={"address": "Tuy Phước, tinh Binh Dinh"})
    ha_noi = complaint_at(org.receiver, customer={"address": "Đống Đa, Hà Nội"})
    wifi = complaint_at(org.receiver, category="wifi", customer={"address": "Huế"})
    zalo = complaint_at(org.receiver, channel="zalo", customer={"address": "Huế"})

    def paused(**scope):
        event = declare_and_approve(org, **scope)
        out = {
            c.code
            for c in (binh_dinh, ha_noi, wifi, zalo)
            if Clock.objects.filter(complaint=c, pauses__source=event.source).exists()
        }
        force_majeure_cancel(event=event, actor=org.leadership, now=TUE)
        force_majeure_apply(event_id=event.pk, now=TUE)
        return out

    assert paused(scope="region", scope_value="Bình Định") == {binh_dinh.code}
    assert paused(scope="service", scope_value="internet") == {wifi.code}
    assert paused(scope="category", scope_value="internet") == set()
    assert paused(scope="channel", scope_value="zalo") == {zalo.code}
    assert paused(scope="all") == {binh_dinh.code, ha_noi.code, wifi.code, zalo.code}


def test_complaint_received_during_the_event_starts_paused_and_is_told_once(org):
    give_emails(org)
    event = declare_and_approve(org, ends_at=None)
    during = complaint_at(org.receiver, at=TUE + timedelta(hours=9))
    clock = _clock(during)
    assert clock.state == ClockState.PAUSED
    assert f"bất khả kháng: {REASON}" in clock.explanation
    force_majeure_reconcile(now=TUE + timedelta(hours=12))
    force_majeure_reconcile(now=TUE + timedelta(hours=13))
    [notice] = Outbox.objects.filter(complaint=during, notice="force_majeure_delay")
    assert notice.dedupe_key == f"fm:{event.pk}:complaint:{during.pk}"
    assert f"Do sự kiện bất khả kháng ({REASON})" in notice.body
    assert "tạm dừng từ 00:00 03/03/2026" in notice.body


def test_customers_in_scope_are_told_once_per_event(org):
    complaints = [complaint_at(org.receiver) for _ in range(3)]
    event = declare_and_approve(org)
    force_majeure_apply(event_id=event.pk, now=TUE + timedelta(hours=1))
    force_majeure_reconcile(now=TUE + timedelta(hours=2))
    for complaint in complaints:
        assert Outbox.objects.filter(complaint=complaint, notice="force_majeure_delay").count() == 1
    quiet = declare_and_approve(
        org, notify_customers=False, starts_at=THU, ends_at=THU + timedelta(days=1)
    )
    assert not Outbox.objects.filter(dedupe_key__startswith=f"fm:{quiet.pk}:").exists()


def test_crash_during_apply_is_finished_by_reconcile(org, monkeypatch):
    from complaintdesk.force_majeure import apply

    complaints = [complaint_at(org.receiver) for _ in range(5)]
    event = declare(org)
    force_majeure_approve(event=event, actor=org.leadership, now=TUE)
    monkeypatch.setattr(apply, "BATCH", 2)
    real = apply._apply_batch
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "_apply_batch", crash_on_second)
    with pytest.raises(RuntimeError):
        force_majeure_apply(event_id=event.pk, now=TUE)
    event.refresh_from_db()
    assert event.applied_version < event.version
    assert sum(_clock(c).due_at == DUE_AFTER_2_DAYS for c in complaints) == 2
    monkeypatch.setattr(apply, "_apply_batch", real)
    assert force_majeure_reconcile(now=TUE) == 1
    for complaint in complaints:
        assert _clock(complaint).due_at == DUE_AFTER_2_DAYS
        assert _clock(complaint).pauses.count() == 1
        assert Outbox.objects.filter(complaint=complaint, notice="force_majeure_delay").count() == 1


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Hãy nhập lý do."),
        ({"evidence_url": ""}, "evidence_file", "Cần tệp bằng chứng hoặc liên kết tới bằng chứng."),
        (
            {"evidence_url": "javascript:alert(1)"},
            "evidence_url",
            "Liên kết phải bắt đầu bằng http:// hoặc https://.",
        ),
        (
            {"ends_at": TUE - timedelta(hours=1)},
            "ends_at",
            "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
        ),
        (
            {"scope": "category", "scope_value": "khong-co"},
            "scope_value",
            "Không có danh mục «khong-co».",
        ),
        (
            {"scope": "region", "scope_value": ""},
            "scope_value",
            "Hãy nhập khu vực, dịch vụ, kênh hoặc danh mục áp dụng.",
        ),
        (
            {
                "evidence_url": "",
                "evidence_name": "virus.png",
                "evidence_content": b"MZ\x90\x00" * 20,
            },
            "evidence_file",
            None,
        ),
    ],
)
def test_declaration_is_validated(org, kw, field, message):
    with pytest.raises(ValidationFailed) as failed:
        declare(org, **kw)
    assert field in failed.value.errors
    if message:
        assert failed.value.errors[field][0] == message


def test_evidence_file_is_stored_and_journaled(org):
    event = declare(org, evidence_url="", evidence_name="cong-van.png", evidence_content=PNG)
    assert event.evidence_name == "cong-van.png"
    assert event.evidence_file.read() == PNG
    entry = JournalEntry.objects.get(chain=f"fm:{event.pk}")
    assert entry.after["evidence_sha256"] == event.evidence_sha256
    assert entry.complaint_id is None
