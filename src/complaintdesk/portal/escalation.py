"""When a customer is still unsatisfied at the end of the procedure's escalation clock, the
complaint goes to department heads (level "heads") as the system, if the procedure says so.

Registered with the deadline sweep; runs inside its batch transaction, in a savepoint, so a
refusal (the complaint moved on meanwhile) leaves the sweep's marks intact.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from complaintdesk.complaints.domain.lifecycle import Action, State, TransitionRefused
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition
from complaintdesk.core.errors import ServiceError
from complaintdesk.sla.jobs import DeadlineEvent

logger = logging.getLogger(__name__)
HEADS_TARGETS = frozenset({"department_head", "department_heads", "leadership"})


def on_unsatisfied_deadline(events: Sequence[DeadlineEvent], now: datetime) -> None:
    for event in events:
        if event.kind != "escalated" or not HEADS_TARGETS.intersection(event.to):
            continue
        if "mark_unsatisfied" not in (event.clock.spec or {}).get("start", []):
            continue
        complaint = Complaint.objects.filter(
            pk=event.clock.complaint_id, status=State.UNSATISFIED
        ).first()
        if complaint is None:
            continue
        try:
            with transaction.atomic():
                complaint_transition(
                    complaint=complaint,
                    action=Action.ESCALATE,
                    actor=None,
                    role="system",
                    inputs={
                        "level": "heads",
                        "reason": "Khách hàng chưa hài lòng quá thời hạn theo quy trình "
                        f"({event.clock.label}).",
                    },
                    now=now,
                )
        except (TransitionRefused, ServiceError):
            logger.info("complaint %s not escalated: it moved on", complaint.pk)
