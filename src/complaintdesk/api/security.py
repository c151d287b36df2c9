"""Who is calling: a bearer token (integrations) or the web session (agents in the browser).

Session-authenticated unsafe requests must carry the CSRF token, as Django forms do; bearer
requests need none (a browser never adds the header by itself). No credentials: 401.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from complaintdesk.accounts.auth import user_for_token
from complaintdesk.api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def rate_limit(request: HttpRequest, user: Any) -> None:
    """Hook for per-user/per-token rate limits (a later issue): raise ApiError(429, …) to refuse."""
    return None


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            rate_limit(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """Django's session; the CSRF check applies only once the session is known to be a user's."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if request.method not in SAFE_METHODS and not exempt and check_csrf(request):
            raise ApiError(403, "csrf_failed")
        rate_limit(request, user)
        return user
