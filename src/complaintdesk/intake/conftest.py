"""Fixtures of the channel tests: a local provider API and configured channel credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from complaintdesk.intake.tests.httpstub import ProviderStub, start_stub


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Per-process memories (webhook volume counters, channel rows) do not leak between tests."""
    from complaintdesk.intake.conf import forget_channel_rows
    from complaintdesk.intake.ratelimit import local_counter

    local_counter.clear()
    forget_channel_rows()
    yield
    local_counter.clear()
    forget_channel_rows()


@pytest.fixture
def provider() -> Iterator[ProviderStub]:
    stub = start_stub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture
def channels(settings: Any, provider: ProviderStub) -> ProviderStub:
    """Every channel configured (secrets in settings), every provider API on the local stub."""
    settings.FACEBOOK_APP_SECRET = "fb-app-secret"
    settings.FACEBOOK_VERIFY_TOKEN = "fb-verify-token"
    settings.FACEBOOK_PAGE_TOKEN = "fb-page-token"
    settings.FACEBOOK_GRAPH_API_BASE = provider.url + "/v21.0"
    settings.ZALO_APP_ID = "4321987"
    settings.ZALO_OA_SECRET_KEY = "zalo-oa-secret"
    settings.ZALO_ACCESS_TOKEN = "zalo-access-token"
    settings.ZALO_OA_API_BASE = provider.url
    settings.ZALO_ZNS_API_BASE = provider.url
    settings.ZALO_ZNS_TEMPLATE_ID = "305971"
    settings.HOTLINE_WEBHOOK_SECRET = "hotline-secret"
    settings.ESMS_API_BASE = provider.url
    settings.ESMS_API_KEY = "esms-key"
    settings.ESMS_SECRET_KEY = "esms-secret"
    settings.ESMS_BRANDNAME = "CSKH-DEMO"
    settings.WEBFORM_MIN_SECONDS = 0
    return provider
