"""Who may open a complaint's tracking page: one-time codes, signed links, rate limits.

Nothing here tells a visitor whether a complaint code exists: asking for a one-time code
answers the same either way, and a wrong one-time code reads the same as a code for a
complaint that does not exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from complaintdesk.complaints.domain.identity import normalize_email, try_normalize_phone
from complaintdesk.complaints.models import Complaint, IdentityKind
from complaintdesk.core.clock import local, utcnow
from complaintdesk.core.errors import ServiceError
from complaintdesk.documents.links import tracking_code, tracking_token
from complaintdesk.journal.services import journal_append
from complaintdesk.notifications.deliverers import channels_available
from complaintdesk.notifications.services import outbox_enqueue
from complaintdesk.portal.models import AccessCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
LINK_MAX_AGE = timedelta(days=14)
CUSTOMER = "customer"
# (scope, limit, window seconds)
LIMITS = {
    "request_ip": (10, 3600),
    "request_complaint": (3, 900),
    "verify_ip": (20, 900),
}


class RateLimited(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            code="rate_limited",
            message_vi="Quý khách đã thử quá nhiều lần. Vui lòng thử lại sau ít phút.",
            message_en="Too many attempts. Please try again in a few minutes.",
            status=429,
        )


class AccessRefused(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            code="access_refused",
            message_vi="Mã xác thực không đúng hoặc đã hết hạn. Vui lòng yêu cầu mã mới.",
            message_en="The code is wrong or has expired. Please ask for a new one.",
            status=403,
        )


def rate_check(scope: str, key: str) -> None:
    """Count one hit of ``scope`` for ``key``; RateLimited beyond the limit of the window."""
    limit, window = LIMITS[scope]
    cache_key = f"portal:rl:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        hits = 1
    if hits > limit:
        raise RateLimited()


def _hash(access_id: int, otp: str) -> str:
    return salted_hmac(
        "complaintdesk.portal.otp", f"{access_id}:{otp}", algorithm="sha256"
    ).hexdigest()


def _contact(raw: str) -> tuple[str, str] | None:
    raw = (raw or "").strip()
    if "@" in raw:
        try:
            return IdentityKind.EMAIL, normalize_email(raw)
        except Exception:
            return None
    phone = try_normalize_phone(raw)
    return (IdentityKind.PHONE, phone) if phone else None


def _matching_complaint(code: str, contact: str) -> tuple[Complaint, str, str] | None:
    """(complaint, identity kind, value) when ``contact`` is one the complaint was filed with."""
    parsed = _contact(contact)
    code = (code or "").strip().upper()[:40]
    if parsed is None or not code:
        return None
    complaint = Complaint.objects.filter(code=code).select_related("customer").first()
    if complaint is None:
        return None
    kind, value = parsed
    if not complaint.customer.identities.filter(kind=kind, value=value).exists():
        return None
    return complaint, kind, value


def code_address(complaint: Complaint, kind: str, value: str) -> tuple[str, str] | None:
    """(channel, recipient) of the one-time code: the contact the customer entered — an email
    by email, a phone by SMS (eSMS through the outbox) when an SMS deliverer is configured.
    Without one, a phone falls back to the email the same customer filed with; ``None`` when
    nothing can carry the code."""
    available = channels_available()
    if kind == IdentityKind.EMAIL:
        return ("email", value) if "email" in available else None
    if "sms" in available:
        return "sms", value
    email = (
        complaint.customer.identities.filter(kind=IdentityKind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )
    return ("email", email) if email and "email" in available else None


@dataclass(frozen=True)
class Pending:
    """What the session remembers between asking for a code and entering it."""

    code: str


def access_request(
    *, code: str, contact: str, ip: str, language: str = "vi", now: datetime | None = None
) -> Pending:
    """Send a one-time code to the contact the complaint was filed with, if they match.

    The same answer whether or not they match (only rate limits are visible).
    """
    now = now or utcnow()
    rate_check("request_ip", ip)
    pending = Pending(code=(code or "").strip().upper()[:40])
    # Counted per entered code, matching or not, so a 429 reveals nothing either.
    rate_check("request_complaint", pending.code)
    found = _matching_complaint(code, contact)
    if found is None:
        return pending
    complaint, kind, value = found
    address = code_address(complaint, kind, value)
    if address is None:
        with transaction.atomic():
            journal_append(
                complaint_id=complaint.pk,
                actor=None,
                actor_label=CUSTOMER,
                action="notice.unreachable",
                after={"notice": "portal_access_code", "contact": kind},
                at=now,
            )
        return pending
    channel, recipient = address
    otp = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        access = AccessCode.objects.create(
            complaint=complaint,
            code_hash="-",
            channel=channel,
            recipient=recipient,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        access.code_hash = _hash(access.pk, otp)
        access.save(update_fields=["code_hash"])
        en = language.startswith("en")
        subject = (
            f"[{complaint.code}] Your access code"
            if en
            else f"[{complaint.code}] Mã xác thực tra cứu"
        )
        until = local(access.expires_at).strftime("%H:%M %d/%m/%Y")
        body = (
            f"Your code to follow complaint {complaint.code}: {otp} (valid until {until})."
            if en
            else f"Mã xác thực để tra cứu phiếu {complaint.code}: {otp} (hiệu lực đến {until})."
        )
        outbox_enqueue(
            channel=channel,
            recipient=recipient,
            notice="portal_access_code",
            dedupe_key=f"portal-otp:{access.pk}",
            language="en" if en else "vi",
            complaint_id=complaint.pk,
            now=now,
            subject=subject,
            body=body,
        )
        journal_append(
            complaint_id=complaint.pk,
            actor=None,
            actor_label=CUSTOMER,
            action="portal.code_requested",
            after={"channel": channel},
            at=now,
        )
    return pending


def access_verify(*, code: str, otp: str, ip: str, now: datetime | None = None) -> Complaint:
    """The complaint whose latest live one-time code is ``otp``; AccessRefused otherwise.

    Five wrong codes lock it; the customer then asks for a new one.
    """
    now = now or utcnow()
    rate_check("verify_ip", ip)
    otp = (otp or "").strip()
    code = (code or "").strip().upper()[:40]
    with transaction.atomic():
        access = (
            AccessCode.objects.select_for_update()
            .filter(complaint__code=code, used_at=None, locked_at=None, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if access is None:
            raise AccessRefused()
        if not (otp.isdigit() and constant_time_compare(access.code_hash, _hash(access.pk, otp))):
            access.attempts += 1
            if access.attempts >= MAX_ATTEMPTS:
                access.locked_at = now
            access.save(update_fields=["attempts", "locked_at"])
            if access.locked_at:
                journal_append(
                    complaint_id=access.complaint_id,
                    actor=None,
                    actor_label=CUSTOMER,
                    action="portal.code_locked",
                    after={"attempts": access.attempts},
                    at=now,
                )
        else:
            access.used_at = now
            access.save(update_fields=["used_at"])
            journal_append(
                complaint_id=access.complaint_id,
                actor=None,
                actor_label=CUSTOMER,
                action="portal.opened",
                after={"via": "code"},
                at=now,
            )
            return Complaint.objects.get(pk=access.complaint_id)
    raise AccessRefused()


def signed_link_token(complaint: Complaint) -> str:
    return tracking_token(complaint.code)


def signed_link_open(token: str) -> Complaint:
    """The complaint a signed link was made for; AccessRefused when forged or expired."""
    try:
        code = tracking_code(token, int(LINK_MAX_AGE.total_seconds()))
    except signing.BadSignature as exc:
        raise AccessRefused() from exc
    complaint = Complaint.objects.filter(code=code).first()
    if complaint is None:
        raise AccessRefused()
    return complaint
