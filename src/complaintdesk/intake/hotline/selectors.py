"""Reads of the hotline: the agent's live calls with the caller's card, and callbacks owed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability, scope_complaints
from complaintdesk.complaints.models import (
    OPEN_STATUS_VALUES,
    Complaint,
    Customer,
    CustomerIdentity,
    IdentityKind,
)
from complaintdesk.core.clock import local, utcnow
from complaintdesk.intake.hotline.models import LIVE_STATES, Call, CallbackStatus, CallbackTask

# A call whose "ended" event never came stops showing after this long.
LIVE_FOR = timedelta(hours=3)
MAX_CALLS = 3
MAX_COMPLAINTS = 5


@dataclass
class ActiveCall:
    call: Call
    customer: Customer | None
    identities: dict[str, list[str]] = field(default_factory=dict)
    open_complaints: list[Complaint] = field(default_factory=list)
    missed_today: int = 0

    def as_json(self) -> dict[str, Any]:
        customer = None
        if self.customer is not None:
            customer = {
                "id": self.customer.pk,
                "name": self.customer.name,
                "vulnerable": self.customer.vulnerable,
                "identities": self.identities,
            }
        return {
            "call_id": self.call.call_id,
            "caller": self.call.caller,
            "state": self.call.state,
            "started_at": self.call.started_at.isoformat(),
            "recording_url": self.call.recording_url,
            "complaint": self.call.complaint.code if self.call.complaint else None,
            "customer": customer,
            "missed_today": self.missed_today,
            "open_complaints": [
                {
                    "id": c.pk,
                    "code": c.code,
                    "subject": c.subject,
                    "status": c.status,
                    "received_at": c.received_at.isoformat(),
                }
                for c in self.open_complaints
            ],
        }


def live_calls(user: User, now: datetime) -> QuerySet[Call]:
    return (
        Call.objects.filter(agent=user, state__in=LIVE_STATES, started_at__gte=now - LIVE_FOR)
        .select_related("complaint")
        .order_by("-started_at", "-id")
    )


def active_calls_for(user: User, *, now: datetime | None = None) -> list[ActiveCall]:
    """The calls ringing or answered at ``user``'s extension, newest first, each with the
    caller's customer card (when their number is known) and open complaints the user may see."""
    now = now or utcnow()
    if not has_capability(user, "complaint.view"):
        return []
    out: list[ActiveCall] = []
    for call in live_calls(user, now)[:MAX_CALLS]:
        identity = (
            CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=call.caller)
            .select_related("customer")
            .first()
        )
        item = ActiveCall(call=call, customer=identity.customer if identity else None)
        if item.customer is not None:
            for kind, value in item.customer.identities.order_by("id").values_list("kind", "value"):
                item.identities.setdefault(kind, []).append(value)
            complaints = Complaint.objects.filter(
                customer=item.customer, status__in=OPEN_STATUS_VALUES
            ).order_by("-received_at", "-id")
            item.open_complaints = list(scope_complaints(user, complaints)[:MAX_COMPLAINTS])
        task = CallbackTask.objects.filter(phone=call.caller, day=local(now).date()).first()
        item.missed_today = task.missed_count if task else 0
        out.append(item)
    return out


def callbacks_open(day: date | None = None, *, limit: int = 100) -> list[CallbackTask]:
    """Callbacks owed (one per number and day), most recent missed call first."""
    qs = CallbackTask.objects.filter(status=CallbackStatus.OPEN)
    if day is not None:
        qs = qs.filter(day=day)
    return list(qs.order_by("-day", "-last_missed_at")[:limit])
