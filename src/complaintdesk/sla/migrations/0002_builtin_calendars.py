"""Built-in calendars (vn-official default, vn-labor-code, 24x7) and the built-in government
decisions (sla.domain.vietnam.BUILTIN_DECISIONS). Existing rows are left as an administrator
edited them."""

from django.db import migrations

CALENDARS = (
    ("vn-official", "Lịch hành chính nhà nước", "Public-sector calendar", "vn-official", True),
    ("vn-labor-code", "Lịch theo Bộ luật Lao động", "Labor Code calendar", "vn-labor-code", False),
    ("24x7", "24/7 (tổng đài)", "24/7 (hotline)", "24x7", False),
)


def seed(apps, schema_editor):
    from complaintdesk.sla.domain.vietnam import BUILTIN_DECISIONS

    Calendar = apps.get_model("sla", "Calendar")
    Decision = apps.get_model("sla", "GovernmentDecision")
    for slug, name, name_en, base, is_default in CALENDARS:
        Calendar.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "base": base, "is_default": is_default},
        )
    for d in BUILTIN_DECISIONS:
        Decision.objects.get_or_create(
            day=d.day,
            defaults={
                "working": d.working,
                "name": d.name,
                "name_en": d.name_en,
                "reference": d.reference,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
