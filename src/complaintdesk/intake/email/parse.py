"""A mail's source → one ``InboundMessage``, or an ``InboundRejected`` (ignored / malformed).

Recognised and not turned into complaints: auto-replies (Auto-Submitted, X-Autoreply,
Precedence bulk/auto_reply/junk, "Out of office" subjects), bounces (MAILER-DAEMON, postmaster,
multipart/report delivery-status) and mail loops (our own address as sender, an X-Loop naming us,
a Message-ID of our own domain). Never raises: anything unreadable is ``malformed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from complaintdesk.core.clock import supported_year
from complaintdesk.intake.base import (
    IGNORED,
    MALFORMED,
    InboundAttachment,
    InboundMessage,
    InboundRejected,
    payload_id,
)
from complaintdesk.intake.email.text import html_to_text, nfc, part_text, strip_quoted, tidy

CHANNEL = "email"
MSGID = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|autoreply"
    r"|trả lời tự động|vắng mặt|thư trả lời tự động)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")
MAX_TEXT = 20000


@dataclass(frozen=True)
class OwnIdentity:
    """Who "we" are, for loop detection."""

    addresses: frozenset[str] = frozenset()
    message_id_domains: frozenset[str] = frozenset()


@dataclass
class _Parts:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[InboundAttachment] = field(default_factory=list)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot make sense of
        return ""
    return nfc(str(value)).strip() if value is not None else ""


def normalize_msgid(value: str) -> str:
    """``<id@domain>`` with the angle brackets, whitespace removed; "" if there is none."""
    found = MSGID.search(value or "")
    if found:
        return found.group(0)[:255]
    value = re.sub(r"\s+", "", value or "")
    return f"<{value}>"[:255] if value else ""


def msgid_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m[:255] for m in MSGID.findall(value or "")))


def _ignored_reason(msg: Message, sender: str, own: OwnIdentity) -> str:
    """Why this mail is an automatic one we must not answer ("" if it is a person's mail)."""
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"auto-reply: Auto-Submitted {auto[:40]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _header(msg, name):
            return f"auto-reply: {name}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in {"bulk", "auto_reply", "junk", "list"}:
        return f"auto-reply: Precedence {precedence}"
    local = sender.rpartition("@")[0]
    if local in _BOUNCE_SENDERS:
        return f"bounce: sender {local}"
    if msg.get_content_type() == "multipart/report":
        report = (msg.get_param("report-type") or "").__str__().lower()
        return f"bounce: multipart/report {report}".strip()
    if any(part.get_content_type() == "message/delivery-status" for part in msg.walk()):
        return "bounce: delivery-status part"
    if _AUTO_SUBJECT.match(_header(msg, "Subject")):
        return "auto-reply: subject"
    if sender in own.addresses:
        return "loop: sent from our own address"
    x_loop = {addr.lower() for _, addr in getaddresses(msg.get_all("X-Loop") or [])}
    if x_loop & own.addresses:
        return "loop: X-Loop names us"
    domain = normalize_msgid(_header(msg, "Message-ID")).rstrip(">").rpartition("@")[2].lower()
    if domain and domain in own.message_id_domains:
        return "loop: Message-ID of our own domain"
    return ""


def _collect(msg: Message) -> _Parts:
    parts = _Parts()
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and ctype not in ("text/plain", "text/html")):
            content = part.get_payload(decode=True)
            if isinstance(content, bytes) and content:
                name = nfc(str(filename or "tep-dinh-kem"))[:255]
                parts.attachments.append(InboundAttachment(name, content, ctype))
            continue
        if ctype == "text/plain":
            parts.plain.append(part_text(part))
        elif ctype == "text/html":
            parts.html.append(html_to_text(part_text(part)))
    return parts


def _sender(msg: Message) -> tuple[str, str]:
    """(display name, lower-case address) of the From header."""
    raw = _header(msg, "From")
    name, address = parseaddr(raw)
    address = address.strip().lower()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address):
        return "", ""
    return nfc(name).strip().strip('"')[:200], address[:254]


def _date(msg: Message, fallback: datetime) -> datetime:
    try:
        value = parsedate_to_datetime(_header(msg, "Date"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)  # OverflowError: "31 Dec 9999 23:59:59 -1200"
    except (TypeError, ValueError, IndexError, OverflowError):
        return fallback
    return value if supported_year(value) else fallback


def parse_email(
    raw: bytes, *, received_at: datetime, own: OwnIdentity
) -> InboundMessage | InboundRejected:
    """Read one mail. ``received_at`` (when we fetched it) is used when the Date is missing."""
    fallback_id = payload_id(raw)
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        message_id = normalize_msgid(_header(msg, "Message-ID")) or fallback_id
        subject = tidy(_header(msg, "Subject"))[:300]
        name, sender = _sender(msg)
    except Exception as exc:  # the parser is lenient; this is the last guard
        return InboundRejected(
            CHANNEL, fallback_id, MALFORMED, f"unreadable: {type(exc).__name__}", received_at, raw
        )

    def rejected(status: str, reason: str) -> InboundRejected:
        return InboundRejected(
            CHANNEL, message_id, status, reason, received_at, raw, sender, subject
        )

    if not raw.strip():
        return rejected(MALFORMED, "empty message")
    try:
        reason = _ignored_reason(msg, sender, own)
        if reason:
            return rejected(IGNORED, reason)
        if not sender:
            return rejected(MALFORMED, "no valid sender address (From)")
        parts = _collect(msg)
    except Exception as exc:
        return rejected(MALFORMED, f"unreadable: {type(exc).__name__}: {str(exc)[:200]}")
    in_reply_to = normalize_msgid(_header(msg, "In-Reply-To"))
    references = msgid_list(_header(msg, "References"))
    text = tidy("\n\n".join(t for t in parts.plain if t.strip()) or "\n\n".join(parts.html))
    if in_reply_to or references:
        text = strip_quoted(text)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    if not text and not parts.attachments and not subject:
        return rejected(MALFORMED, "no subject, text or attachment")
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=message_id,
        received_at=_date(msg, received_at),
        text=text,
        sender_name=name,
        sender_email=sender,
        subject=subject,
        thread_key="",
        in_reply_to=in_reply_to,
        references=references,
        attachments=tuple(parts.attachments),
        raw=raw,
    )
