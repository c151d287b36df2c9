"""A small JSON-over-HTTP client for the provider APIs (standard library only).

Network faults raise nothing past this module: ``post_json`` answers ``HttpAnswer`` with
``status=0`` and the error, so an adapter can turn every outcome into a ``SendResult``.
Downloads of customers' pictures (``download``) are bounded in size and time.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from complaintdesk.core.jsonbody import JsonRefused, loads

USER_AGENT = "ComplaintDesk/1.0"
DEFAULT_TIMEOUT = 15.0


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0: no answer (connection refused, timeout, DNS…)
    body: bytes = b""
    error: str = ""
    data: Any = field(default=None)  # the parsed JSON body, when it is JSON

    @property
    def transport_failed(self) -> bool:
        return self.status == 0

    @property
    def server_error(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.status == 429


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _parse(body: bytes) -> Any:
    try:
        return loads(body) if body else None
    except JsonRefused:
        return None


def post_json(
    url: str,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> HttpAnswer:
    """POST ``payload`` as UTF-8 JSON; never raises for network or HTTP errors."""
    if not url.lower().startswith(("https://", "http://")):
        return HttpAnswer(0, error=f"refused URL scheme: {url[:20]!r}")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **(headers or {}),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            raw = response.read(1024 * 1024)
            return HttpAnswer(response.status, raw, data=_parse(raw))
    except urllib.error.HTTPError as exc:
        raw = exc.read(1024 * 1024) if exc.fp else b""
        return HttpAnswer(exc.code, raw, error=f"HTTP {exc.code}", data=_parse(raw))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return HttpAnswer(0, error=f"{type(exc).__name__}: {reason}"[:300])


class DownloadFailed(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def download(url: str, *, max_bytes: int, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """GET a file the provider holds for us (a customer's picture). ``DownloadFailed`` with
    ``transient=True`` when trying again later may work (network, 5xx, 429)."""
    if not url.lower().startswith(("https://", "http://")):
        raise DownloadFailed("refused URL scheme", transient=False)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            content: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(
            f"HTTP {exc.code}", transient=exc.code >= 500 or exc.code == 429
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadFailed(f"{type(exc).__name__}", transient=True) from None
    if len(content) > max_bytes:
        raise DownloadFailed("file too large", transient=False)
    return content
