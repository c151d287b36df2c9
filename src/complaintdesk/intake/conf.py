"""Channel credentials: the admin-edited ChannelConfig row over the environment's settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Final

from django.conf import settings

from complaintdesk.intake.email.parse import OwnIdentity

# channel → credential key → the setting (= environment variable) that seeds it.
CREDENTIAL_SETTINGS: Final[dict[str, dict[str, str]]] = {
    "email": {"imap_url": "EMAIL_IMAP_URL"},
    "facebook": {
        "app_secret": "FACEBOOK_APP_SECRET",
        "verify_token": "FACEBOOK_VERIFY_TOKEN",
        "page_token": "FACEBOOK_PAGE_TOKEN",
    },
    "zalo": {
        "app_id": "ZALO_APP_ID",
        "oa_secret_key": "ZALO_OA_SECRET_KEY",
        "access_token": "ZALO_ACCESS_TOKEN",
    },
    "hotline": {"webhook_secret": "HOTLINE_WEBHOOK_SECRET"},
    "sms": {
        "api_key": "ESMS_API_KEY",
        "secret_key": "ESMS_SECRET_KEY",
        "brandname": "ESMS_BRANDNAME",
    },
}
# Keys whose value is not a secret (shown in clear in the admin).
PUBLIC_KEYS: Final = frozenset({"app_id", "brandname"})


@dataclass(frozen=True)
class ChannelSettings:
    channel: str
    enabled: bool
    credentials: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.credentials.get(key, "")


def channel_settings(channel: str) -> ChannelSettings:
    """The credentials in force for ``channel``: each key from the ChannelConfig row when it is
    filled in there, else from the setting of the same name. A disabled row disables the channel."""
    from complaintdesk.intake.models import ChannelConfig

    keys = CREDENTIAL_SETTINGS.get(channel, {})
    values = {key: str(getattr(settings, name, "") or "") for key, name in keys.items()}
    row = ChannelConfig.objects.filter(channel=channel).first()
    if row is not None:
        stored = row.credentials if isinstance(row.credentials, dict) else {}
        values.update({k: str(v) for k, v in stored.items() if v not in ("", None)})
        return ChannelSettings(channel, row.enabled, values)
    return ChannelSettings(channel, True, values)


_ROWS: dict[str, tuple[float, bool, dict[str, str]] | None] = {}


def channel_settings_cached(channel: str) -> ChannelSettings:
    """``channel_settings`` for the webhook doors, which read it on every request: the
    ChannelConfig row is remembered for ``INTAKE_CHANNEL_CACHE_SECONDS`` (default 5) in this
    process; saving or deleting a row forgets it at once (``forget_channel_rows``)."""
    ttl = float(getattr(settings, "INTAKE_CHANNEL_CACHE_SECONDS", 5))
    keys = CREDENTIAL_SETTINGS.get(channel, {})
    values = {key: str(getattr(settings, name, "") or "") for key, name in keys.items()}
    now = time.monotonic()
    cached = _ROWS.get(channel)
    if cached is None or cached[0] < now or ttl <= 0:
        from complaintdesk.intake.models import ChannelConfig

        row = ChannelConfig.objects.filter(channel=channel).values_list("enabled", "credentials")
        found = row.first()
        if found is None:
            cached = (now + ttl, True, {})
        else:
            stored = found[1] if isinstance(found[1], dict) else {}
            filled = {k: str(v) for k, v in stored.items() if v not in ("", None)}
            cached = (now + ttl, bool(found[0]), filled)
        _ROWS[channel] = cached
    values.update(cached[2])
    return ChannelSettings(channel, cached[1], values)


def forget_channel_rows(**_: object) -> None:
    _ROWS.clear()


def own_email_addresses() -> set[str]:
    """Our own addresses: mail from one of them is a loop, never a complaint."""
    addresses = {settings.DEFAULT_FROM_EMAIL, getattr(settings, "SERVER_EMAIL", "")}
    addresses.update(getattr(settings, "EMAIL_OWN_ADDRESSES", []))
    return {a.strip().lower() for a in addresses if a and "@" in a}


def own_identity() -> OwnIdentity:
    return OwnIdentity(frozenset(own_email_addresses()), frozenset(own_message_id_domains()))


def own_message_id_domains() -> set[str]:
    """Domains of the Message-IDs we generate (ours and the notification outbox's)."""
    domains = {
        getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", ""),
        getattr(settings, "NOTIFICATION_MESSAGE_ID_DOMAIN", "complaintdesk.local"),
    }
    return {d.strip().lower() for d in domains if d}
