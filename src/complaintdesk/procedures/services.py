"""Procedures: choosing one for a complaint, publishing versions, and the runtime.

The complaint services call ``procedure_resolve`` before creating a complaint and
``procedure_apply_event`` inside the same transaction as every change, so clocks move with the
complaint:

* each clock of the complaint's procedure *version* whose ``stop`` lists the event stops (every
  clock stops on ``confirm_satisfied``, ``close_no_answer`` and ``withdraw``);
* each clock whose ``start`` lists the event (and whose ``channels``, if any, include the
  complaint's channel) starts, unless a run of it is already active. ``received`` counts from
  ``complaint.received_at``; any other event from ``now``;
* on ``received``, a vulnerable consumer's complaint is raised to the definition's
  ``priority.vulnerable``;
* the notice kinds the event triggers (``notices``) are returned for the notifications app.

Versions are immutable: ``procedure_publish`` validates the YAML text and writes version n+1;
``procedure_resolve`` pins new complaints to the current version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import NotFound, ValidationFailed
from complaintdesk.core.memo import TtlMemo
from complaintdesk.journal.services import journal_append
from complaintdesk.procedures.domain.definition import DefinitionInvalid, ProcedureDefinition
from complaintdesk.procedures.domain.parse import load_definition, parse_definition
from complaintdesk.procedures.domain.vocabulary import CLOSING_EVENTS, PRIORITIES
from complaintdesk.procedures.models import Procedure, ProcedureVersion, VersionOrigin
from complaintdesk.procedures.presets import PRESETS, checksum, preset_source, seed_presets
from complaintdesk.sla.calendars import BUILTIN_SLUGS
from complaintdesk.sla.models import Calendar
from complaintdesk.sla.services import (
    PlannedClocks,
    clock_start,
    clocks_insert_new,
    clocks_plan_new,
    clocks_stop,
)

logger = logging.getLogger(__name__)

JOURNAL_CHAIN = "sys:procedures"

_lock = threading.Lock()
_definitions: dict[str, ProcedureDefinition] = {}


# --- presets ---------------------------------------------------------------------------------


def procedure_ensure_presets(*, now: datetime | None = None) -> int:
    """Create the preset procedures that are missing (normally done by the data migration)."""
    if Procedure.objects.filter(slug__in=PRESETS).count() == len(PRESETS):
        return 0
    try:
        with transaction.atomic():
            return seed_presets(Procedure, ProcedureVersion, now or utcnow())
    except IntegrityError:
        return 0  # created by a parallel request


def procedures_sync_presets(
    *, actor: Any = None, now: datetime | None = None, force: bool = False
) -> list[ProcedureVersion]:
    """Publish a preset file that changed since its procedure's current version — unless an
    administrator edited that procedure (then only with ``force``)."""
    now = now or utcnow()
    procedure_ensure_presets(now=now)
    published: list[ProcedureVersion] = []
    for slug in PRESETS:
        current = _current_row(slug)
        source = preset_source(slug)
        if current is None or current.source == source:
            continue
        if current.origin != VersionOrigin.PRESET and not force:
            logger.info("preset %s changed but the procedure was edited; not published", slug)
            continue
        published.append(
            procedure_publish(
                slug=slug,
                source=source,
                actor=actor,
                now=now,
                origin=VersionOrigin.PRESET,
                note="Cập nhật mẫu có sẵn",
            )
        )
    return published


# --- definitions -----------------------------------------------------------------------------


def _current_row(slug: str) -> ProcedureVersion | None:
    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is None:
        return None
    return ProcedureVersion.objects.filter(
        procedure=procedure, version=procedure.current_version
    ).first()


def _checksum(slug: str, version: int) -> str | None:
    found: str | None = (
        ProcedureVersion.objects.filter(procedure__slug=slug, version=version)
        .values_list("checksum", flat=True)
        .first()
    )
    return found


def procedure_definition(slug: str, version: int) -> ProcedureDefinition:
    """The definition of ``slug`` version ``version`` (cached: versions never change)."""
    found = _checksum(slug, version)
    if found is None and slug in PRESETS:
        procedure_ensure_presets()  # by us or by a parallel request: look again either way
        found = _checksum(slug, version)
    if found is None:
        raise LookupError(f"{slug} v{version}")
    cached = _definitions.get(found)
    if cached is not None:
        return cached
    data = (
        ProcedureVersion.objects.filter(procedure__slug=slug, version=version)
        .values_list("definition", flat=True)
        .get()
    )
    definition = parse_definition(data)
    with _lock:
        _definitions[found] = definition
    return definition


def _channel_setting() -> dict[str, str]:
    raw = getattr(settings, "PROCEDURE_BY_CHANNEL", "")
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    pairs = (item.split(":", 1) for item in str(raw).split(",") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


active_procedures: TtlMemo[dict[str, tuple[int, str]]] = TtlMemo("active procedures")


def _active() -> dict[str, tuple[int, str]]:
    """slug → (current version, its checksum) of every active procedure, in one query
    (remembered for a few seconds: ``core.memo``; cleared by this app's signals)."""

    def load() -> dict[str, tuple[int, str]]:
        rows = ProcedureVersion.objects.filter(
            procedure__active=True,
            procedure__current_version__gt=0,
            version=F("procedure__current_version"),
        ).values_list("procedure__slug", "version", "checksum")
        return {slug: (version, checksum) for slug, version, checksum in rows}

    return active_procedures.get("active", load)


def _definition_of(slug: str, version: int, checksum: str) -> ProcedureDefinition:
    cached = _definitions.get(checksum)
    return cached if cached is not None else procedure_definition(slug, version)


def procedure_resolve(*, requested: str, channel: str, category_procedure: str) -> tuple[str, int]:
    """Which procedure (slug, current version) a new complaint runs under (see
    :func:`procedure_resolve_definition`)."""
    slug, version, _definition = procedure_resolve_definition(
        requested=requested, channel=channel, category_procedure=category_procedure
    )
    return slug, version


def procedure_resolve_definition(
    *, requested: str, channel: str, category_procedure: str
) -> tuple[str, int, ProcedureDefinition]:
    """Which procedure (slug, current version, its definition) a new complaint runs under.

    Order: the complaint's own ``procedure`` field; its category's procedure; the channel
    mapping (``settings.PROCEDURE_BY_CHANNEL``, e.g. ``"letter:qcatv"``, then the default
    procedure's ``channels``); the organisation default ``settings.DEFAULT_PROCEDURE``.
    Raises ``LookupError`` for an unknown or inactive requested slug; a misconfigured category
    or channel mapping is logged and skipped. On an empty database the presets are published
    first (by this request or a parallel one) and looked up again.
    """
    active = _active()
    wanted = [s for s in (requested, category_procedure, settings.DEFAULT_PROCEDURE) if s]
    if any(s in PRESETS and s not in active for s in wanted):
        procedure_ensure_presets()
        active = _active()

    def chosen(slug: str) -> tuple[str, int, ProcedureDefinition]:
        version, checksum = active[slug]
        return slug, version, _definition_of(slug, version, checksum)

    if requested:
        if requested not in active:
            raise LookupError(requested)
        return chosen(requested)
    candidates: list[tuple[str, str]] = []
    if category_procedure:
        candidates.append(("category", category_procedure))
    by_channel = _channel_setting().get(channel)
    if by_channel:
        candidates.append(("setting PROCEDURE_BY_CHANNEL", by_channel))
    default = settings.DEFAULT_PROCEDURE if settings.DEFAULT_PROCEDURE in active else None
    if default is not None:
        version, checksum = active[default]
        mapped = _definition_of(default, version, checksum).channels.get(channel)
        if mapped:
            candidates.append((f"{default}.channels", mapped))
    for where, slug in candidates:
        if slug in active:
            return chosen(slug)
        logger.warning("procedure %r from %s does not exist or is inactive", slug, where)
    if default is None:
        raise LookupError(settings.DEFAULT_PROCEDURE)
    return chosen(default)


# --- publishing ------------------------------------------------------------------------------


def _known_calendars() -> set[str]:
    return set(BUILTIN_SLUGS) | set(
        Calendar.objects.filter(active=True).values_list("slug", flat=True)
    )


def procedure_validate(*, slug: str, source: str) -> ProcedureDefinition:
    """Check YAML ``source`` for procedure ``slug``; ``ValidationFailed`` maps each path in the
    definition to its message (vi, en), e.g. ``clocks[1].target``."""
    procedures = set(PRESETS) | set(Procedure.objects.values_list("slug", flat=True))
    try:
        definition = load_definition(source, calendars=_known_calendars(), procedures=procedures)
    except DefinitionInvalid as exc:
        errors: dict[str, tuple[str, str]] = {}
        for e in exc.errors:
            key = e.path or "source"
            vi, en = errors.get(key, ("", ""))
            sep = "; " if vi else ""
            errors[key] = (vi + sep + e.message("vi"), en + sep + e.message("en"))
        raise ValidationFailed(errors) from None
    if definition.slug != slug:
        raise ValidationFailed(
            {
                "slug": (
                    f"slug: phải là {slug!r} (quy trình đang sửa)",
                    f"slug: must be {slug!r} (the procedure being edited)",
                )
            }
        )
    return definition


def procedure_publish(
    *,
    slug: str,
    source: str,
    actor: Any,
    note: str = "",
    origin: str = VersionOrigin.ADMIN,
    now: datetime | None = None,
) -> ProcedureVersion:
    """Validate ``source`` and publish it as the next version of ``slug`` (created if new).

    Complaints already started keep their version; new complaints get this one.
    """
    now = now or utcnow()
    definition = procedure_validate(slug=slug, source=source)
    data = definition.to_dict()
    with transaction.atomic():
        procedure, _ = Procedure.objects.get_or_create(
            slug=slug, defaults={"name": definition.name, "name_en": definition.name_en}
        )
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        last = procedure.versions.aggregate(m=Max("version"))["m"] or 0
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            version=last + 1,
            source=source,
            definition=data,
            checksum=checksum(data),
            origin=origin,
            note=note[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )
        Procedure.objects.filter(pk=procedure.pk).update(
            current_version=version.version,
            name=definition.name,
            name_en=definition.name_en,
            updated_at=now,
        )
        journal_append(
            complaint_id=None,
            chain=JOURNAL_CHAIN,
            actor=actor,
            action="procedure.published",
            target=f"procedure:{slug}",
            after={
                "slug": slug,
                "version": version.version,
                "checksum": version.checksum,
                "note": note[:300],
                "origin": origin,
            },
            at=now,
        )
    return version


def procedure_set_active(
    *, slug: str, active: bool, actor: Any, now: datetime | None = None
) -> Procedure:
    """Offer a procedure for new complaints or withdraw it (running complaints keep theirs)."""
    now = now or utcnow()
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().filter(slug=slug).first()
        if procedure is None:
            raise NotFound("Không tìm thấy quy trình.", "Procedure not found.")
        if procedure.active != active:
            procedure.active = active
            procedure.save(update_fields=["active", "updated_at"])
            journal_append(
                complaint_id=None,
                chain=JOURNAL_CHAIN,
                actor=actor,
                action="procedure.activated" if active else "procedure.deactivated",
                target=f"procedure:{slug}",
                after={"slug": slug},
                at=now,
            )
    return procedure


# --- the runtime -----------------------------------------------------------------------------


def _raise_priority(complaint: Any, wanted: str, actor: Any, now: datetime) -> None:
    current = getattr(complaint, "priority", "normal")
    if current not in PRIORITIES or PRIORITIES.index(current) >= PRIORITIES.index(wanted):
        return
    type(complaint).objects.filter(pk=complaint.pk).update(priority=wanted)
    complaint.priority = wanted
    journal_append(
        complaint_id=complaint.pk,
        actor=actor,
        action="procedure.priority",
        before={"priority": current},
        after={"priority": wanted, "reason": "vulnerable"},
        at=now,
    )


@dataclass
class ReceivedPlan:
    """What receiving a new complaint will do under its procedure, worked out before the
    complaint's transaction (:func:`procedure_plan_received`)."""

    definition: ProcedureDefinition
    clocks: PlannedClocks
    notices: list[str]
    # What the plan was computed from: the customer (the instance) and its address (force
    # majeure scope).
    basis: tuple[Any, str]


def _specs(complaint: Any, definition: ProcedureDefinition, event: str) -> list[dict[str, Any]]:
    """The specs of the clocks ``event`` starts on the complaint, each naming its procedure."""
    specs = []
    for clock in definition.clocks_starting(event, complaint.channel):
        spec = clock.to_dict()
        spec["procedure"] = {"slug": definition.slug, "version": complaint.procedure_version}
        specs.append(spec)
    return specs


def _basis(complaint: Any) -> tuple[Any, str]:
    customer = complaint.customer
    return customer, customer.address or ""


def procedure_plan_received(
    *, complaint: Any, definition: ProcedureDefinition, now: datetime
) -> ReceivedPlan:
    """The clocks a new (not yet saved) complaint starts on receipt, computed in memory, and the
    notices it triggers; may run before the transaction (it only reads). Apply it with
    :func:`procedure_apply_received` once the complaint is inserted."""
    planned = clocks_plan_new(
        complaint=complaint,
        specs=_specs(complaint, definition, "received"),
        event="received",
        start=complaint.received_at,
        now=now,
    )
    return ReceivedPlan(definition, planned, definition.notices_for("received"), _basis(complaint))


def procedure_apply_received(
    *, complaint: Any, plan: ReceivedPlan, actor: Any, now: datetime, started: list[Any]
) -> list[str]:
    """Inside the transaction that inserted ``complaint``: what :func:`procedure_apply_event`
    does for ``received`` on a new complaint, from the plan (recomputed if the complaint's
    customer turned out to be another one than the plan assumed)."""
    definition = plan.definition
    if definition.vulnerable_priority and getattr(complaint, "vulnerable", False):
        _raise_priority(complaint, definition.vulnerable_priority, actor, now)
    customer, address = _basis(complaint)
    if customer is not plan.basis[0] or address != plan.basis[1]:
        plan = procedure_plan_received(complaint=complaint, definition=definition, now=now)
    started.extend(
        clocks_insert_new(complaint=complaint, planned=plan.clocks, now=now, actor=actor)
    )
    return plan.notices


def procedure_apply_event(
    *,
    complaint: Any,
    event: str,
    actor: Any,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> list[str]:
    """Move the complaint's clocks for ``event``; return the notice kinds it triggers.

    Runs inside the caller's transaction (the complaint row is locked by the caller). A new
    complaint's receipt goes through :func:`procedure_plan_received` and
    :func:`procedure_apply_received` instead.
    """
    try:
        definition = procedure_definition(complaint.procedure, complaint.procedure_version)
    except LookupError:
        logger.error(
            "complaint %s: procedure %s v%s not found; clocks not moved",
            complaint.pk,
            complaint.procedure,
            complaint.procedure_version,
        )
        return []
    if event in CLOSING_EVENTS:
        clocks_stop(complaint=complaint, event=event, now=now, actor=actor)
    else:
        stopping = [c.name for c in definition.clocks_stopping(event)]
        if stopping:
            clocks_stop(complaint=complaint, event=event, now=now, actor=actor, names=stopping)
    for spec in _specs(complaint, definition, event):
        clock_start(complaint=complaint, spec=spec, event=event, start=now, now=now, actor=actor)
    return definition.notices_for(event)
