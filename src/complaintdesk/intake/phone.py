"""Phone numbers as the providers want them (adapters do not import ``complaints``)."""

from __future__ import annotations

import re

import phonenumbers


def e164(raw: str, region: str = "VN") -> str | None:
    """'0912 345 678', '84912345678', '+84912345678' → '+84912345678'; ``None`` if invalid."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    digits = re.sub(r"[^\d+]", "", text)
    candidates = [text]
    if digits.startswith("84") and len(digits) >= 10:
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def without_plus(raw: str) -> str | None:
    """The form Vietnamese gateways (eSMS, ZNS) take: '84912345678'."""
    number = e164(raw)
    return number[1:] if number else None
