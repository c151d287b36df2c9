"""``GET /api/v1/complaints?q=…``: the complaint list, ranked by a search.

The list endpoint (``api.complaints.list_complaints``) hands over here when ``q`` is given: the
same filters and the caller's scope apply, results come best match first with the matched words
highlighted (HTML-escaped text with ``<mark>``) in each item's ``match``, and ``next_cursor``
pages through the ranking (at most ``search.selectors.WINDOW`` results).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from complaintdesk.accounts.models import User
from complaintdesk.api.errors import lang_of
from complaintdesk.api.serializers import list_item
from complaintdesk.complaints import selectors
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.search.selectors import search_page


def _local(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value


def search_list(request: HttpRequest, user: User, params: Any) -> dict[str, Any]:
    """The answer of ``GET /complaints`` with ``q``: {"items": [...], "next_cursor"}."""
    filters = selectors.ComplaintFilters(
        status=params.status,
        channel=params.channel,
        kind=params.kind,
        department=params.department,
        assignee=params.assignee,
        phone=params.phone,
        category=params.category,
        received_from=_local(params.received_from),
        received_to=_local(params.received_to),
    )
    within = selectors._filtered(user, filters)  # validates the filters, applies the scope
    page = search_page(
        query=params.q,
        within=within,
        cursor=params.cursor or None,
        limit=params.limit,
        salt=repr(filters),
    )
    lang = lang_of(request)
    items = []
    for hit in page.hits:
        item = list_item(hit.complaint, lang)
        item["match"] = {"score": round(hit.score, 6), **hit.highlights}
        items.append(item)
    return {"items": items, "next_cursor": page.next_cursor}
