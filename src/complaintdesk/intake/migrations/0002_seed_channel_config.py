"""Seed one ChannelConfig row per channel from the environment, so the admin has them to edit."""

import os

from django.db import migrations

SEED = {
    "email": {"imap_url": "EMAIL_IMAP_URL"},
    "facebook": {
        "app_secret": "FACEBOOK_APP_SECRET",
        "verify_token": "FACEBOOK_VERIFY_TOKEN",
        "page_token": "FACEBOOK_PAGE_TOKEN",
    },
    "zalo": {
        "app_id": "ZALO_APP_ID",
        "oa_secret_key": "ZALO_OA_SECRET_KEY",
        "access_token": "ZALO_ACCESS_TOKEN",
    },
    "hotline": {"webhook_secret": "HOTLINE_WEBHOOK_SECRET"},
}


def seed(apps, schema_editor):
    ChannelConfig = apps.get_model("intake", "ChannelConfig")
    for channel, keys in SEED.items():
        credentials = {key: os.environ.get(name, "") for key, name in keys.items()}
        ChannelConfig.objects.get_or_create(
            channel=channel,
            defaults={"credentials": {k: v for k, v in credentials.items() if v}},
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
