"""Pages other sites may embed (the complaint form, the chat panel), and their language.

Every other page keeps ``X-Frame-Options: DENY``. These two may be framed by the origins listed
in ``WEBCHAT_FRAME_ANCESTORS`` (``Content-Security-Policy: frame-ancestors 'self' <origins>``);
with none listed, only by our own site.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?|https://\*\.[A-Za-z0-9.-]+")


def allowed_origins() -> list[str]:
    values = getattr(settings, "WEBCHAT_FRAME_ANCESTORS", []) or []
    return [v.strip().rstrip("/") for v in values if _ORIGIN.fullmatch(v.strip().rstrip("/"))]


def frameable(response: HttpResponse) -> HttpResponse:
    origins = allowed_origins()
    if origins:
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(origins)
    else:
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


def language(request: HttpRequest) -> str:
    """``?lang=en`` (the embedding site knows its visitor's language), else the browser's."""
    asked = request.GET.get("lang") or request.POST.get("lang") or ""
    if asked in ("vi", "en"):
        return asked
    current = getattr(request, "LANGUAGE_CODE", "vi") or "vi"
    return "en" if current.startswith("en") else "vi"
