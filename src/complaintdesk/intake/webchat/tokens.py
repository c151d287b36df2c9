"""Signed tokens the browser holds: the chat session, and the web form's one-time nonce.

The chat token lives in the widget's localStorage (a third-party cookie in an iframe is blocked
by most browsers) and is sent explicitly with each request, so the chat endpoints need no CSRF
cookie: there is no ambient credential to abuse.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.core import signing

CHAT_SALT = "complaintdesk.intake.webchat.session"
FORM_SALT = "complaintdesk.intake.webchat.form"
CHAT_MAX_AGE = 60 * 60 * 24 * 30  # a visitor may come back to the conversation for 30 days
FORM_MAX_AGE = 60 * 60 * 24


def new_session_id() -> str:
    return secrets.token_hex(16)


def chat_token(session_id: str) -> str:
    return signing.dumps({"s": session_id}, salt=CHAT_SALT)


def chat_session_id(token: str | None) -> str | None:
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=CHAT_SALT, max_age=CHAT_MAX_AGE)
    except signing.BadSignature:
        return None
    value = data.get("s") if isinstance(data, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 40 else None


@dataclass(frozen=True)
class FormTicket:
    nonce: str
    issued: float


def form_token() -> str:
    return signing.dumps({"n": secrets.token_hex(12), "t": int(time.time())}, salt=FORM_SALT)


def form_ticket(token: str | None) -> FormTicket | None:
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    return FormTicket(nonce=data["n"][:40], issued=float(data.get("t", 0)))
