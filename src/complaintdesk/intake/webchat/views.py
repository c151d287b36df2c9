"""The chat widget: the script tag, the panel page, the visitor's endpoints and the event stream.

The site adds ``<script src="https://<desk>/webhooks/chat/widget.js" async></script>``; the
script shows a button that opens our panel page in an iframe (so the panel talks only to its own
origin: no CORS). The visitor's signed session token is kept in the panel's localStorage and sent
with every request. Agent replies reach the open panel through ``chat_stream``: a short-lived
server-sent-events response that looks for new lines every ``CHAT_STREAM_POLL_SECONDS`` for up to
``CHAT_STREAM_SECONDS`` and then closes; the browser's EventSource reconnects by itself with
``Last-Event-ID``, so nothing is missed and no worker is held for long.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability, scope_complaints
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.uploads import inspect_upload
from complaintdesk.core.clock import local
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.core.formvalues import ascii_int
from complaintdesk.core.jsonbody import JsonRefused, loads
from complaintdesk.intake.base import InboundAttachment
from complaintdesk.intake.ratelimit import allow, client_ip, rate, too_many
from complaintdesk.intake.webchat.frames import frameable, language
from complaintdesk.intake.webchat.models import ChatLine, ChatSession
from complaintdesk.intake.webchat.services import (
    chat_message_receive,
    chat_reply_send,
    chat_session_start,
    contact_clean,
)
from complaintdesk.intake.webchat.tokens import chat_session_id, chat_token


def _lang(request: HttpRequest) -> str:
    return language(request)


def _body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = loads(request.body or b"{}")
        except JsonRefused:
            return {}
        return data if isinstance(data, dict) else {}
    return {k: request.POST.get(k, "") for k in request.POST}


def _session(request: HttpRequest, data: dict[str, Any] | None = None) -> ChatSession | None:
    token = request.headers.get("X-Chat-Token") or (data or {}).get("t") or request.GET.get("t")
    session_id = chat_session_id(str(token) if token else None)
    return ChatSession.objects.filter(session_id=session_id).first() if session_id else None


def _invalid(exc: ValidationFailed, lang: str) -> JsonResponse:
    errors = {field: (en if lang == "en" else vi) for field, (vi, en) in exc.errors.items()}
    return JsonResponse({"error": "invalid", "errors": errors}, status=422)


def _no_session() -> JsonResponse:
    return JsonResponse(
        {
            "error": "no_session",
            "message": "Phiên trò chuyện không hợp lệ hoặc đã hết hạn.",
            "message_en": "The conversation is invalid or has expired.",
        },
        status=403,
    )


def line_json(line: ChatLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "direction": line.direction,
        "text": line.text,
        "file": line.attachment_name,
        "author": line.author_name,
        "at": local(line.created_at).strftime("%H:%M %d/%m/%Y"),
    }


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "intake/webchat/widget.js",
        {"panel_path": reverse("intake:chat_panel")},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def chat_panel(request: HttpRequest) -> HttpResponse:
    lang = _lang(request)
    with translation.override(lang):
        response = render(request, "intake/webchat/panel.html", {"lang": lang})
    response["Cache-Control"] = "no-store"
    return frameable(response)


@csrf_exempt
@require_POST
def chat_start(request: HttpRequest) -> JsonResponse:
    lang = _lang(request)
    limit, window = rate("CHAT_SESSION_RATE", "10/3600")
    if not allow("chat-session", client_ip(request), limit=limit, window=window):
        return too_many(window)
    data = _body(request)
    try:
        contact = contact_clean(
            name=str(data.get("name", "")),
            phone=str(data.get("phone", "")),
            email=str(data.get("email", "")),
        )
    except ValidationFailed as exc:
        return _invalid(exc, lang)
    session = chat_session_start(contact=contact, language=lang)
    return JsonResponse({"token": chat_token(session.session_id), "name": session.name}, status=201)


def _limited(request: HttpRequest, session: ChatSession) -> JsonResponse | None:
    limit, window = rate("CHAT_MESSAGE_RATE_IP", "60/60")
    if not allow("chat-ip", client_ip(request), limit=limit, window=window):
        return too_many(window)
    limit, window = rate("CHAT_MESSAGE_RATE_SESSION", "20/60")
    if not allow("chat-session-msg", session.session_id, limit=limit, window=window):
        return too_many(window)
    return None


def _receipt(receipt: Any) -> JsonResponse:
    return JsonResponse(
        {"ok": True, "line": line_json(receipt.line), "code": receipt.complaint_code}, status=201
    )


@csrf_exempt
@require_POST
def chat_send(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    session = _session(request, data)
    if session is None:
        return _no_session()
    refused = _limited(request, session)
    if refused is not None:
        return refused
    try:
        receipt = chat_message_receive(
            session=session,
            text=str(data.get("text", "")),
            client_id=str(data.get("client_id", "")),
        )
    except ValidationFailed as exc:
        return _invalid(exc, _lang(request))
    return _receipt(receipt)


@csrf_exempt
@require_POST
def chat_upload(request: HttpRequest) -> JsonResponse:
    """A picture from the visitor, checked by its content before anything is recorded."""
    session = _session(request, {"t": request.POST.get("t", "")})
    if session is None:
        return _no_session()
    refused = _limited(request, session)
    if refused is not None:
        return refused
    upload = request.FILES.get("file")
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    content = upload.read(limit + 1) if upload is not None else b""
    try:
        checked = inspect_upload(name=(upload.name if upload else "") or "anh", content=content)
        receipt = chat_message_receive(
            session=session,
            text=request.POST.get("text", ""),
            client_id=request.POST.get("client_id", ""),
            attachments=(InboundAttachment(name=checked.name, content=content),),
        )
    except ValidationFailed as exc:
        return _invalid(exc, _lang(request))
    return _receipt(receipt)


def _events(session_pk: int, after: int) -> Iterator[str]:
    seconds = float(getattr(settings, "CHAT_STREAM_SECONDS", 25))
    poll = float(getattr(settings, "CHAT_STREAM_POLL_SECONDS", 1.5))
    deadline = time.monotonic() + seconds
    last = after
    yield "retry: 2000\n\n"
    while True:
        lines = list(
            ChatLine.objects.filter(session_id=session_pk, id__gt=last).order_by("id")[:50]
        )
        for line in lines:
            last = line.pk
            payload = json.dumps(line_json(line), ensure_ascii=False)
            yield f"id: {line.pk}\nevent: line\ndata: {payload}\n\n"
        if time.monotonic() >= deadline:
            return
        if not lines:
            yield ": waiting\n\n"
            time.sleep(poll)


@require_GET
def chat_stream(request: HttpRequest) -> HttpResponseBase:
    session = _session(request)
    if session is None:
        return _no_session()
    limit, window = rate("CHAT_STREAM_RATE", "60/60")
    if not allow("chat-stream", client_ip(request), limit=limit, window=window):
        return too_many(window)
    raw_after = request.headers.get("Last-Event-ID") or request.GET.get("after")
    after = ascii_int(raw_after, max_digits=18) or 0
    response = StreamingHttpResponse(_events(session.pk, after), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@login_required
@require_POST
def chat_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent's side: answer the visitor in the chat (from the complaint page)."""
    user = request.user
    if not isinstance(user, User) or not has_capability(user, "message.send"):
        raise PermissionDenied
    complaint = scope_complaints(user, Complaint.objects.filter(pk=pk)).first()
    if complaint is None:
        raise Http404
    try:
        message = chat_reply_send(
            complaint=complaint, actor=user, text=request.POST.get("text", "")
        )
    except ValidationFailed as exc:
        return _invalid(exc, getattr(request, "LANGUAGE_CODE", "vi") or "vi")
    return JsonResponse({"ok": True, "message": message.pk}, status=201)
