"""Which adapter sends on which channel.

Each channel package adds its line to ``DEFAULT_ADAPTERS``; the setting ``INTAKE_ADAPTERS``
(channel → dotted path, or "" to switch a channel off) overrides it, e.g. in tests.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.utils.module_loading import import_string

from complaintdesk.intake.base import ChannelAdapter

DEFAULT_ADAPTERS: Final[dict[str, str]] = {
    "email": "complaintdesk.intake.email.outbound.EmailAdapter",
    "facebook": "complaintdesk.intake.facebook.outbound.FacebookAdapter",
    "zalo": "complaintdesk.intake.zalo.outbound.ZaloAdapter",
    "zns": "complaintdesk.intake.zalo.outbound.ZnsAdapter",
    "sms": "complaintdesk.intake.sms.gateway.SmsAdapter",
    "chat": "complaintdesk.intake.webchat.outbound.ChatAdapter",
}


def _paths() -> dict[str, str]:
    return {**DEFAULT_ADAPTERS, **getattr(settings, "INTAKE_ADAPTERS", {})}


def adapter_for(channel: str) -> ChannelAdapter:
    """The adapter that sends on ``channel``; ``LookupError`` when none is configured."""
    path = _paths().get(channel)
    if not path:
        raise LookupError(f"no adapter for channel {channel!r}")
    adapter: ChannelAdapter = import_string(path)()
    return adapter


def channels() -> set[str]:
    return {channel for channel, path in _paths().items() if path}
