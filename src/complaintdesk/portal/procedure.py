"""The published procedure: generated from the procedure the system enforces, so the text the
company publishes and the deadlines the clocks run on cannot drift apart."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from complaintdesk.complaints.models import Channel
from complaintdesk.core.errors import NotFound
from complaintdesk.procedures.selectors import procedure_detail

PUBLIC_CHANNELS = [c for c in Channel if c not in (Channel.API,)]


def published_procedure(slug: str, lang: str) -> dict[str, Any]:
    detail = procedure_detail(slug, lang)
    definition = detail["definition"]
    en = lang.startswith("en")
    return {
        **detail,
        "organisation": settings.ORGANISATION_NAME,
        "source": definition.get("source", ""),
        "description": definition.get("description_en" if en else "description", "")
        or definition.get("description", ""),
        "channels": [c.label for c in PUBLIC_CHANNELS],
        "contact_email": settings.DEFAULT_FROM_EMAIL,
    }


def procedure_page(request: HttpRequest, slug: str = "") -> HttpResponse:
    slug = slug or settings.DEFAULT_PROCEDURE
    try:
        data = published_procedure(slug, get_language() or "vi")
    except (NotFound, LookupError) as exc:
        raise Http404 from exc
    if not data["active"]:
        raise Http404
    return render(request, "portal/procedure.html", {"p": data})
