"""The chat's channel adapter: "sending" is adding a line to the visitor's conversation, which
their open widget receives through the event stream (``views.chat_stream``).

Unlike the provider adapters this one writes to the database (the conversation lives here). The
recipient is the chat session id (the complaint's chat thread key); the message id makes a
retried notice a no-op.
"""

from __future__ import annotations

import uuid

from django.db import DatabaseError

from complaintdesk.core.clock import utcnow
from complaintdesk.intake.base import OutboundMessage, SendResult
from complaintdesk.intake.webchat.models import ChatDirection, ChatLine, ChatSession


class ChatAdapter:
    channel = "chat"

    def send(self, message: OutboundMessage) -> SendResult:
        session_id = (message.recipient or message.thread_key).strip()
        if not message.text.strip():
            return SendResult(ok=False, error="chat: empty text", retryable=False)
        try:
            session = ChatSession.objects.filter(session_id=session_id[:40]).first()
            if session is None:
                return SendResult(ok=False, error="chat: no such conversation", retryable=False)
            line, _ = ChatLine.objects.get_or_create(
                session=session,
                direction=ChatDirection.OUTBOUND,
                client_id=(message.message_id or uuid.uuid4().hex)[:100],
                defaults={"text": message.text.strip(), "created_at": utcnow()},
            )
        except DatabaseError as exc:
            return SendResult(ok=False, error=f"chat: {type(exc).__name__}")
        return SendResult(ok=True, provider_message_id=f"chat:{line.pk}")
