"""Sending mail to a customer through Django's email backend (SMTP in production).

Text and HTML alternatives; a Message-ID of our domain; In-Reply-To and References pointing at
the customer's last mail so that their mail client shows our answer in the same conversation.
"""

from __future__ import annotations

import re
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape, linebreaks

from complaintdesk.intake.base import OutboundMessage, SendResult

_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def message_id_domain() -> str:
    default = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "complaintdesk.local"
    return getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", "") or default


def new_message_id() -> str:
    return make_msgid(domain=message_id_domain())


def text_to_html(text: str) -> str:
    body = linebreaks(escape(text))
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: Arial, sans-serif; font-size: 14px;">{body}</body></html>'
    )


def _refused(exc: smtplib.SMTPRecipientsRefused) -> SendResult:
    codes = [code for code, _ in exc.recipients.values()]
    detail = "; ".join(
        f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg} ({address})"
        for address, (code, msg) in exc.recipients.items()
    )
    # 5xx is a final "no" (unknown mailbox); 4xx means "try later".
    permanent = bool(codes) and all(code >= 500 for code in codes)
    return SendResult(ok=False, error=f"recipient refused: {detail}"[:500], retryable=not permanent)


class EmailAdapter:
    channel = "email"

    def send(self, message: OutboundMessage) -> SendResult:
        recipient = message.recipient.strip()
        if not _ADDRESS.fullmatch(recipient):
            return SendResult(ok=False, error="invalid recipient address", retryable=False)
        message_id = message.message_id or new_message_id()
        headers = {"Message-ID": message_id, "X-Auto-Response-Suppress": "OOF, AutoReply"}
        if message.in_reply_to:
            headers["In-Reply-To"] = message.in_reply_to
        references = list(message.references)
        if message.in_reply_to and message.in_reply_to not in references:
            references.append(message.in_reply_to)
        if references:
            headers["References"] = " ".join(references)
        email = EmailMultiAlternatives(
            subject=" ".join(message.subject.split()),
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            headers=headers,
            connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
        )
        email.attach_alternative(message.html or text_to_html(message.text), "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            return _refused(exc)
        except smtplib.SMTPResponseException as exc:
            return SendResult(
                ok=False,
                error=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:500],
                retryable=exc.smtp_code < 500,
            )
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        except ValueError as exc:  # a header Django refuses (line breaks): retrying cannot help
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500], retryable=False)
        return SendResult(ok=True, provider_message_id=message_id)
