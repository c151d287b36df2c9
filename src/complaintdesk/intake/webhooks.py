"""The providers' webhooks: Facebook Messenger, Zalo OA and the call centre.

Each view checks the signature over the raw body before reading it, answers quickly and never
with a 500 for a bad payload:

- wrong or missing signature → 401/403, logged with the sender's address and the body's size,
  never its content (personal data);
- unreadable payload → 400, kept as a ``malformed`` InboundRecord for inspection;
- a message → kept as a ``queued`` InboundRecord (one INSERT, committed before the 200) and
  filed by the worker (``intake.queue``); a redelivery only counts a delivery.

They are exempt from CSRF (the signature replaces it), reached without the browser middleware
(``intake.middleware``) and rate-limited per address: volume in this process
(``WEBHOOK_RATE``), refusals in the shared cache (``WEBHOOK_FAILURE_RATE``).
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from complaintdesk.core.clock import utcnow
from complaintdesk.intake.base import IGNORED, MALFORMED, InboundRejected, payload_id
from complaintdesk.intake.conf import channel_settings_cached as channel_settings
from complaintdesk.intake.facebook import parse as facebook
from complaintdesk.intake.hotline import parse as hotline
from complaintdesk.intake.hotline.services import call_event_record
from complaintdesk.intake.queue import QueuedEvent, inbound_queue
from complaintdesk.intake.ratelimit import allow, client_ip, local_counter, rate, too_many
from complaintdesk.intake.services import intake_reject
from complaintdesk.intake.zalo import parse as zalo

logger = logging.getLogger(__name__)


def _limited(request: HttpRequest, channel: str) -> HttpResponse | None:
    """Volume per address, counted in this process: a signed provider's traffic never waits on
    the shared cache (see ``_refused`` for the addresses that send what we refuse)."""
    limit, window = rate("WEBHOOK_RATE", "1200/60")
    ip = client_ip(request)
    if not local_counter.allow(f"webhook-{channel}", ip, limit=limit, window=window):
        logger.warning("%s webhook: rate limit reached by %s", channel, ip)
        return too_many(window)
    return None


def _refused(request: HttpRequest, channel: str, reason: str, status: int) -> HttpResponse:
    """Refusals are counted per address in the shared cache; past ``WEBHOOK_FAILURE_RATE`` the
    address is answered 429 (it is probing, not a provider with a wrong secret)."""
    ip = client_ip(request)
    # The address and the size only: the body holds customers' personal data.
    logger.warning(
        "%s webhook refused (%s) from %s, %d bytes", channel, reason, ip, len(request.body)
    )
    limit, window = rate("WEBHOOK_FAILURE_RATE", "60/600")
    if not allow(f"webhook-refused-{channel}", ip, limit=limit, window=window):
        return too_many(window)
    return JsonResponse({"error": "unauthorized", "reason": reason}, status=status)


def _keep(channel: str, raw: bytes, status: str, reason: str, pmid: str = "") -> None:
    now = utcnow()
    intake_reject(
        InboundRejected(channel, pmid or payload_id(raw), status, reason[:500], now, raw), now=now
    )


def _malformed(channel: str, raw: bytes, reason: str) -> JsonResponse:
    logger.warning("%s webhook: malformed payload (%s), %d bytes kept", channel, reason, len(raw))
    _keep(channel, raw, MALFORMED, reason)
    return JsonResponse({"error": "malformed", "reason": reason}, status=400)


def _verify_token(request: HttpRequest) -> HttpResponse:
    """Meta's set-up check: echo ``hub.challenge`` when the verify token matches."""
    expected = channel_settings("facebook").get("verify_token")
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (
        mode == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
        and challenge
    ):
        return HttpResponse(challenge[:200], content_type="text/plain; charset=utf-8")
    logger.warning("facebook webhook: verification refused from %s", client_ip(request))
    return HttpResponse("Forbidden", status=403, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def facebook_webhook(request: HttpRequest) -> HttpResponse:
    refused = _limited(request, "facebook")
    if refused is not None:
        return refused
    if request.method == "GET":
        return _verify_token(request)
    config = channel_settings("facebook")
    if not config.enabled:
        return _refused(request, "facebook", "channel disabled", 403)
    raw = request.body
    header = request.META.get("HTTP_X_HUB_SIGNATURE_256", "")
    if not header:
        return _refused(request, "facebook", "missing signature", 401)
    if not facebook.signature_valid(raw, header, config.get("app_secret")):
        return _refused(request, "facebook", "bad signature", 403)
    now = utcnow()
    try:
        events, ignored = facebook.split_payload(raw, now)
    except facebook.PayloadInvalid as exc:
        return _malformed("facebook", raw, str(exc))
    if not events:
        _keep("facebook", raw, IGNORED, ignored)
        return HttpResponse("EVENT_RECEIVED", content_type="text/plain")
    inbound_queue(channel="facebook", events=events, now=now)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@csrf_exempt
@require_POST
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    refused = _limited(request, "zalo")
    if refused is not None:
        return refused
    config = channel_settings("zalo")
    if not config.enabled:
        return _refused(request, "zalo", "channel disabled", 403)
    raw = request.body
    header = request.META.get("HTTP_X_ZEVENT_SIGNATURE", "")
    if not header:
        return _refused(request, "zalo", "missing signature", 401)
    valid = zalo.signature_valid(
        raw, header, app_id=config.get("app_id"), secret=config.get("oa_secret_key")
    )
    if not valid:
        return _refused(request, "zalo", "bad signature", 403)
    try:
        data = zalo.read(raw)
    except zalo.PayloadInvalid as exc:
        return _malformed("zalo", raw, str(exc))
    now = utcnow()
    pmid = zalo.event_id(data, raw)
    if not zalo.is_message(data):
        _keep("zalo", raw, IGNORED, f"event {str(data['event_name'])[:60]}", pmid)
        return JsonResponse({"status": "ignored"})
    sender = zalo.sender_id(data)
    result = inbound_queue(
        channel="zalo",
        events=[QueuedEvent(pmid, raw, now, sender=sender, thread_key=sender)],
        now=now,
    )
    return JsonResponse({"status": "duplicate" if result.duplicates else "queued"})


@csrf_exempt
@require_POST
def hotline_webhook(request: HttpRequest) -> HttpResponse:
    refused = _limited(request, "hotline")
    if refused is not None:
        return refused
    config = channel_settings("hotline")
    if not config.enabled:
        return _refused(request, "hotline", "channel disabled", 403)
    raw = request.body
    now = utcnow()
    header = request.META.get("HTTP_X_HOTLINE_SIGNATURE", "")
    reason = hotline.check_signature(
        raw,
        header=header,
        timestamp=request.META.get("HTTP_X_HOTLINE_TIMESTAMP", ""),
        secret=config.get("webhook_secret"),
        now=now,
        max_skew=int(getattr(settings, "HOTLINE_MAX_SKEW_SECONDS", 300)),
    )
    if reason:
        return _refused(request, "hotline", reason, 401 if not header else 403)
    try:
        event = hotline.parse(raw, now)
    except hotline.PayloadInvalid as exc:
        return _malformed("hotline", raw, str(exc))
    recorded = call_event_record(event=event, raw=raw, now=now)
    return JsonResponse(
        {"status": "duplicate" if recorded.duplicate else "ok", "call": recorded.call.call_id}
    )
