"""Fixed-window request counters in the Django cache (Redis in production), and the 429 answer.

``allow(scope, key, limit=, window=)`` counts one request and says whether it is within the
limit; ``local_counter`` does the same in this process only (for the webhooks' volume check). A cache that fails lets the request through (logged): a broken cache must not close the
doors to customers. Keys are hashed, so no address or session id is stored in clear.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

TOO_MANY_VI = "Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút."
TOO_MANY_EN = "Too many requests in a short time. Please try again in a few minutes."


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the first hop of the header named by
    ``INTAKE_CLIENT_IP_HEADER`` (e.g. HTTP_X_FORWARDED_FOR) behind a trusted reverse proxy."""
    header = getattr(settings, "INTAKE_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return str(request.META[header]).split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def key_digest(key: str) -> str:
    """What a rate-limited key is counted under (no address or token kept in the cache)."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def window_cache_key(scope: str, digest: str, bucket: int) -> str:
    """The shared cache key of one fixed window's count (``bucket`` = time // window)."""
    return f"rl:{scope}:{digest}:{bucket}"


def window_add(cache_key: str, delta: int, window: int) -> int:
    """Add ``delta`` to a window's shared count; the new total (cache errors propagate)."""
    if cache.add(cache_key, delta, timeout=window + 5):
        return delta
    try:
        return int(cache.incr(cache_key, delta))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, delta, timeout=window + 5)
        return delta


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request for ``key`` in ``scope``; False once more than ``limit`` arrived in the
    current ``window`` (seconds). ``limit <= 0`` switches the check off."""
    if limit <= 0 or window <= 0:
        return True
    bucket = int(time.time() // window)
    try:
        count = window_add(window_cache_key(scope, key_digest(key), bucket), 1, window)
    except Exception:
        logger.exception("rate limit cache failed (scope %s); request let through", scope)
        return True
    return count <= limit


class LocalCounter:
    """The same fixed-window count kept in this process only: no round trip, so it can guard
    every request of a busy endpoint (the provider webhooks). With N server processes the
    effective limit is N × ``limit``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int], int] = {}

    def allow(self, scope: str, key: str, *, limit: int, window: int) -> bool:
        if limit <= 0 or window <= 0:
            return True
        bucket = int(time.time() // window)
        with self._lock:
            if len(self._counts) > 10000:  # drop finished windows
                self._counts = {k: v for k, v in self._counts.items() if k[2] >= bucket}
            count = self._counts.get((scope, key, bucket), 0) + 1
            self._counts[(scope, key, bucket)] = count
        return count <= limit

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_counter = LocalCounter()


def parse_rate(value: str, default: tuple[int, int]) -> tuple[int, int]:
    """``"30/60"`` → (30 requests, 60 seconds); a bad value gives ``default``."""
    try:
        count, _, seconds = str(value).partition("/")
        return int(count), int(seconds or 60)
    except (TypeError, ValueError):
        return default


def rate(setting: str, default: str) -> tuple[int, int]:
    fallback = parse_rate(default, (0, 60))
    return parse_rate(getattr(settings, setting, default), fallback)


def too_many(window: int = 60) -> JsonResponse:
    response = JsonResponse(
        {"error": "rate_limited", "message": TOO_MANY_VI, "message_en": TOO_MANY_EN}, status=429
    )
    response["Retry-After"] = str(window)
    return response
