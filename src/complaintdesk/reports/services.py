"""Writes of the reports app: export records, journal verifications, monthly deliveries.

* Every export is journaled (Decree 13/2023: exports of personal data are recorded) on the
  system chain ``sys:exports``, in a transaction of its own, before the file is handed out.
* A journal verification stores its result, so the journal page shows the latest one without
  re-reading the whole journal.
* Monthly deliveries are one row per (month, address): planned idempotently, then each row is
  claimed with one conditional UPDATE before it is sent, so a job run twice, or by two workers,
  sends each month to each address once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation

from complaintdesk.accounts.models import Role, User
from complaintdesk.core.clock import utcnow
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.journal.services import journal_append
from complaintdesk.reports.domain.figures import Period, month_end
from complaintdesk.reports.filters import ReportFilters
from complaintdesk.reports.models import DeliveryStatus, JournalVerification, ReportDelivery

logger = logging.getLogger(__name__)

EXPORT_CHAIN = "sys:exports"
STALE_CLAIM = timedelta(minutes=30)  # a "sending" row older than this is retried
MAX_ATTEMPTS = 5


def export_record(
    *,
    actor: User | None,
    what: str,
    fmt: str,
    query: dict[str, Any],
    rows: int | None = None,
    now: datetime | None = None,
) -> None:
    """Journal one export (who exported what, with which filters, how many rows)."""
    with transaction.atomic():
        journal_append(
            complaint_id=None,
            chain=EXPORT_CHAIN,
            actor=actor,
            action=f"export.{what}"[:60],
            after={"format": fmt, "filters": query, "rows": rows},
            at=now or utcnow(),
        )


def journal_verification_run(
    *, actor: User | None = None, now: datetime | None = None, all_checkpoints: bool = False
) -> JournalVerification:
    """Verify the whole journal now and store the result (slow on a large journal)."""
    started = now or utcnow()
    problems, counts = journal_verify(all_checkpoints=all_checkpoints)
    return JournalVerification.objects.create(
        started_at=started,
        finished_at=utcnow(),
        ok=not problems,
        chains=counts.get("chains", 0),
        entries=counts.get("entries", 0),
        checkpoints=counts.get("checkpoints", 0),
        problems=[
            {
                "chain": p.chain,
                "entry_id": p.entry_id,
                "seq": p.seq,
                "kind": p.kind,
                "detail": p.detail,
            }
            for p in problems[:50]
        ],
        requested_by=actor,
    )


# --- the monthly report to leadership -------------------------------------------------------


def leadership_recipients() -> list[User]:
    return list(
        User.objects.filter(role=Role.LEADERSHIP, is_active=True).exclude(email="").order_by("pk")
    )


def monthly_deliveries_plan(*, period: Period, now: datetime | None = None) -> int:
    """One pending delivery per leadership address for this month (existing rows kept)."""
    now = now or utcnow()
    rows: dict[str, ReportDelivery] = {}
    for user in leadership_recipients():
        address = user.email.strip().lower()
        rows.setdefault(
            address,
            ReportDelivery(
                period_start=period.start,
                recipient=address,
                user=user,
                created_at=now,
            ),
        )
    before = ReportDelivery.objects.filter(period_start=period.start).count()
    ReportDelivery.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    return ReportDelivery.objects.filter(period_start=period.start).count() - before


def _claim(delivery_id: int, now: datetime) -> bool:
    retryable = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED)) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        ReportDelivery.objects.filter(retryable, pk=delivery_id, attempts__lt=MAX_ATTEMPTS).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    )


def monthly_report_files(period: Period, lang: str) -> list[tuple[str, bytes, str]]:
    """(file name, content, MIME type) of the monthly report: PDF and XLSX."""
    from complaintdesk.reports.document import report_document
    from complaintdesk.reports.exports.pdf import document_pdf
    from complaintdesk.reports.exports.xlsx import document_xlsx
    from complaintdesk.reports.selectors import report_summary

    filters = ReportFilters(date_from=period.start, date_to=period.end)
    doc = report_document(report_summary(filters=filters, lang=lang), lang=lang)
    stem = f"bao-cao-khieu-nai-{period.start:%Y-%m}"
    return [
        (f"{stem}.pdf", document_pdf(doc), "application/pdf"),
        (
            f"{stem}.xlsx",
            document_xlsx(doc),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]


def monthly_delivery_send(
    *, delivery: ReportDelivery, now: datetime | None = None, cache: dict[str, Any] | None = None
) -> bool:
    """Send one planned delivery if it can be claimed; True when it was sent now."""
    now = now or utcnow()
    if not _claim(delivery.pk, now):
        return False
    period = Period(delivery.period_start, month_end(delivery.period_start))
    lang = (
        delivery.user.language if delivery.user and delivery.user.language in ("vi", "en") else "vi"
    )
    cache = cache if cache is not None else {}
    try:
        files = cache.get(lang) or monthly_report_files(period, lang)
        cache[lang] = files
        with translation.override(lang):
            subject, body = _letter(period)
        email = EmailMessage(
            subject=subject,
            body=body,
            to=[delivery.recipient],
            from_email=settings.DEFAULT_FROM_EMAIL,
        )
        for name, content, mime in files:
            email.attach(name, content, mime)
        email.send(fail_silently=False)
    except Exception as exc:  # any failure is recorded and retried later
        logger.warning("monthly report to %s failed: %s", delivery.recipient, exc)
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error=str(exc)[:2000]
        )
        return False
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=""
    )
    return True


def _letter(period: Period) -> tuple[str, str]:
    from django.utils.translation import gettext as _

    month = f"{period.start:%m/%Y}"
    subject = _("Báo cáo khiếu nại tháng %(month)s") % {"month": month}
    body = _(
        "Kính gửi Ban Giám đốc,\n\nĐính kèm báo cáo tiếp nhận và giải quyết khiếu nại tháng "
        "%(month)s (PDF và Excel) của %(org)s.\n\nThư này được gửi tự động."
    ) % {"month": month, "org": settings.ORGANISATION_NAME}
    return subject, body


def monthly_report_deliver(*, period: Period, now: datetime | None = None) -> dict[str, int]:
    """Plan and send the month's report to every leadership address not yet served."""
    now = now or utcnow()
    planned = monthly_deliveries_plan(period=period, now=now)
    sent = 0
    cache: dict[str, Any] = {}
    pending = (
        ReportDelivery.objects.filter(period_start=period.start)
        .exclude(status=DeliveryStatus.SENT)
        .select_related("user")
    )
    for delivery in pending:
        sent += monthly_delivery_send(delivery=delivery, now=now, cache=cache)
    return {"planned": planned, "sent": sent}
