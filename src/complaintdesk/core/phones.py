"""Phone numbers in E.164, default region VN — shared by customer identities and channel adapters."""

from __future__ import annotations

import re

import phonenumbers


def to_e164(raw: str, region: str = "VN") -> str | None:
    """'0912 345 678', '+84912345678', '84912345678' → '+84912345678'; ``None`` if invalid."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    digits = re.sub(r"[^\d+]", "", text)
    candidates = [text]
    # "84912345678" without "+" is common in Vietnam (ZNS writes numbers that way).
    if digits.startswith("84") and not digits.startswith("+") and len(digits) >= 10:
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
