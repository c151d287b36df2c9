"""Reading the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from complaintdesk.notifications.models import Outbox


def notices_for_complaint(complaint_id: int) -> QuerySet[Outbox]:
    return Outbox.objects.filter(complaint_id=complaint_id).order_by("created_at", "id")
