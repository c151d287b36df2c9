"""Normalising the ways a customer is recognised: phones (E.164, default region VN), emails."""

from __future__ import annotations

import re

import phonenumbers

from complaintdesk.core.phones import to_e164

# No whitespace or control characters (PostgreSQL refuses NUL in text); at most 254 characters
# in all (RFC 5321's path limit, and the longest address the models keep).
EMAIL_RE = re.compile(
    r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,190}\.[^@\s\x00-\x1f\x7f]{2,63}"
)
EMAIL_MAX = 254


class InvalidIdentity(ValueError):
    pass


def normalize_phone(raw: str, region: str = "VN") -> str:
    """'0912 345 678', '+84912345678', '84912345678' → '+84912345678'."""
    number = to_e164(raw, region)
    if number is None:
        raise InvalidIdentity(raw)
    return number


def try_normalize_phone(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except InvalidIdentity:
        return None


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    if len(text) > EMAIL_MAX or not EMAIL_RE.fullmatch(text):
        raise InvalidIdentity(raw)
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def format_phone_national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
