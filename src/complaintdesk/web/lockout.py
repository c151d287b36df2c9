"""Sign-in throttling: after LOGIN_MAX_FAILURES failed attempts for one username or from one
address, further attempts are refused for LOGIN_LOCKOUT_SECONDS. Counts live in the cache."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (X-Forwarded-For is spoofable).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(username: str, ip: str) -> list[str]:
    user_digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [f"web:login-fail:user:{user_digest}", f"web:login-fail:ip:{ip}"]


def _max() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES", 5))


def _window() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900))


def is_locked(username: str, ip: str) -> bool:
    try:
        counts = cache.get_many(_keys(username, ip))
    except Exception:
        log.exception("login lockout: cache unavailable")
        return False
    return any(int(v) >= _max() for v in counts.values())


def record_failure(username: str, ip: str) -> None:
    for key in _keys(username, ip):
        try:
            if cache.add(key, 1, timeout=_window()):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=_window())
        except Exception:
            log.exception("login lockout: cache unavailable")


def clear(username: str, ip: str) -> None:
    """A successful sign-in clears both counts (an office behind one address keeps working;
    each username keeps its own limit against guessing)."""
    try:
        cache.delete_many(_keys(username, ip))
    except Exception:
        log.exception("login lockout: cache unavailable")
