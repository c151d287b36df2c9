"""What the customer is told once their message became a complaint: the code and, when the
procedure started deadline clocks, the deadlines (``sla.selectors.clocks_for``)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from complaintdesk.complaints.models import Complaint

logger = logging.getLogger(__name__)


def deadlines(complaint: Complaint, lang: str = "vi") -> list[dict[str, str]]:
    """[{label, due}] of the complaint's running clocks; [] when the sla app tells nothing."""
    try:
        from complaintdesk.sla.selectors import clocks_for
    except ImportError:  # pragma: no cover - the sla app is part of the product
        return []
    try:
        clocks: list[dict[str, Any]] = clocks_for(complaint, lang)
    except Exception:  # a receipt must never fail because of a clock
        logger.exception("clocks_for failed for complaint %s", complaint.pk)
        return []
    out = []
    for clock in clocks:
        due = clock.get("due_display") or ""
        if clock.get("state") in ("running", "paused") and due:
            out.append({"label": str(clock.get("label") or clock.get("name") or ""), "due": due})
    return out


def receipt_text(complaint: Complaint, lang: str = "vi") -> str:
    """One paragraph for the chat: received, the code, the deadlines."""
    parts = [
        _("Chúng tôi đã tiếp nhận yêu cầu của bạn. Mã phiếu: %(code)s.") % {"code": complaint.code}
    ]
    for item in deadlines(complaint, lang):
        parts.append(_("%(label)s: trước %(due)s.") % item)
    return " ".join(parts)
