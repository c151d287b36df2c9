from __future__ import annotations

import re
from typing import Any

from complaintdesk.complaints.tests.factories import ComplaintFactory, complaint_in_state
from complaintdesk.notifications.models import Outbox

EMAIL = "khach.hang@example.vn"


def filed(org: Any, state: str | None = None, **overrides: Any) -> Any:
    overrides.setdefault("customer", {"name": "Trần Thị Bình", "email": EMAIL})
    if state:
        return complaint_in_state(state, org, **overrides)
    return ComplaintFactory.create(actor=org.receiver, **overrides)


def last_otp(complaint: Any) -> str:
    row = Outbox.objects.filter(complaint=complaint, notice="portal_access_code").latest("id")
    found = re.search(r": (\d{6}) \(", row.body)
    assert found, row.body
    return found.group(1)


def sign_in(client: Any, complaint: Any, contact: str = EMAIL) -> Any:
    client.post("/tra-cuu/", {"code": complaint.code, "contact": contact})
    return client.post("/tra-cuu/xac-thuc/", {"otp": last_otp(complaint)})
