"""The three shipped procedures and the seeding of their database rows.

``seed_presets(Procedure, ProcedureVersion, now)`` takes the model classes so the data
migration can pass its historical models; the services pass the real ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from complaintdesk.procedures.domain.parse import load_definition

PRESET_DIR = Path(__file__).resolve().parent
PRESETS = ("vieon", "qcatv", "consumer-law")


def preset_source(slug: str) -> str:
    return (PRESET_DIR / f"{slug}.yaml").read_text(encoding="utf-8")


def checksum(definition: dict[str, Any]) -> str:
    blob = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def seed_presets(
    procedure_model: Any, version_model: Any, now: datetime, only: tuple[str, ...] = PRESETS
) -> int:
    """Create the preset procedures that are missing (version 1). Returns how many."""
    created = 0
    for slug in only:
        if procedure_model.objects.filter(slug=slug).exists():
            continue
        source = preset_source(slug)
        definition = load_definition(source)
        data = definition.to_dict()
        procedure = procedure_model.objects.create(
            slug=slug, name=definition.name, name_en=definition.name_en, current_version=1
        )
        version_model.objects.create(
            procedure=procedure,
            version=1,
            source=source,
            definition=data,
            checksum=checksum(data),
            origin="preset",
            note="Mẫu có sẵn",
            created_at=now,
        )
        created += 1
    return created
