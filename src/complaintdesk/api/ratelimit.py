"""Request limits of the JSON API: a fixed window per caller, counted in Django's cache (Redis
when ``REDIS_URL`` is set, else the database cache) and shared by every server process.

- ``API_RATE`` (default ``"600/60"``): requests per window (seconds) for each bearer token, or
  for each user signed in through the web session.
- ``API_RATE_ANONYMOUS`` (default ``"60/60"``): requests without valid credentials, per client
  address (``INTAKE_CLIENT_IP_HEADER`` names the proxy's header, as for the public channels).

``"0/60"`` switches a limit off. A refused request is answered 429 with ``Retry-After`` (the
seconds until the window ends) and the API's error shape; a failing cache lets requests through.

The counters are those of ``intake.ratelimit`` (same keys, hashed), but each process reports its
requests in small batches instead of one cache write per request: with the database cache that
write cost 0.5–2 ms of CPU and, on PostgreSQL, a commit per API call. A process reports at least
every ``limit // 20`` requests, and every request once fewer than four batches are left, so it
never admits more than the limit itself; several processes together may admit a few batches
more (at most ``(processes - 1) × limit / 20``) before all of them see the window is spent.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from django.http import HttpRequest

from complaintdesk.intake.ratelimit import client_ip, key_digest, rate, window_add, window_cache_key

logger = logging.getLogger(__name__)

DEFAULT_RATE = "600/60"
DEFAULT_ANONYMOUS_RATE = "60/60"


class BatchedWindow:
    """Fixed-window counts in the shared cache, reported by this process in batches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (scope, digest, bucket) → [requests not yet reported, last total seen in the cache,
        # end of the window]
        self._entries: dict[tuple[str, str, int], list[float]] = {}

    def hit(self, scope: str, key: str, *, limit: int, window: int) -> bool:
        """Count one request; False once more than ``limit`` arrived in the current window."""
        if limit <= 0 or window <= 0:
            return True
        now = time.time()
        bucket = int(now // window)
        digest = key_digest(key)
        ident = (scope, digest, bucket)
        with self._lock:
            entry = self._entries.get(ident)
            if entry is None:
                if len(self._entries) > 10000:  # drop finished windows
                    self._entries = {k: v for k, v in self._entries.items() if v[2] > now}
                entry = self._entries[ident] = [0, 0, (bucket + 1) * window]
            entry[0] += 1
            if entry[0] + entry[1] > limit:
                return False  # this process alone has seen the window spent
            batch = max(1, min(limit // 20, int(limit - entry[1]) // 4))
            if entry[0] < batch:
                return True
            delta, entry[0] = int(entry[0]), 0
        total = self._report(window_cache_key(scope, digest, bucket), delta, window)
        if total is None:
            return True
        with self._lock:
            entry[1] = max(entry[1], total)
        return total <= limit

    def _report(self, cache_key: str, delta: int, window: int) -> int | None:
        """Add ``delta`` to the shared count; the new total (None when the cache fails)."""
        try:
            return window_add(cache_key, delta, window)
        except Exception:
            logger.exception("API rate limit cache failed; request let through")
            return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


counter = BatchedWindow()


def _retry_after(window: int) -> int:
    return max(1, math.ceil(window - time.time() % window))


def _check(scope: str, key: str, setting: str, default: str) -> int:
    limit, window = rate(setting, default)
    if counter.hit(scope, key, limit=limit, window=window):
        return 0
    return _retry_after(window)


def caller_retry_after(request: HttpRequest, user: Any, token: str = "") -> int:
    """Count one request of an authenticated caller: 0 when allowed, else the seconds to wait.
    Each bearer token has its own budget; only a hash of it is kept."""
    key = f"token:{token}" if token else f"user:{user.pk}"
    return _check("api", key, "API_RATE", DEFAULT_RATE)


def anonymous_retry_after(request: HttpRequest) -> int:
    """Count one request without valid credentials against the client's address."""
    return _check("api-anon", client_ip(request), "API_RATE_ANONYMOUS", DEFAULT_ANONYMOUS_RATE)
