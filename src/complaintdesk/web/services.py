"""Writes owned by the agent workspace: saved filters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction

from complaintdesk.accounts.models import User
from complaintdesk.core.errors import NotFound, ValidationFailed
from complaintdesk.core.text import clean_text
from complaintdesk.web.models import SavedFilter

MAX_FILTERS_PER_USER = 50


def _clean_query(query: str) -> str:
    """Keep only the list's filter parameters (never the page cursor)."""
    from complaintdesk.web.filters import FILTER_FIELDS

    pairs = [
        (k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k in FILTER_FIELDS
    ]
    return urlencode(pairs)[:1000]


def saved_filter_save(*, actor: User, name: str, query: str) -> SavedFilter:
    """Save (or overwrite, by name) one of the actor's list filters."""
    name = clean_text(name, max_length=80)
    if not name:
        raise ValidationFailed({"name": ("Cần đặt tên cho bộ lọc.", "Give the filter a name.")})
    with transaction.atomic():
        existing = SavedFilter.objects.filter(user=actor, name=name).first()
        if (
            existing is None
            and SavedFilter.objects.filter(user=actor).count() >= MAX_FILTERS_PER_USER
        ):
            raise ValidationFailed(
                {"name": ("Bạn đã lưu quá nhiều bộ lọc.", "You have saved too many filters.")}
            )
        saved, _ = SavedFilter.objects.update_or_create(
            user=actor, name=name, defaults={"query": _clean_query(query)}
        )
    return saved


def saved_filter_delete(*, actor: User, filter_id: int) -> None:
    deleted, _ = SavedFilter.objects.filter(user=actor, pk=filter_id).delete()
    if not deleted:
        raise NotFound()
