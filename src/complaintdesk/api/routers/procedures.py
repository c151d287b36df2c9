"""Procedures as data: read the definitions and versions; an administrator validates and
publishes new versions (``procedure.edit``). Complaints keep the version they started under."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from complaintdesk.api.complaints import ERRORS, actor, require
from complaintdesk.api.errors import lang_of
from complaintdesk.core.errors import NotFound
from complaintdesk.procedures.models import VersionOrigin
from complaintdesk.procedures.selectors import (
    procedure_detail,
    procedure_list,
    procedure_version_get,
)
from complaintdesk.procedures.services import procedure_publish, procedure_validate

router = Router(tags=["procedures"])

MAX_VERSION = 2**31 - 1


class ProcedureOut(Schema):
    slug: str
    name: str
    active: bool
    current_version: int


class VersionSummary(Schema):
    version: int
    created_at: datetime
    origin: str
    note: str
    created_by: str


class ProcedureDetail(ProcedureOut):
    versions: list[VersionSummary]
    definition: dict[str, Any]


class VersionOut(Schema):
    slug: str
    version: int
    created_at: datetime
    origin: str
    note: str
    source: str
    definition: dict[str, Any]


class SourceIn(Schema):
    source: str
    note: str = ""


class ValidOut(Schema):
    valid: bool
    definition: dict[str, Any]


def _version_out(v: Any) -> dict[str, Any]:
    return {
        "slug": v.procedure.slug,
        "version": v.version,
        "created_at": v.created_at,
        "origin": v.origin,
        "note": v.note,
        "source": v.source,
        "definition": v.definition,
    }


@router.get("", response={200: list[ProcedureOut], **ERRORS}, url_name="procedure_list")
def list_procedures(request: HttpRequest) -> list[dict[str, Any]]:
    return procedure_list(lang_of(request))


@router.get("/{slug}", response={200: ProcedureDetail, **ERRORS}, url_name="procedure_detail")
def get_procedure(request: HttpRequest, slug: str) -> dict[str, Any]:
    return procedure_detail(slug, lang_of(request))


@router.get(
    "/{slug}/versions/{version}", response={200: VersionOut, **ERRORS}, url_name="procedure_version"
)
def get_version(request: HttpRequest, slug: str, version: int) -> dict[str, Any]:
    if not 1 <= version <= MAX_VERSION:
        raise NotFound("Không tìm thấy phiên bản quy trình.", "Procedure version not found.")
    return _version_out(procedure_version_get(slug, version))


@router.post("/{slug}/validate", response={200: ValidOut, **ERRORS}, url_name="procedure_validate")
def validate(request: HttpRequest, slug: str, payload: SourceIn) -> dict[str, Any]:
    """Check a definition without publishing it: 200 with the normalised form, or 422 with one
    message per path (``clocks[1].target: …``)."""
    require(request, "procedure.edit")
    definition = procedure_validate(slug=slug, source=payload.source)
    return {"valid": True, "definition": definition.to_dict()}


@router.post("/{slug}/versions", response={201: VersionOut, **ERRORS}, url_name="procedure_publish")
def publish(request: HttpRequest, slug: str, payload: SourceIn) -> tuple[int, dict[str, Any]]:
    """Publish the next version of ``slug`` (creating the procedure if new)."""
    user = require(request, "procedure.edit")
    version = procedure_publish(
        slug=slug,
        source=payload.source,
        actor=actor(request) or user,
        note=payload.note,
        origin=VersionOrigin.API,
    )
    return 201, _version_out(version)
