"""Complaints received at a chosen instant (clocks computed against that instant)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import complaint_create

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(
    2026, 3, 2, 9, 0, tzinfo=VN
)  # acknowledge clock (3 working days) due 24:00 Thu 05/03
_counter = {"n": 0}


def complaint_at(actor: Any, at: datetime = MONDAY, **overrides: Any) -> Complaint:
    _counter["n"] += 1
    n = _counter["n"]
    customer = {
        "name": f"Khách hàng {n}",
        "phone": f"0913{n:06d}",
        "email": f"khach{n}@example.vn",
        "address": "12 Lê Lợi, Quy Nhơn, Bình Định",
    }
    customer.update(overrides.pop("customer", {}))
    data = {
        "channel": "hotline",
        "customer": customer,
        "subject": "Không xem được phim",
        "received_at": at.isoformat(),
        "department": "ky-thuat",
        **overrides,
    }
    return complaint_create(actor=actor, data=ComplaintIn.model_validate(data), now=at).complaint


def give_emails(org: Any) -> None:
    for role in ("receiver", "staff", "head", "leadership", "admin"):
        user = org.user(role)
        user.email = f"{role}@complaintdesk.vn"
        user.save(update_fields=["email"])
