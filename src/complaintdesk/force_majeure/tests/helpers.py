from __future__ import annotations

from datetime import datetime
from typing import Any

from complaintdesk.force_majeure.apply import force_majeure_apply
from complaintdesk.force_majeure.models import ForceMajeureEvent
from complaintdesk.force_majeure.services import force_majeure_approve, force_majeure_declare
from complaintdesk.notifications.tests.factories import VN

REASON = "Bão số 3 gây mất điện diện rộng"
TUE = datetime(2026, 3, 3, 0, 0, tzinfo=VN)
THU = datetime(2026, 3, 5, 0, 0, tzinfo=VN)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def declare(org: Any, *, now: datetime = TUE, **kw: Any) -> ForceMajeureEvent:
    args: dict[str, Any] = {
        "reason": REASON,
        "starts_at": TUE,
        "ends_at": THU,
        "evidence_url": "https://nchmf.gov.vn/tin-bao-so-3",
    }
    args.update(kw)
    return force_majeure_declare(actor=org.head, now=now, **args)


def declare_and_approve(org: Any, *, now: datetime = TUE, **kw: Any) -> ForceMajeureEvent:
    event = declare(org, now=now, **kw)
    force_majeure_approve(event=event, actor=org.leadership, now=now)
    force_majeure_apply(event_id=event.pk, now=now)
    event.refresh_from_db()
    return event
