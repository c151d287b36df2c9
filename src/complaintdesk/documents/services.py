"""Issuing a reply letter: number from the register, journal, procedure event, notice.

All in one transaction: the counter row is locked (``select_for_update`` on PostgreSQL; on
SQLite the IMMEDIATE transaction holds the write lock), so two issuers get consecutive
numbers, and a number is consumed only if the letter, its register row and its journal entry
commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.urls import NoReverseMatch, reverse

from complaintdesk.complaints.hooks import emit_notices
from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import local, utcnow
from complaintdesk.core.errors import Conflict, ValidationFailed
from complaintdesk.documents.links import tracking_token
from complaintdesk.documents.models import LetterCounter, LetterTemplate, ReplyLetter
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.notices import customer_address
from complaintdesk.notifications.services import outbox_enqueue
from complaintdesk.procedures.services import procedure_apply_event

_engine = Engine(autoescape=False)
EVENT = "reply_letter.sent"


def vn_date(place: str, when: datetime) -> str:
    """'Quy Nhơn, ngày 05 tháng 3 năm 2026' (Decree 30/2020: days under 10 and months 1–2
    take a leading zero)."""
    d = local(when)
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def _template() -> LetterTemplate:
    found = LetterTemplate.objects.filter(active=True).order_by("id").first()
    return found or LetterTemplate()  # the built-in wording, unsaved


def _render(text: str, ctx: dict[str, Any]) -> str:
    return _engine.from_string(text).render(Context(ctx)).strip()


def _next_number(year: int) -> int:
    try:
        with transaction.atomic():
            LetterCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # created by a concurrent issuer
    counter = LetterCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def tracking_url(complaint: Complaint) -> str:
    try:
        path = reverse("portal:link", args=[tracking_token(complaint.code)])
    except NoReverseMatch:
        return ""
    return getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + path


def letter_refusal(complaint: Complaint) -> ValidationFailed | None:
    """Why no reply letter may be issued for the complaint now (None: it may): there is no
    recorded result to answer with, or the customer withdrew the complaint."""
    if complaint.status == "withdrawn":
        return ValidationFailed(
            {
                "status": (
                    "Khách hàng đã rút khiếu nại: không ban hành công văn trả lời.",
                    "The customer withdrew the complaint: no reply letter is issued.",
                )
            }
        )
    if not (complaint.resolution or "").strip():
        return ValidationFailed(
            {
                "resolution": (
                    "Phiếu chưa có kết quả giải quyết: ghi kết quả (trả lời ngay hoặc giải "
                    "quyết xong) trước khi ban hành công văn trả lời.",
                    "The complaint has no result yet: record it (answer now or resolve) "
                    "before issuing the reply letter.",
                )
            }
        )
    return None


def letter_issue(
    *,
    complaint: Complaint,
    actor: Any,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ReplyLetter:
    """The complaint's reply letter, issued now if it has none yet (idempotent).

    Issuing is an official act — a register number, a notice to the customer, the written-reply
    clock met — and the letter's wording is frozen from the complaint's recorded result. So it is
    refused while there is no result to answer with, for a withdrawn complaint, and when the
    complaint changed since the issuer saw it (``expected_version``)."""
    now = now or utcnow()
    with transaction.atomic():
        fresh = (
            Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)
        )
        existing = ReplyLetter.objects.filter(complaint=fresh).first()
        if existing is not None:
            return existing
        if expected_version is not None and fresh.version != expected_version:
            raise Conflict()
        refusal = letter_refusal(fresh)
        if refusal is not None:
            raise refusal
        template = _template()
        year = local(now).year
        number = _next_number(year)
        received = local(fresh.received_at).strftime("%d/%m/%Y")
        ctx = {
            "code": fresh.code,
            "customer_name": fresh.customer.name,
            "subject": fresh.subject,
            "resolution": fresh.resolution or "",
            "received_date": received,
            "org_name": settings.ORGANISATION_NAME,
            "agent": getattr(actor, "display_name", "") or "",
        }
        recipients = [r.strip() for r in template.recipients.splitlines() if r.strip()]
        letter = ReplyLetter.objects.create(
            complaint=fresh,
            year=year,
            number=number,
            reference=f"{number}/{template.issuer_abbr}-{template.unit_abbr}",
            issued_at=now,
            issued_by=actor,
            organisation=settings.ORGANISATION_NAME,
            place=template.place,
            summary=_render(template.summary, ctx),
            addressee=fresh.customer.name,
            body=_render(template.body, ctx),
            signer_title=template.signer_title,
            signer_name=template.signer_name,
            recipients=[*recipients, f"Lưu: {template.archive}"],
        )
        journal_append(
            complaint_id=fresh.pk,
            actor=actor,
            action=EVENT,
            target=f"letter:{letter.pk}",
            after={"reference": letter.reference, "year": year, "number": number},
            public=True,
            at=now,
        )
        notices = procedure_apply_event(complaint=fresh, event=EVENT, actor=actor, now=now)
        emit_notices(
            complaint=fresh,
            event=EVENT,
            notices=notices,
            actor=actor,
            now=now,
            occurrence=f"letter:{letter.pk}",
        )
        address = customer_address(fresh)
        if address is not None:
            link = tracking_url(fresh)
            outbox_enqueue(
                channel=address[0],
                recipient=address[1],
                notice="reply_letter",
                dedupe_key=f"reply-letter:{letter.pk}",
                complaint_id=fresh.pk,
                now=now,
                subject=f"[{fresh.code}] Công văn trả lời khiếu nại số {letter.reference}",
                body=(
                    f"Kính gửi {fresh.customer.name},\n\n{settings.ORGANISATION_NAME} đã ban hành "
                    f"công văn số {letter.reference} trả lời khiếu nại {fresh.code}."
                    + (f"\nQuý khách xem và tải công văn tại: {link}" if link else "")
                    + "\n\nTrân trọng."
                ),
            )
    return letter
