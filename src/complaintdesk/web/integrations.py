"""Optional hooks into apps built alongside this one (procedures, sla, force majeure).

Each import is lazy; when an app does not yet offer the function, the page shows less instead of
failing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils.translation import get_language

from complaintdesk.procedures.services import procedure_resolve

log = logging.getLogger(__name__)


def procedure_preview(
    *, channel: str, category_procedure: str, kind: str, received_at: datetime, vulnerable: bool
) -> dict[str, Any]:
    """The procedure a new complaint would run under and, when the procedures app can tell,
    the deadlines it would start: {"procedure", "title", "deadlines": [{name, due_at, explanation}]}."""
    try:
        slug, version = procedure_resolve(
            requested="", channel=channel, category_procedure=category_procedure
        )
    except LookupError:
        return {"procedure": "", "title": "", "deadlines": [], "error": True}
    out: dict[str, Any] = {"procedure": slug, "version": version, "title": slug, "deadlines": []}
    try:
        from complaintdesk.procedures import selectors as procedure_selectors  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return out
    preview = getattr(procedure_selectors, "deadline_preview", None)
    if preview is None:
        return out
    try:
        result = preview(
            procedure=slug,
            channel=channel,
            kind=kind,
            received_at=received_at,
            vulnerable=vulnerable,
            lang=get_language() or "vi",
        )
    except Exception:
        log.exception("deadline_preview failed")
        return out
    if isinstance(result, dict):
        out["title"] = result.get("title") or slug
        out["deadlines"] = list(result.get("deadlines") or [])
    else:
        out["deadlines"] = list(result or [])
    return out
