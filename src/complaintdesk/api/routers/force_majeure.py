"""Force majeure events over the API: ``/api/v1/force-majeure``.

The same rules as the web page (``web/views/force_majeure.py``), through the same services and
capabilities (``accounts.permissions``): everyone who sees complaints sees the events;
department heads, leadership and administrators declare; leadership and administrators approve,
extend and end; cancelling needs ``force_majeure.declare`` here and, for an approved event,
``force_majeure.approve`` in the service.

Retries are safe: a declaration sent with ``Idempotency-Key`` answers a retry with the event the
first request created (200, ``Idempotent-Replayed: true``); approve, extend, end and cancel whose
result is already in place answer 200 with the event unchanged (same header) instead of a
conflict. ``version`` in the body (or ``If-Match``) refuses a change with 409 when the event
changed meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.params.functions import Body, Header, Path
from pydantic import Field, StringConstraints

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.api.children import MAX_ID
from complaintdesk.api.complaints import ERRORS, IDEMPOTENCY_RE, expected_version
from complaintdesk.api.errors import ApiError, lang_of
from complaintdesk.api.models import IdempotentRequest
from complaintdesk.api.schemas import Version, _In, _Out
from complaintdesk.api.serializers import _t, _username
from complaintdesk.complaints.messages import msg as complaint_msg
from complaintdesk.complaints.schemas import When
from complaintdesk.core.clock import supported_year
from complaintdesk.core.errors import (
    Conflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from complaintdesk.force_majeure import services
from complaintdesk.force_majeure.messages import STATUS_LABELS
from complaintdesk.force_majeure.messages import msg as fm_msg
from complaintdesk.force_majeure.models import EventStatus, ForceMajeureEvent

router = Router(tags=["force majeure"])

# Base64 of a file that fits the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2 MiB).
MAX_EVIDENCE_BASE64 = 4 * 1024 * 1024

# The refusal that names who may (the generic one where the service's text would not fit).
FORBIDDEN: dict[str, tuple[str, str]] = {
    "declare": fm_msg("forbidden_declare"),
    "approve": fm_msg("forbidden_approve"),
    "extend": fm_msg("forbidden_approve"),
}
EVENT_CONFLICT = (
    "Sự kiện đã được người khác cập nhật; hãy tải lại rồi thử lại.",
    "Someone else updated this event; reload and try again.",
)
EVENT_NOT_FOUND = ("Không tìm thấy sự kiện bất khả kháng.", "Force majeure event not found.")
# The services name the evidence file ``evidence_file`` (the web form's field).
SERVICE_FIELDS = {"evidence_file": "evidence", "file": "evidence"}


# --- what the routes accept and answer ----------------------------------------------------------


class EvidenceIn(_In):
    name: Annotated[str, StringConstraints(max_length=255)] = ""
    content_base64: Annotated[str, StringConstraints(min_length=1, max_length=MAX_EVIDENCE_BASE64)]


class DeclareIn(_In):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    starts_at: When
    ends_at: When | None = None  # open-ended when absent
    scope: Annotated[str, StringConstraints(max_length=10)] = "all"
    scope_value: Annotated[str, StringConstraints(max_length=200)] = ""
    evidence_url: Annotated[str, StringConstraints(max_length=500)] = ""
    evidence: EvidenceIn | None = None
    notify_customers: bool = True


class VersionIn(_In):
    version: Version | None = None


class ExtendIn(_In):
    ends_at: When | None  # required; null makes the event open-ended again
    version: Version | None = None


class EndIn(_In):
    at: When | None = None  # when it ended (default now; never in the future)
    version: Version | None = None


class CancelIn(_In):
    note: Annotated[str, StringConstraints(max_length=500)] = ""
    version: Version | None = None


class EventListParams(Schema):
    status: Annotated[str, StringConstraints(max_length=10)] = ""
    cursor: Annotated[str, StringConstraints(max_length=200)] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 25


class EvidenceOut(_Out):
    url: str  # the link given at declaration
    name: str  # the stored file's name ("" without a file)
    sha256: str
    download: str | None  # the API address of the stored file


class EventOut(_Out):
    id: int
    reason: str
    status: str
    status_label: str
    starts_at: datetime
    ends_at: datetime | None
    scope: str
    scope_value: str
    evidence: EvidenceOut
    notify_customers: bool
    declared_by: str | None
    declared_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    version: int
    clocks_applied: bool  # the clocks in scope reflect this version (applied in the background)


class EventPage(_Out):
    items: list[EventOut]
    next_cursor: str | None


def event_out(event: ForceMajeureEvent, lang: str) -> dict[str, Any]:
    labels = STATUS_LABELS.get(event.status, (event.status, event.status))
    download = None
    if event.evidence_file:
        download = reverse("api:force_majeure_evidence", kwargs={"event_id": event.pk})
    return {
        "id": event.pk,
        "reason": event.reason,
        "status": event.status,
        "status_label": labels[1] if lang == "en" else labels[0],
        "starts_at": _t(event.starts_at),
        "ends_at": _t(event.ends_at),
        "scope": event.scope,
        "scope_value": event.scope_value,
        "evidence": {
            "url": event.evidence_url,
            "name": event.evidence_name,
            "sha256": event.evidence_sha256,
            "download": download,
        },
        "notify_customers": event.notify_customers,
        "declared_by": _username(event.declared_by),
        "declared_at": _t(event.declared_at),
        "approved_by": _username(event.approved_by),
        "approved_at": _t(event.approved_at),
        "closed_by": _username(event.closed_by),
        "closed_at": _t(event.closed_at),
        "version": event.version,
        "clocks_applied": event.applied_version >= event.version,
    }


# --- helpers ------------------------------------------------------------------------------------


def _require(request: HttpRequest, capability: str, operation: str = "") -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not has_capability(user, capability):
        pair = FORBIDDEN.get(operation)
        raise PermissionRefused(*pair) if pair else PermissionRefused()
    return user


def _events() -> QuerySet[ForceMajeureEvent]:
    return ForceMajeureEvent.objects.select_related("declared_by", "approved_by", "closed_by")


def _get(event_id: int) -> ForceMajeureEvent:
    event = _events().filter(pk=event_id).first()
    if event is None:
        raise NotFound(*EVENT_NOT_FOUND)
    return event


def _out(request: HttpRequest, event: ForceMajeureEvent, response: HttpResponse | None) -> Any:
    if response is not None:
        response["ETag"] = f'"{event.version}"'
    return event_out(event, lang_of(request))


def _answer(request: HttpRequest, event_id: int, response: HttpResponse | None = None) -> Any:
    return _out(request, _get(event_id), response)


def _replayed(request: HttpRequest, response: HttpResponse, event: ForceMajeureEvent) -> Any:
    response["Idempotent-Replayed"] = "true"
    return _out(request, event, response)


def _service_call(call: Any, fields: dict[str, str] | None = None) -> None:
    """Run a service; its field names and its conflict message are put in the API's terms."""
    names = {**SERVICE_FIELDS, **(fields or {})}
    try:
        call()
    except Conflict:
        raise Conflict(*EVENT_CONFLICT) from None
    except ValidationFailed as exc:
        raise ValidationFailed(
            {names.get(field, field): pair for field, pair in exc.errors.items()}
        ) from None


def _aware(**values: datetime | None) -> None:
    """Times without a zone are refused on their own field (as intake refuses them)."""
    naive = {
        name: complaint_msg("naive_datetime") for name, v in values.items() if v and not v.tzinfo
    }
    if naive:
        raise ValidationFailed(naive)


def _encode_cursor(event: ForceMajeureEvent) -> str:
    raw = json.dumps([event.starts_at.isoformat(), event.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        if len(cursor) > 300:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        starts, pk = json.loads(raw)
        value = datetime.fromisoformat(starts)
        if value.tzinfo is None or not supported_year(value):
            raise ValueError(cursor)
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= MAX_ID:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "invalid_cursor", field="cursor") from None
    return value, pk


# --- reading ------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: EventPage, **ERRORS},
    url_name="force_majeure_list",
    summary="List force majeure events (newest start first; filter by status)",
)
def list_events(request: HttpRequest, params: Query[EventListParams]) -> dict[str, Any]:
    _require(request, "complaint.view")
    qs = _events().order_by("-starts_at", "-pk")
    if params.status:
        if params.status not in EventStatus.values:
            raise ValidationFailed(
                {"status": complaint_msg("invalid_choice", value=params.status[:40])}
            )
        qs = qs.filter(status=params.status)
    if params.cursor:
        starts, pk = _decode_cursor(params.cursor)
        qs = qs.filter(Q(starts_at__lt=starts) | Q(starts_at=starts, pk__lt=pk))
    rows = list(qs[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    lang = lang_of(request)
    return {
        "items": [event_out(e, lang) for e in rows],
        "next_cursor": _encode_cursor(rows[-1]) if more else None,
    }


@router.get(
    "/{event_id}",
    response={200: EventOut, **ERRORS},
    url_name="force_majeure_detail",
    summary="One force majeure event",
)
def detail(
    request: HttpRequest, response: HttpResponse, event_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    _require(request, "complaint.view")
    return _answer(request, event_id, response)


@router.get(
    "/{event_id}/evidence",
    response={200: None, **ERRORS},
    url_name="force_majeure_evidence",
    summary="Download the event's evidence file",
)
def evidence(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)) -> FileResponse:
    _require(request, "complaint.view")
    event = _get(event_id)
    if not event.evidence_file:
        raise NotFound("Sự kiện không có tệp bằng chứng.", "The event has no evidence file.")
    try:
        handle = event.evidence_file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(
            "Tệp không còn trong kho lưu trữ.", "The file is no longer stored."
        ) from None
    content_type = mimetypes.guess_type(event.evidence_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=event.evidence_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- declaring ----------------------------------------------------------------------------------


def _request_hash(payload: DeclareIn) -> str:
    """The same declaration gives the same hash (times compared as instants, in any zone)."""
    data = payload.model_dump(mode="json")
    for name in ("starts_at", "ends_at"):
        value = getattr(payload, name)
        data[name] = value.astimezone(UTC).isoformat() if value and value.tzinfo else data[name]
    body = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(scope: str, key: str, request_hash: str) -> int | None:
    """The event a first request with this key declared, or None; 422 if the key was used for a
    different declaration."""
    row = IdempotentRequest.objects.filter(scope=scope, key=key, object_id__isnull=False).first()
    if row is None or row.object_id is None:
        return None
    if row.request_hash != request_hash:
        vi, en = complaint_msg("idempotency_mismatch")
        raise ServiceError(
            code="idempotency_mismatch",
            message_vi=vi,
            message_en=en,
            field="Idempotency-Key",
            status=422,
        )
    if not ForceMajeureEvent.objects.filter(pk=row.object_id).exists():
        row.delete()  # the event was removed (admin): the key may declare again
        return None
    return row.object_id


def _evidence_bytes(payload: DeclareIn) -> bytes | None:
    if payload.evidence is None:
        return None
    try:
        return base64.b64decode(payload.evidence.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({"evidence.content_base64": complaint_msg("invalid")}) from None


@router.post(
    "",
    response={201: EventOut, 200: EventOut, **ERRORS},
    url_name="force_majeure_declare",
    summary="Declare a force majeure event (waits for leadership's approval)",
)
def declare(
    request: HttpRequest,
    response: HttpResponse,
    payload: DeclareIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
) -> tuple[int, Any]:
    """Evidence is required: ``evidence_url`` and/or ``evidence`` (a picture or PDF as base64,
    checked by content; the whole body stays under 2 MiB). With an ``Idempotency-Key`` header a
    retry answers with the first request's event (200, ``Idempotent-Replayed: true``)."""
    user = _require(request, "force_majeure.declare", "declare")
    if idempotency_key and not IDEMPOTENCY_RE.match(idempotency_key):
        raise ApiError(422, "invalid", field="Idempotency-Key")
    key = idempotency_key  # (the pattern above admits no whitespace)
    scope = f"force_majeure.declare:user:{user.pk}"
    request_hash = _request_hash(payload) if key else ""
    if key and (first := _replay(scope, key, request_hash)) is not None:
        return 200, _replayed(request, response, _get(first))
    _aware(starts_at=payload.starts_at, ends_at=payload.ends_at)
    content = _evidence_bytes(payload)
    created: list[ForceMajeureEvent] = []

    def run() -> None:
        with transaction.atomic():
            claim = (
                IdempotentRequest.objects.create(scope=scope, key=key, request_hash=request_hash)
                if key
                else None
            )
            event = services.force_majeure_declare(
                actor=user,
                reason=payload.reason,
                starts_at=payload.starts_at,
                ends_at=payload.ends_at,
                scope=payload.scope,
                scope_value=payload.scope_value,
                evidence_name=payload.evidence.name if payload.evidence else "",
                evidence_content=content,
                evidence_url=payload.evidence_url,
                notify_customers=payload.notify_customers,
            )
            if claim is not None:
                IdempotentRequest.objects.filter(pk=claim.pk).update(object_id=event.pk)
            created.append(event)

    try:
        _service_call(run)
    except IntegrityError:
        # A parallel request with the same key committed first: answer as a retry would.
        if key and (first := _replay(scope, key, request_hash)) is not None:
            return 200, _replayed(request, response, _get(first))
        raise
    event_id = created[0].pk
    response["Location"] = f"{request.path.rstrip('/')}/{event_id}"
    return 201, _answer(request, event_id, response)


# --- approve, extend, end, cancel ---------------------------------------------------------------


def _operate(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int,
    operation: str,
    version: int | None,
    if_match: str,
    done: Any,
    call: Any,
    times: dict[str, datetime | None] | None = None,
    fields: dict[str, str] | None = None,
) -> Any:
    """Check the web page's capability, answer a repeat whose result is in place, else call the
    service (``fields`` renames the service's fields to the route's)."""
    user = _require(request, services.OPERATION_CAPABILITIES[operation], operation)
    _aware(**(times or {}))
    event = _get(event_id)
    if done(event):
        return _replayed(request, response, event)
    expected = expected_version(version, if_match)
    _service_call(lambda: call(event, user, expected), fields)
    return _answer(request, event.pk, response)


OPERATION_RESPONSES: dict[Any, Any] = {200: EventOut, **ERRORS}


@router.post(
    "/{event_id}/approve",
    response=OPERATION_RESPONSES,
    url_name="force_majeure_approve",
    summary="Approve a declared event: the clocks in scope stop for its window",
)
def approve(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    payload: VersionIn = Body(None),  # noqa: B008 - ninja's parameter declaration
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> Any:
    payload = payload or VersionIn()
    return _operate(
        request,
        response,
        event_id,
        "approve",
        payload.version,
        if_match,
        lambda e: e.status == EventStatus.APPROVED,
        lambda e, user, v: services.force_majeure_approve(event=e, actor=user, expected_version=v),
    )


@router.post(
    "/{event_id}/extend",
    response=OPERATION_RESPONSES,
    url_name="force_majeure_extend",
    summary="Move the end of a pending or approved event (null: open-ended)",
)
def extend(
    request: HttpRequest,
    response: HttpResponse,
    payload: ExtendIn,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> Any:
    return _operate(
        request,
        response,
        event_id,
        "extend",
        payload.version,
        if_match,
        lambda e: (
            e.status in (EventStatus.PENDING, EventStatus.APPROVED) and e.ends_at == payload.ends_at
        ),
        lambda e, user, v: services.force_majeure_extend(
            event=e, actor=user, ends_at=payload.ends_at, expected_version=v
        ),
        {"ends_at": payload.ends_at},
    )


@router.post(
    "/{event_id}/end",
    response=OPERATION_RESPONSES,
    url_name="force_majeure_end",
    summary="The event is over (at `at`, default now): the clocks resume",
)
def end(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    payload: EndIn = Body(None),  # noqa: B008 - ninja's parameter declaration
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> Any:
    payload = payload or EndIn()
    return _operate(
        request,
        response,
        event_id,
        "end",
        payload.version,
        if_match,
        lambda e: e.status == EventStatus.ENDED,
        lambda e, user, v: services.force_majeure_end(
            event=e, actor=user, at=payload.at, expected_version=v
        ),
        {"at": payload.at},
        {"ends_at": "at"},  # the service names the end ``ends_at``
    )


@router.post(
    "/{event_id}/cancel",
    response=OPERATION_RESPONSES,
    url_name="force_majeure_cancel",
    summary="Withdraw an event; an approved one gives the paused time back",
)
def cancel(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    payload: CancelIn = Body(None),  # noqa: B008 - ninja's parameter declaration
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> Any:
    payload = payload or CancelIn()
    return _operate(
        request,
        response,
        event_id,
        "cancel",
        payload.version,
        if_match,
        lambda e: e.status == EventStatus.CANCELLED,
        lambda e, user, v: services.force_majeure_cancel(
            event=e, actor=user, note=payload.note, expected_version=v
        ),
    )
