"""Procedure runtime: reacts to complaint events (start/stop clocks, queue notices).

The complaint services call ``procedure_resolve`` when a complaint is created and
``procedure_apply_event`` inside the same transaction as every change, so clocks move with the
complaint. (Filled in by the deadlines work: calendars, clocks and presets.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

PRESETS = ("vieon", "qcatv", "consumer-law")


def procedure_resolve(*, requested: str, channel: str, category_procedure: str) -> tuple[str, int]:
    """Which procedure (slug, version) a new complaint runs under.

    Order: the complaint's own ``procedure`` field, then its category's, then the organisation
    default. Raises ``LookupError`` for an unknown slug.
    """
    slug = requested or category_procedure or settings.DEFAULT_PROCEDURE
    if slug not in PRESETS:
        raise LookupError(slug)
    return slug, 1


def procedure_apply_event(*, complaint: Any, event: str, actor: Any, now: datetime, data: dict[str, Any] | None = None) -> None:
    """Called in the transaction of every complaint change. Events: received, <action name>."""
    return None
