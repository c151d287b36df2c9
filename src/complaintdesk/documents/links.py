"""Signed links that open a complaint's public tracking page (made here, opened by the portal)."""

from __future__ import annotations

from django.core import signing

LINK_SALT = "complaintdesk.portal.link"


def tracking_token(code: str) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(code)


def tracking_code(token: str, max_age_seconds: int) -> str:
    """The complaint code of a token; ``signing.BadSignature`` when forged or expired."""
    return signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=max_age_seconds)
