"""Reading force majeure events."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from complaintdesk.force_majeure.models import EventStatus, ForceMajeureEvent


def events_in_force(now: datetime) -> QuerySet[ForceMajeureEvent]:
    """Approved events whose window contains ``now``."""
    return ForceMajeureEvent.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        status=EventStatus.APPROVED,
        starts_at__lte=now,
    ).order_by("starts_at", "pk")


def events_awaiting_approval() -> QuerySet[ForceMajeureEvent]:
    return ForceMajeureEvent.objects.filter(status=EventStatus.PENDING).order_by(
        "declared_at", "pk"
    )
