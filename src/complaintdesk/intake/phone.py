"""Phone numbers as the providers want them (adapters do not import ``complaints``)."""

from __future__ import annotations

from complaintdesk.core.phones import to_e164


def e164(raw: str, region: str = "VN") -> str | None:
    """'0912 345 678', '84912345678', '+84912345678' → '+84912345678'; ``None`` if invalid."""
    return to_e164(raw, region)


def without_plus(raw: str) -> str | None:
    """The form Vietnamese gateways (eSMS, ZNS) take: '84912345678'."""
    number = e164(raw)
    return number[1:] if number else None
