"""Who is calling: a bearer token (integrations) or the web session (agents in the browser).

Session-authenticated unsafe requests must carry the CSRF token, as Django forms do; bearer
requests need none (a browser never adds the header by itself). No credentials: 401. Each
authenticated request is counted against the caller's rate limit (``api.ratelimit``): 429.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from complaintdesk.accounts.auth import user_for_token
from complaintdesk.api.errors import ApiError, RateLimited
from complaintdesk.api.ratelimit import caller_retry_after

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def rate_limit(request: HttpRequest, user: Any, token: str = "") -> None:
    """Count the request against the caller's budget (``api.ratelimit``); 429 once it is spent."""
    retry_after = caller_retry_after(request, user, token)
    if retry_after:
        raise RateLimited(retry_after)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            rate_limit(request, user, token)
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
