"""Complaints created and moved through complaints.services at chosen instants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import complaint_create, complaint_transition
from complaintdesk.journal.models import JournalEntry
from complaintdesk.sla.models import Clock
from complaintdesk.sla.selectors import clocks_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")

INPUTS: dict[str, dict[str, Any]] = {
    "answer_now": {"explanation": "Đã hướng dẫn khách đăng nhập lại."},
    "answer_later": {"reason": "Cần kiểm tra với phòng Kỹ thuật."},
    "record_verification": {"scope": "Một tài khoản", "cause_analysis": "Lỗi đồng bộ gói"},
    "coordinate": {"department": "ky-thuat", "instructions": "Kiểm tra đường truyền"},
    "resolve": {"resolution": "Đã khôi phục gói cước."},
    "notify_result": {"message": "Gói cước của quý khách đã được khôi phục."},
    "mark_unsatisfied": {"comment": "Vẫn chưa xem được."},
    "escalate": {"level": "leadership", "reason": "Quá 48 giờ khách chưa hài lòng"},
    "rehandle": {"instructions": "Xử lý lại"},
    "withdraw": {"reason": "Khách tự xử lý được"},
    "reopen": {"reason": "Khách báo lỗi lại"},
}

_counter = 0


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def intake(
    actor: Any, *, received: datetime, now: datetime | None = None, **fields: Any
) -> Complaint:
    """A complaint received at ``received`` and entered at ``now`` (default: the same instant)."""
    global _counter
    _counter += 1
    data: dict[str, Any] = {
        "channel": "hotline",
        "customer": {"name": "Nguyễn Thị Hoa", "phone": f"0913{_counter:06d}"},
        "subject": "Không xem được kênh VTV1",
        "received_at": received.isoformat(),
    }
    data.update(fields)
    result = complaint_create(
        actor=actor, data=ComplaintIn.model_validate(data), now=now or received
    )
    return result.complaint


def act(complaint: Complaint, action: str, actor: Any, now: datetime, **inputs: Any) -> Complaint:
    merged = {**INPUTS.get(action, {}), **inputs}
    return complaint_transition(
        complaint=complaint, action=action, actor=actor, inputs=merged, now=now
    )


def clock(complaint: Complaint, name: str, lang: str = "vi") -> dict[str, Any]:
    found = {c["name"]: c for c in clocks_for(complaint, lang)}
    return found[name]


def names(complaint: Complaint) -> list[str]:
    return [c["name"] for c in clocks_for(complaint)]


def row(complaint: Complaint, name: str) -> Clock:
    return Clock.objects.filter(complaint=complaint, name=name).order_by("-run").first()  # type: ignore[return-value]


def next_due(complaint: Complaint) -> datetime | None:
    return Complaint.objects.values_list("next_due_at", flat=True).get(pk=complaint.pk)


def journal_actions(complaint: Complaint) -> list[str]:
    return list(
        JournalEntry.objects.filter(complaint_id=complaint.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def local(value: datetime | None) -> str:
    return value.astimezone(VN).strftime("%H:%M %d/%m/%Y") if value else "—"
