"""Writes of the web form and the chat: everything goes through ``intake_receive``.

A chat conversation is one thread: its session id is the thread key, so the first message opens
a complaint and the next ones join it (one transaction per message, the session row locked so
that two messages sent at once cannot open two complaints). The web form is a one-message
conversation whose id is the form's one-time nonce: a double submit gives the same complaint.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from complaintdesk.accounts.models import User
from complaintdesk.complaints.domain.identity import (
    InvalidIdentity,
    normalize_email,
    normalize_phone,
)
from complaintdesk.complaints.models import Complaint, Direction, Message
from complaintdesk.complaints.services import message_add
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.core.text import clean_text
from complaintdesk.intake.base import InboundAttachment, InboundMessage
from complaintdesk.intake.models import ComplaintThread, ThreadKind
from complaintdesk.intake.services import IntakeResult, intake_receive
from complaintdesk.intake.webchat.models import ChatDirection, ChatLine, ChatSession
from complaintdesk.intake.webchat.receipt import receipt_text
from complaintdesk.intake.webchat.tokens import CHAT_MAX_AGE, new_session_id
from complaintdesk.journal.services import journal_append

MAX_TEXT = 5000


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str = ""
    email: str = ""


def contact_clean(*, name: str, phone: str = "", email: str = "") -> Contact:
    """Name, and a phone or an email to reach the customer (normalised); ``ValidationFailed``."""
    name = clean_text(name, max_length=200)
    errors: dict[str, tuple[str, str]] = {}
    if not name:
        errors["name"] = ("Vui lòng nhập họ tên.", "Please enter your name.")
    phone_value = email_value = ""
    if (phone or "").strip():
        try:
            phone_value = normalize_phone(phone)
        except InvalidIdentity:
            errors["phone"] = ("Số điện thoại không hợp lệ.", "The phone number is not valid.")
    if (email or "").strip():
        try:
            email_value = normalize_email(email)
        except InvalidIdentity:
            errors["email"] = ("Email không hợp lệ.", "The email address is not valid.")
    if not phone_value and not email_value and "phone" not in errors and "email" not in errors:
        errors["phone"] = (
            "Vui lòng cho biết số điện thoại hoặc email để chúng tôi liên hệ lại.",
            "Please give a phone number or an email so that we can reach you.",
        )
    if errors:
        raise ValidationFailed(errors)
    return Contact(name=name, phone=phone_value, email=email_value)


def chat_session_start(
    *, contact: Contact, language: str = "vi", now: datetime | None = None
) -> ChatSession:
    now = now or utcnow()
    return ChatSession.objects.create(
        session_id=new_session_id(),
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        language=language if language in ("vi", "en") else "vi",
        created_at=now,
    )


@dataclass(frozen=True)
class ChatReceipt:
    line: ChatLine
    result: IntakeResult

    @property
    def complaint_code(self) -> str:
        return self.result.complaint.code if self.result.complaint else ""


def chat_message_receive(
    *,
    session: ChatSession,
    text: str,
    client_id: str = "",
    attachments: tuple[InboundAttachment, ...] = (),
    now: datetime | None = None,
) -> ChatReceipt:
    """One message from the visitor: a line of the conversation and, through the intake, a new
    complaint or a message on theirs. ``client_id`` (the widget's id for the message) makes a
    resend a no-op."""
    now = now or utcnow()
    text = clean_text(text, max_length=MAX_TEXT)
    if not text and not attachments:
        raise ValidationFailed({"text": ("Vui lòng nhập nội dung.", "Please type a message.")})
    client_id = clean_text(client_id, max_length=100) or uuid.uuid4().hex
    names = ", ".join(a.name for a in attachments)
    raw = json.dumps(
        {"session": session.session_id, "client_id": client_id, "text": text, "files": names},
        ensure_ascii=False,
    ).encode()
    with transaction.atomic():
        ChatSession.objects.select_for_update().filter(pk=session.pk).first()
        line, _ = ChatLine.objects.get_or_create(
            session=session,
            direction=ChatDirection.INBOUND,
            client_id=client_id,
            defaults={
                "text": text,
                "attachment_name": names[:255],
                "author_name": session.name,
                "created_at": now,
            },
        )
        result = intake_receive(
            InboundMessage(
                channel="chat",
                provider_message_id=f"{session.session_id}:{client_id}",
                received_at=now,
                text=text,
                sender_name=session.name,
                sender_phone=session.phone,
                sender_email=session.email,
                thread_key=session.session_id,
                attachments=attachments,
                language=session.language,
                raw=raw,
            ),
            now=now,
        )
        ChatSession.objects.filter(pk=session.pk).update(last_message_at=now)
        if result.created_complaint and result.complaint is not None:
            receipt, made = ChatLine.objects.get_or_create(
                session=session,
                direction=ChatDirection.OUTBOUND,
                client_id=f"receipt:{result.complaint.pk}",
                defaults={
                    "text": receipt_text(result.complaint, session.language),
                    "created_at": now,
                },
            )
            if made:
                # The receipt (code and deadlines, in the conversation) is the procedure's
                # acknowledgement: journaled as a sent notice, so that acknowledging the
                # complaint later does not send the customer a second one (notifications).
                journal_append(
                    complaint_id=result.complaint.pk,
                    actor=None,
                    action="notice.sent",
                    target=f"chat:{receipt.pk}",
                    after={
                        "notice": "acknowledgement",
                        "channel": "chat",
                        "recipient": session.session_id,
                        "attempt": 1,
                        "error": "",
                    },
                    at=now,
                )
    return ChatReceipt(line=line, result=result)


def chat_session_of(complaint: Complaint) -> ChatSession | None:
    """The chat conversation a complaint came from or joined, most recent first."""
    keys = ComplaintThread.objects.filter(
        complaint=complaint, channel="chat", kind=ThreadKind.THREAD
    ).order_by("-created_at", "-id")
    for value in keys.values_list("value", flat=True)[:5]:
        session = ChatSession.objects.filter(session_id=value).first()
        if session is not None:
            return session
    return None


def chat_recipient(complaint_id: int, now: datetime) -> str:
    """Where a notice about the complaint reaches its visitor in the chat (``notifications``
    loads this by path, ``deliverers.DEFAULT_CONVERSATIONS``): the session id of the complaint's
    most recent chat conversation that the visitor can still open — their token, signed when the
    conversation started, is good for ``CHAT_MAX_AGE`` (30 days). "" when there is none: the
    notice then goes by the customer's email or phone."""
    keys = ComplaintThread.objects.filter(
        complaint_id=complaint_id, channel="chat", kind=ThreadKind.THREAD
    ).values("value")
    found = (
        ChatSession.objects.filter(
            session_id__in=keys, created_at__gt=now - timedelta(seconds=CHAT_MAX_AGE)
        )
        .order_by("-created_at", "-id")
        .values_list("session_id", flat=True)
        .first()
    )
    return found or ""


def chat_reply_send(
    *, complaint: Complaint, actor: User, text: str, now: datetime | None = None
) -> Message:
    """An agent answers in the chat: the message goes on the complaint's timeline and, in the
    same transaction, into the conversation, where the visitor's open widget picks it up."""
    now = now or utcnow()
    session = chat_session_of(complaint)
    if session is None:
        raise ValidationFailed(
            {
                "channel": (
                    "Phiếu này không có cuộc trò chuyện chat nào để trả lời.",
                    "This complaint has no chat conversation to answer.",
                )
            }
        )
    with transaction.atomic():
        message = message_add(
            complaint=complaint,
            actor=actor,
            body=text,
            direction=Direction.OUTBOUND,
            channel="chat",
            provider_message_id=f"chat-out:{uuid.uuid4().hex}",
            now=now,
        )
        ChatLine.objects.get_or_create(
            session=session,
            direction=ChatDirection.OUTBOUND,
            client_id=f"message:{message.pk}",
            defaults={
                "text": message.body,
                "author_name": actor.get_short_name() or actor.get_username(),
                "created_at": now,
            },
        )
    return message


def web_form_receive(
    *,
    contact: Contact,
    subject: str,
    text: str,
    nonce: str,
    attachments: tuple[InboundAttachment, ...] = (),
    language: str = "vi",
    now: datetime | None = None,
) -> IntakeResult:
    """The public complaint form: one message, once per form nonce."""
    now = now or utcnow()
    text = clean_text(text, max_length=MAX_TEXT)
    raw = json.dumps(
        {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "subject": subject,
            "text": text,
            "files": [a.name for a in attachments],
        },
        ensure_ascii=False,
    ).encode()
    return intake_receive(
        InboundMessage(
            channel="web",
            provider_message_id=f"web:{nonce}",
            received_at=now,
            text=text,
            subject=clean_text(subject, max_length=300),
            sender_name=contact.name,
            sender_phone=contact.phone,
            sender_email=contact.email,
            attachments=attachments,
            language=language if language in ("vi", "en") else "vi",
            raw=raw,
        ),
        now=now,
    )
