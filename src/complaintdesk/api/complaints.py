"""Complaint records: intake, the list, one record, its editable fields and lifecycle actions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.params.functions import Body, Header

from complaintdesk.accounts.models import Department, User
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.api.errors import ApiError, lang_of
from complaintdesk.api.routers.search import search_list
from complaintdesk.api.schemas import (
    ActionIn,
    ComplaintDetail,
    ComplaintOut,
    ComplaintPage,
    ComplaintPatch,
    ErrorOut,
    ListParams,
)
from complaintdesk.api.serializers import complaint_detail, complaint_out, list_item
from complaintdesk.complaints import selectors
from complaintdesk.complaints.messages import msg
from complaintdesk.complaints.models import Category, Complaint, Priority
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import (
    complaint_create,
    complaint_transition,
    complaint_update,
)
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.core.errors import NotFound, PermissionRefused, ValidationFailed

router = Router(tags=["complaints"])

ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 413, 422}): ErrorOut}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,31}$")
IDEMPOTENCY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")


def actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def require(request: HttpRequest, capability: str) -> User:
    user = actor(request)
    if not has_capability(user, capability):
        raise PermissionRefused()
    return user


def find(request: HttpRequest, code: str) -> Complaint:
    """The complaint in the caller's scope; 404 for anything else (existence is not revealed)."""
    if not CODE_RE.match(code):
        raise NotFound("Không tìm thấy phiếu.", "Complaint not found.")
    user = require(request, "complaint.view")
    return selectors.complaint_get(user=user, code=code)


def expected_version(body_version: int | None, if_match: str) -> int | None:
    """The version the caller last saw: the body's ``version``, else ``If-Match: <version>``."""
    if body_version is not None:
        return body_version
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise ApiError(422, "invalid_version", field="If-Match")
    return int(value)


def detail_response(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    fresh = selectors.complaint_reload(complaint.pk)
    return complaint_detail(fresh, actor(request), lang_of(request))


def _local(value: datetime | None) -> datetime | None:
    """Query filters without a zone are read in Vietnam time."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value


@router.post(
    "/complaints",
    response={201: ComplaintOut, 200: ComplaintOut, **ERRORS},
    url_name="complaint_create",
    summary="Take in a complaint, request or feedback (any channel)",
)
def create(
    request: HttpRequest,
    response: HttpResponse,
    payload: ComplaintIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
) -> tuple[int, dict[str, Any]]:
    """With an ``Idempotency-Key`` header a retried request answers with the complaint the first
    one created (``Idempotent-Replayed: true``); the same key with a different body is refused."""
    user = require(request, "complaint.create")
    if idempotency_key and not IDEMPOTENCY_RE.match(idempotency_key):
        raise ApiError(422, "invalid", field="Idempotency-Key")
    result = complaint_create(actor=user, data=payload, idempotency_key=idempotency_key)
    # A new complaint is answered from the instance the service saved (its customer, category,
    # department and assignee are loaded already); a replay reads the first request's record.
    complaint = (
        result.complaint if result.created else selectors.complaint_reload(result.complaint.pk)
    )
    response["Location"] = f"{request.path.rstrip('/')}/{complaint.code}"
    if not result.created:
        response["Idempotent-Replayed"] = "true"
    return (201 if result.created else 200), complaint_out(
        complaint, lang_of(request), clocks=result.clocks
    )


@router.get(
    "/complaints",
    response={200: ComplaintPage, **ERRORS},
    url_name="complaint_list",
    summary="List complaints (filters, cursor pagination)",
)
def list_complaints(request: HttpRequest, filters: Query[ListParams]) -> dict[str, Any]:
    """Newest first, or ``order=deadline`` for the nearest running deadline first (complaints
    without one come last). Follow ``next_cursor`` until it is null; there is no total count."""
    user = require(request, "complaint.view")
    if filters.q.strip():  # a search: ranked by relevance instead (api/routers/search.py)
        return search_list(request, user, filters)
    page = selectors.complaint_list(
        user=user,
        filters=selectors.ComplaintFilters(
            status=filters.status,
            channel=filters.channel,
            kind=filters.kind,
            department=filters.department,
            assignee=filters.assignee,
            phone=filters.phone,
            category=filters.category,
            received_from=_local(filters.received_from),
            received_to=_local(filters.received_to),
        ),
        cursor=filters.cursor or None,
        limit=filters.limit,
        order=filters.order,
    )
    lang = lang_of(request)
    return {"items": [list_item(c, lang) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/complaints/{code}",
    response={200: ComplaintDetail, **ERRORS},
    url_name="complaint_detail",
    summary="One complaint with its customer, tasks, notes, attachments, clocks and timeline",
)
def detail(request: HttpRequest, response: HttpResponse, code: str) -> dict[str, Any]:
    complaint = find(request, code)
    response["ETag"] = f'"{complaint.version}"'
    return complaint_detail(complaint, actor(request), lang_of(request))


def _patch_changes(patch: ComplaintPatch, user: User) -> dict[str, Any]:
    sent = patch.model_fields_set - {"version"}
    changes: dict[str, Any] = {}
    for name in ("subject", "description", "priority", "vulnerable"):
        if name in sent and getattr(patch, name) is None:
            raise ValidationFailed({name: msg("required")})  # null cannot clear these
    for name in ("subject", "description", "vulnerable"):
        if name in sent:
            changes[name] = getattr(patch, name)
    if "priority" in sent and patch.priority is not None:
        if patch.priority not in Priority.values:
            raise ValidationFailed({"priority": msg("invalid_choice", value=patch.priority[:40])})
        changes["priority"] = patch.priority
    if "category" in sent:
        category = None
        if patch.category:
            category = Category.objects.filter(code=patch.category).first()
            if category is None:
                raise ValidationFailed({"category": msg("unknown_category")})
        changes["category_id"] = category.pk if category else None
    if "department" in sent:
        department = None
        if patch.department:
            department = Department.objects.filter(code=patch.department).first()
            if department is None:
                raise ValidationFailed({"department": msg("unknown_department")})
        changes["department_id"] = department.pk if department else None
    if "assignee" in sent:
        assignee = None
        if patch.assignee:
            assignee = User.objects.filter(username=patch.assignee, is_active=True).first()
            if assignee is None:
                raise ValidationFailed({"assignee": msg("unknown_user")})
        changes["assignee_id"] = assignee.pk if assignee else None
    needs = set()
    if set(changes) - {"department_id", "assignee_id"}:
        needs.add("complaint.edit")
    if set(changes) & {"department_id", "assignee_id"}:
        needs.add("complaint.assign")
    if not all(has_capability(user, capability) for capability in needs):
        raise PermissionRefused()
    return changes


@router.patch(
    "/complaints/{code}",
    response={200: ComplaintDetail, **ERRORS},
    url_name="complaint_update",
    summary="Change subject, description, category, priority, vulnerable, department, assignee",
)
def update(
    request: HttpRequest,
    code: str,
    payload: ComplaintPatch,
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> dict[str, Any]:
    complaint = find(request, code)
    changes = _patch_changes(payload, actor(request))
    version = expected_version(payload.version, if_match)
    complaint = complaint_update(
        complaint=complaint, actor=actor(request), changes=changes, expected_version=version
    )
    return detail_response(request, complaint)


@router.post(
    "/complaints/{code}/actions/{action}",
    response={200: ComplaintDetail, **ERRORS},
    url_name="complaint_action",
    summary="Take a lifecycle action (acknowledge, answer_now, resolve, escalate, …)",
)
def take_action(
    request: HttpRequest,
    code: str,
    action: str,
    payload: ActionIn = Body(None),  # noqa: B008 - ninja's parameter declaration
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> dict[str, Any]:
    """``inputs`` are the action's fields (see ``actions`` in the complaint detail); ``version``
    (or ``If-Match``) refuses the action with 409 if someone changed the complaint meanwhile."""
    complaint = find(request, code)
    payload = payload or ActionIn()
    complaint = complaint_transition(
        complaint=complaint,
        action=action,
        actor=actor(request),
        inputs=dict(payload.inputs),
        expected_version=expected_version(payload.version, if_match),
    )
    return detail_response(request, complaint)
