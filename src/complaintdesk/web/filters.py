"""The complaint list's filters: a GET form, turned into indexed queries with keyset paging."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Department, Role, User
from complaintdesk.complaints.domain.identity import try_normalize_phone
from complaintdesk.complaints.models import (
    STATUS_CHOICES,
    Category,
    Channel,
    Complaint,
    CustomerIdentity,
    IdentityKind,
    Kind,
)
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.web.formatting import DUE_SOON, state_label
from complaintdesk.web.forms import Form

FILTER_FIELDS = (
    "q",
    "status",
    "channel",
    "kind",
    "category",
    "department",
    "assignee",
    "clock",
    "date_from",
    "date_to",
    "order",
)
PAGE_SIZE = 25
CODE_RE = re.compile(r"^[A-Za-z]{1,10}-\d{4}-\d{1,10}$")
PHONE_RE = re.compile(r"^[\d\s+().\-]{8,25}$")

CLOCK_CHOICES = [
    ("", _("Tất cả")),
    ("running", _("Còn hạn")),
    ("due_soon", _("Sắp đến hạn")),
    ("breached", _("Quá hạn")),
]
ORDER_CHOICES = [("new", _("Mới nhất trước")), ("due", _("Hạn gần nhất trước"))]


_STATIC: dict[str, tuple[tuple[str, str], dict[str, list[tuple[str, str]]]]] = {}


def _static_choices() -> tuple[tuple[str, str], dict[str, list[tuple[str, str]]]]:
    """Status, channel, kind and clock choices, translated once per language."""
    language = get_language() or "vi"
    if language not in _STATIC:
        blank = ("", str(_("Tất cả")))
        _STATIC[language] = (
            blank,
            {
                "status": [
                    blank,
                    ("open", str(_("Đang mở"))),
                    *((v, state_label(v)) for v, _l in STATUS_CHOICES),
                ],
                "channel": [blank, *((v, str(label)) for v, label in Channel.choices)],
                "kind": [blank, *((v, str(label)) for v, label in Kind.choices)],
                "clock": [(v, str(label)) for v, label in CLOCK_CHOICES],
                "order": [(v, str(label)) for v, label in ORDER_CHOICES],
            },
        )
    return _STATIC[language]


class ComplaintFilterForm(Form):
    q = forms.CharField(
        label=_("Tìm theo mã, số điện thoại hoặc tên"), required=False, max_length=100
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    channel = forms.ChoiceField(label=_("Kênh"), required=False)
    kind = forms.ChoiceField(label=_("Loại"), required=False)
    category = forms.ChoiceField(label=_("Danh mục"), required=False)
    department = forms.ChoiceField(label=_("Phòng ban"), required=False)
    assignee = forms.ChoiceField(label=_("Người phụ trách"), required=False)
    clock = forms.ChoiceField(label=_("Thời hạn"), required=False, choices=CLOCK_CHOICES)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    order = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        categories = Category.objects.filter(active=True).select_related("parent")
        users = (
            User.objects.filter(is_active=True)
            .exclude(role=Role.STAFF)
            .only("pk", "username", "first_name", "last_name")
            .order_by("username")[:500]
        )
        blank, static = _static_choices()
        fields = self.fields
        choices = {
            **static,
            "category": [blank, *((c.code, str(c)) for c in categories)],
            "department": [
                blank,
                *((d.code, d.name) for d in Department.objects.filter(active=True)),
            ],
            "assignee": [blank, *((str(u.pk), u.display_name) for u in users)],
        }
        for name, values in choices.items():
            fields[name].choices = values  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


@dataclass
class Page:
    rows: list[Complaint]
    next_cursor: str
    search_note: str = ""


def _local_midnight(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _search(qs: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    text = text.strip()
    if CODE_RE.match(text):
        return qs.filter(code=text.upper())
    if PHONE_RE.match(text):
        phone = try_normalize_phone(text)
        if phone:
            customers = CustomerIdentity.objects.filter(kind=IdentityKind.PHONE, value=phone)
            return qs.filter(customer_id__in=customers.values("customer_id"))
    from complaintdesk.search.selectors import search_ids  # accent-insensitive, any field

    return qs.filter(pk__in=search_ids(text, within=qs))


def apply_filters(
    qs: QuerySet[Complaint], data: dict[str, Any], now: datetime
) -> QuerySet[Complaint]:
    if data.get("q"):
        qs = _search(qs, data["q"])
    status = data.get("status")
    if status and status != "open":  # "open" is paged per status (see paginate)
        qs = qs.filter(status=status)
    for field in ("channel", "kind"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    if data.get("category"):
        qs = qs.filter(category__code=data["category"])
    if data.get("department"):
        qs = qs.filter(department__code=data["department"])
    if data.get("assignee"):
        qs = qs.filter(assignee_id=int(data["assignee"]))
    clock = data.get("clock")
    if clock == "breached":
        qs = qs.filter(next_due_at__lt=now)
    elif clock == "due_soon":
        qs = qs.filter(next_due_at__gte=now, next_due_at__lt=now + DUE_SOON)
    elif clock == "running":
        qs = qs.filter(next_due_at__gte=now + DUE_SOON)
    if data.get("date_from"):
        qs = qs.filter(received_at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(received_at__lt=_local_midnight(data["date_to"]) + timedelta(days=1))
    return qs


def _encode(value: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{value.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        value = datetime.fromisoformat(stamp)
        if value.tzinfo is None:
            return None
        return value, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def effective_order(data: dict[str, Any]) -> str:
    """A deadline filter lists by deadline (it walks the deadline index); otherwise as asked."""
    return "due" if data.get("clock") else (data.get("order") or "new")


def paginate(
    qs: QuerySet[Complaint],
    *,
    order: str,
    cursor: str,
    size: int = PAGE_SIZE,
    statuses: list[str] | None = None,
) -> Page:
    """Keyset paging: no OFFSET, no COUNT; one extra row tells whether a next page exists.

    With ``statuses`` (the "open" filter), the newest-first order is read per status from the
    (status, received_at, id) index and merged, instead of sorting every open complaint.
    """
    position = _decode(cursor) if cursor else None
    if statuses and order != "due":
        return _merged(qs, statuses=statuses, position=position, size=size)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if order == "due":
        qs = qs.filter(next_due_at__isnull=False)
        if position:
            at, pk = position
            qs = qs.filter(Q(next_due_at__gt=at) | Q(next_due_at=at, pk__gt=pk))
        qs = qs.order_by("next_due_at", "pk")
    else:
        if position:
            at, pk = position
            qs = qs.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
        qs = qs.order_by("-received_at", "-pk")
    return _page(list(qs[: size + 1]), size=size, order=order)


def _page(rows: list[Complaint], *, size: int, order: str) -> Page:
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = last.next_due_at if order == "due" else last.received_at
        if key is not None:
            next_cursor = _encode(key, last.pk)
    return Page(rows=rows, next_cursor=next_cursor)


def _merged(
    qs: QuerySet[Complaint],
    *,
    statuses: list[str],
    position: tuple[datetime, int] | None,
    size: int,
) -> Page:
    if position:
        at, pk = position
        qs = qs.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
    keys: list[tuple[datetime, int]] = []
    for status in statuses:
        keys += list(
            qs.filter(status=status)
            .order_by("-received_at", "-pk")
            .values_list("received_at", "pk")[: size + 1]
        )
    keys.sort(reverse=True)
    wanted = [pk for _at, pk in keys[: size + 1]]
    rows = list(qs.filter(pk__in=wanted).order_by("-received_at", "-pk"))
    return _page(rows, size=size, order="new")
