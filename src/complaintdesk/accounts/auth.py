"""API tokens: issuing one and finding the user behind a presented bearer token.

Only the SHA-256 of a token is stored; the raw token is shown once, when it is issued.
A looked-up token is remembered for ``REFERENCE_CACHE_SECONDS`` (``core.memo``): a revocation or
a change of the user made in this process applies at once, in other processes within seconds.
"""

from __future__ import annotations

import copy
import secrets
from datetime import datetime, timedelta

from django.db.models import Q

from complaintdesk.accounts.models import ApiToken, Department, Role, User
from complaintdesk.core.clock import utcnow
from complaintdesk.core.memo import TtlMemo

TOKEN_PREFIX = "cd_"
MAX_TOKEN_LENGTH = 200
LAST_USED_GRANULARITY = timedelta(minutes=1)
tokens: TtlMemo[ApiToken | None] = TtlMemo("api tokens")  # cleared by accounts.apps signals


def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the stored row and the raw token (shown once)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.hash(raw), prefix=raw[:12]
    )
    return token, raw


def user_for_token(raw: str, *, now: datetime | None = None) -> User | None:
    """The active user owning the unrevoked token ``raw``, or None.

    ``last_used_at`` is written at most once a minute per token, so a busy integration does not
    turn every read into a write.
    """
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    try:
        digest = ApiToken.hash(raw)
    except UnicodeError:
        return None
    token = tokens.get(
        digest,
        lambda: (
            ApiToken.objects.select_related("user", "user__department")
            .filter(digest=digest, revoked=False)
            .first()
        ),
    )
    if token is None or not token.user.is_active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_GRANULARITY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return copy.copy(token.user)  # the remembered row is shared: callers get their own


def integration_user_create(*, username: str, role: str, department: Department | None) -> User:
    """A user for an integration: no password (it signs in with tokens only)."""
    if role not in Role.values:
        raise ValueError(role)
    user = User(username=username, role=role, department=department)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user
