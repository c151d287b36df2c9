"""Small readers of values that forms, query strings and headers send as text."""

from __future__ import annotations

import re
import uuid

SUBMIT_KEY_PATTERN = r"^[0-9a-f]{32}$"


def ascii_int(raw: str | None, *, max_digits: int) -> int | None:
    """``raw`` as a non-negative integer when it is 1–``max_digits`` ASCII digits, else None.
    ("²".isdigit() is true but int("²") fails; int() reads 4,300 digits, no column holds them.)"""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def new_submit_key() -> str:
    """A one-time key a page puts in a form: the same form sent twice (a double click, a
    browser resend) is recorded once."""
    return uuid.uuid4().hex


def submit_key(raw: str | None) -> str:
    """The form's one-time key, or "" when it is not one."""
    text = raw or ""
    return text if re.fullmatch(SUBMIT_KEY_PATTERN, text) else ""
