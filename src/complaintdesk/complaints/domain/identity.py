"""Normalising the ways a customer is recognised: phones (E.164, default region VN), emails."""

from __future__ import annotations

import re

import phonenumbers

from complaintdesk.core.phones import to_e164

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")


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
    if not EMAIL_RE.match(text):
        raise InvalidIdentity(raw)
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def format_phone_national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
