"""Publishing versions, pinning complaints to theirs, choosing a procedure, the admin screen."""

from __future__ import annotations

import pytest

from complaintdesk.complaints.models import Category
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.journal.models import JournalEntry
from complaintdesk.procedures.models import Procedure, ProcedureVersion
from complaintdesk.procedures.presets import preset_source
from complaintdesk.procedures.services import (
    procedure_publish,
    procedure_resolve,
    procedure_set_active,
    procedures_sync_presets,
)

from .helpers import act, at, clock, intake

pytestmark = pytest.mark.django_db

FIVE_DAYS = (
    preset_source("vieon")
    .replace(
        "label: Báo đã tiếp nhận (03 ngày làm việc)", "label: Báo đã tiếp nhận (05 ngày làm việc)"
    )
    .replace("target: {working_days: 3}", "target: {working_days: 5}", 1)
)


def test_presets_are_seeded_as_version_one():
    assert {p.slug: p.current_version for p in Procedure.objects.all()} == {
        "consumer-law": 1,
        "qcatv": 1,
        "vieon": 1,
    }
    assert ProcedureVersion.objects.get(procedure__slug="vieon", version=1).origin == "preset"


def test_a_complaint_keeps_the_version_it_started_under(org):
    old = intake(org.receiver, received=at(2026, 2, 13, 10))
    version = procedure_publish(slug="vieon", source=FIVE_DAYS, actor=org.admin, note="5 ngày")
    new = intake(org.receiver, received=at(2026, 2, 13, 10))

    assert version.version == 2
    assert (old.procedure_version, new.procedure_version) == (1, 2)
    assert clock(old, "acknowledge")["due_display"] == "24:00 ngày 25/02/2026"
    assert clock(new, "acknowledge")["due_display"] == "24:00 ngày 27/02/2026"
    # Later events of the old complaint still follow version 1.
    old = act(old, "answer_now", org.receiver, at(2026, 2, 13, 11))
    old = act(old, "confirm_satisfied", org.receiver, at(2026, 2, 13, 12))
    old = act(old, "reopen", org.receiver, at(2026, 2, 23, 9))
    assert clock(old, "acknowledge")["due_display"] == "24:00 ngày 26/02/2026"  # 3 days, not 5
    assert ProcedureVersion.objects.get(procedure__slug="vieon", version=1).source == preset_source(
        "vieon"
    )
    entry = JournalEntry.objects.filter(chain="sys:procedures").last()
    assert (entry.action, entry.after["version"], entry.actor_label) == (
        "procedure.published",
        2,
        "admin",
    )


def test_an_invalid_version_is_refused_with_paths():
    broken = FIVE_DAYS.replace("target: {working_days: 5}", "target: {weeks: 1}")

    with pytest.raises(ValidationFailed) as info:
        procedure_publish(slug="vieon", source=broken, actor=None)
    assert info.value.errors["clocks[0].target.weeks"][1] == (
        "clocks[0].target.weeks: unknown key; use: working_days, hours, business"
    )
    assert info.value.errors["clocks[0].target"][0] == (
        "clocks[0].target: cần đúng một trong working_days hoặc hours"
    )
    assert Procedure.objects.get(slug="vieon").current_version == 1


def test_the_slug_must_match_the_procedure_edited():
    with pytest.raises(ValidationFailed) as info:
        procedure_publish(slug="qcatv", source=FIVE_DAYS, actor=None)
    assert info.value.errors == {
        "slug": (
            "slug: phải là 'qcatv' (quy trình đang sửa)",
            "slug: must be 'qcatv' (the procedure being edited)",
        )
    }


def test_the_procedure_is_chosen_by_request_then_category_then_channel_then_default(settings):
    Category.objects.create(code="thu-cong-van", name="Công văn", procedure="qcatv")
    settings.PROCEDURE_BY_CHANNEL = "letter:consumer-law"

    assert procedure_resolve(
        requested="consumer-law", channel="letter", category_procedure="qcatv"
    ) == ("consumer-law", 1)
    assert procedure_resolve(requested="", channel="letter", category_procedure="qcatv") == (
        "qcatv",
        1,
    )
    assert procedure_resolve(requested="", channel="letter", category_procedure="") == (
        "consumer-law",
        1,
    )
    assert procedure_resolve(requested="", channel="hotline", category_procedure="") == ("vieon", 1)
    # A mapping to a procedure that does not exist is skipped.
    assert procedure_resolve(requested="", channel="hotline", category_procedure="gone") == (
        "vieon",
        1,
    )


def test_the_default_procedures_channel_mapping(org):
    mapped = FIVE_DAYS.replace(
        "calendar: vn-official\n", "calendar: vn-official\nchannels:\n  letter: qcatv\n", 1
    )
    procedure_publish(slug="vieon", source=mapped, actor=org.admin)

    complaint = intake(org.receiver, received=at(2026, 2, 13, 10), channel="letter")
    assert (complaint.procedure, complaint.procedure_version) == ("qcatv", 1)


def test_an_unknown_or_withdrawn_procedure_is_refused(org):
    with pytest.raises(ValidationFailed) as info:
        intake(org.receiver, received=at(2026, 2, 13, 10), procedure="khong-co")
    assert info.value.errors["procedure"] == ("Quy trình không tồn tại.", "Unknown procedure.")

    procedure_set_active(slug="qcatv", active=False, actor=org.admin)
    with pytest.raises(LookupError):
        procedure_resolve(requested="qcatv", channel="hotline", category_procedure="")


def test_missing_presets_are_recreated_after_a_flush():
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()

    assert procedure_resolve(requested="", channel="hotline", category_procedure="") == ("vieon", 1)
    assert Procedure.objects.count() == 3


def test_a_changed_preset_file_is_published_unless_an_administrator_edited_it(org, monkeypatch):
    import complaintdesk.procedures.services as services

    monkeypatch.setattr(
        services,
        "preset_source",
        lambda slug: FIVE_DAYS if slug == "vieon" else preset_source(slug),
    )
    assert [(v.procedure.slug, v.version) for v in procedures_sync_presets()] == [("vieon", 2)]
    assert procedures_sync_presets() == []

    procedure_publish(slug="vieon", source=preset_source("vieon"), actor=org.admin)
    monkeypatch.setattr(services, "preset_source", lambda slug: preset_source(slug) + "# sửa\n")
    published = procedures_sync_presets()
    assert sorted((v.procedure.slug, v.version) for v in published) == [
        ("consumer-law", 2),
        ("qcatv", 2),
    ]
    assert Procedure.objects.get(slug="vieon").current_version == 3


def _admin_post(client, procedure, source, note=""):
    versions = list(procedure.versions.order_by("-version"))
    data = {
        "active": "on",
        "source": source,
        "note": note,
        "versions-TOTAL_FORMS": str(len(versions)),
        "versions-INITIAL_FORMS": str(len(versions)),
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    for i, v in enumerate(versions):
        data[f"versions-{i}-id"] = str(v.pk)
        data[f"versions-{i}-procedure"] = str(procedure.pk)
    return client.post(f"/admin/procedures/procedure/{procedure.pk}/change/", data)


def test_the_admin_edits_the_yaml_and_publishes_a_new_version(org, client):
    client.force_login(org.admin)
    procedure = Procedure.objects.get(slug="vieon")

    page = client.get(f"/admin/procedures/procedure/{procedure.pk}/change/")
    assert "target: {working_days: 3}" in page.content.decode()

    response = _admin_post(client, procedure, FIVE_DAYS, note="Nâng lên 5 ngày")
    assert response.status_code == 302
    latest = ProcedureVersion.objects.get(procedure=procedure, version=2)
    assert (latest.origin, latest.note, latest.created_by) == (
        "admin",
        "Nâng lên 5 ngày",
        org.admin,
    )


def test_the_admin_shows_each_problem_and_publishes_nothing(org, client):
    client.force_login(org.admin)
    procedure = Procedure.objects.get(slug="vieon")
    broken = FIVE_DAYS.replace(
        "stop: [acknowledge, answer_now, answer_later, notify_result]", "stop: [acknowlege]"
    )
    assert broken != FIVE_DAYS

    response = _admin_post(client, procedure, broken)

    assert response.status_code == 200
    assert (
        "clocks[0].stop[0]: sự kiện không hợp lệ &#x27;acknowlege&#x27; (có phải &#x27;acknowledge&#x27;?)"
        in response.content.decode()
    )
    assert procedure.versions.count() == 1


def test_versions_cannot_be_edited_in_the_admin(org, client):
    client.force_login(org.admin)
    version = ProcedureVersion.objects.get(procedure__slug="vieon", version=1)

    response = client.post(
        f"/admin/procedures/procedureversion/{version.pk}/change/", {"note": "x"}
    )
    assert response.status_code == 403
    assert ProcedureVersion.objects.get(pk=version.pk).note == "Mẫu có sẵn"
