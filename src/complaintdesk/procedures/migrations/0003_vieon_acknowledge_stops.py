"""vieon preset, version 2: the acknowledgement clock also stops on answer_later and notify_result.

Version 1 stopped it only on acknowledge / answer_now, and acknowledge is not offered once a
complaint is resolved: a complaint answered "later" and then resolved and notified without a
separate acknowledgement kept the clock running, breached and escalated to the department head
and leadership after the customer already had the result. Published as a new version only where
vieon's current version is still the shipped version 1 (an organisation that edited its copy
keeps its own); complaints keep the version they started with.
"""

from datetime import UTC, datetime

from django.db import migrations

SHIPPED_V1 = "e01d908f31de08b78869b0e203ec74d3a33f8973e0b888310dad54c397341d69"


def publish(apps, schema_editor):
    from complaintdesk.procedures.domain.parse import load_definition
    from complaintdesk.procedures.presets import checksum, preset_source

    procedure_model = apps.get_model("procedures", "Procedure")
    version_model = apps.get_model("procedures", "ProcedureVersion")
    procedure = procedure_model.objects.filter(slug="vieon").first()
    if procedure is None:
        return
    current = version_model.objects.filter(
        procedure=procedure, version=procedure.current_version
    ).first()
    if current is None or current.checksum != SHIPPED_V1:
        return
    source = preset_source("vieon")
    data = load_definition(source).to_dict()
    number = procedure.current_version + 1
    version_model.objects.create(
        procedure=procedure,
        version=number,
        source=source,
        definition=data,
        checksum=checksum(data),
        origin="preset",
        note="Mẫu có sẵn: đồng hồ báo tiếp nhận dừng cả khi báo cần thêm thời gian hoặc báo kết quả",
        created_at=datetime.now(UTC),
    )
    procedure.current_version = number
    procedure.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_presets")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
