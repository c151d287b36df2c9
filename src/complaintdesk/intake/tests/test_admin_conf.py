"""Channel credentials (settings, admin-edited rows) and the admin pages of the intake."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from complaintdesk.intake.conf import channel_settings
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import mail
from complaintdesk.intake.models import ChannelConfig, InboundRecord
from complaintdesk.intake.services import intake_accept, intake_record_failure

pytestmark = pytest.mark.django_db


def test_credentials_come_from_settings_and_the_admin_row_wins(settings):
    settings.FACEBOOK_APP_SECRET = "tu-bien-moi-truong"
    settings.FACEBOOK_VERIFY_TOKEN = "verify-env"
    ChannelConfig.objects.update_or_create(
        channel="facebook",
        defaults={"credentials": {"app_secret": "tu-trang-quan-tri", "page_token": ""}},
    )
    config = channel_settings("facebook")
    assert config.enabled
    assert config.credentials == {
        "app_secret": "tu-trang-quan-tri",
        "verify_token": "verify-env",
        "page_token": "",
    }
    ChannelConfig.objects.filter(channel="facebook").update(enabled=False)
    assert not channel_settings("facebook").enabled


def test_migration_seeded_one_row_per_channel():
    assert set(ChannelConfig.objects.values_list("channel", flat=True)) >= {
        "email",
        "facebook",
        "zalo",
        "hotline",
    }


def test_admin_edits_credentials_and_keeps_a_secret_left_blank(client, org):
    client.force_login(org.admin)
    row, _ = ChannelConfig.objects.update_or_create(
        channel="zalo", defaults={"credentials": {"oa_secret_key": "bi-mat-cu"}}
    )
    url = reverse("admin:intake_channelconfig_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "bi-mat-cu" not in page.content.decode()  # secrets are never shown
    response = client.post(
        url,
        {
            "channel": "zalo",
            "enabled": "on",
            "cred_app_id": "12345",
            "cred_oa_secret_key": "",
            "cred_access_token": "token-moi",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.credentials == {
        "oa_secret_key": "bi-mat-cu",
        "app_id": "12345",
        "access_token": "token-moi",
    }


def test_admin_lists_inbound_records_and_reprocesses_a_malformed_one(client, org):
    client.force_login(org.admin)
    raw = mail(message_id="<re@khachhang.vn>").as_bytes()
    failed = intake_record_failure(
        channel="email",
        provider_message_id="<re@khachhang.vn>",
        raw=raw,
        reason="intake failed: OperationalError",
    )
    intake_accept(
        parse_email(
            mail(headers={"Precedence": "bulk"}).as_bytes(),
            received_at=timezone.now(),
            own=OwnIdentity(),
        )
    )
    listing = client.get(reverse("admin:intake_inboundrecord_changelist"))
    assert listing.status_code == 200
    assert "Không đọc được" in listing.content.decode()
    detail = client.get(reverse("admin:intake_inboundrecord_change", args=[failed.record.pk]))
    assert "Message-ID: &lt;re@khachhang.vn&gt;" in detail.content.decode()
    response = client.post(
        reverse("admin:intake_inboundrecord_changelist"),
        {"action": "reprocess", "_selected_action": [failed.record.pk]},
        follow=True,
    )
    assert "Đã xử lý lại 1 thư." in response.content.decode()
    record = InboundRecord.objects.get(provider_message_id="<re@khachhang.vn>")
    assert (record.status, record.created_complaint) == ("ok", True)
