"""Test mails built with the standard library (no fixture files)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

CUSTOMER = "an.nguyen@khachhang.vn"


def mail(
    *,
    subject: str = "Không xem được phim",
    text: str | None = "Tôi mua gói VIP hôm qua nhưng không xem được phim.",
    html: str | None = None,
    sender: str = f"Nguyễn Văn An <{CUSTOMER}>",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "cskh@complaintdesk.local"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="khachhang.vn")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, content, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg


def raw_text_mail(
    body: bytes,
    *,
    charset: str,
    cte: str,
    subject_header: str,
    message_id: str = "<legacy-1@khachhang.vn>",
) -> bytes:
    """A single-part mail exactly as a legacy client writes it (charset and transfer encoding
    chosen by hand)."""
    head = (
        f"From: =?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?= <{CUSTOMER}>\r\n"
        "To: cskh@complaintdesk.local\r\n"
        f"Subject: {subject_header}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    )
    return head.encode("ascii") + body


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00"
    b"IEND\xaeB`\x82"
)
