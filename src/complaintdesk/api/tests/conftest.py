"""Clients that call the API as one user, with a bearer token, in Vietnamese or English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.accounts.models import User


@pytest.fixture
def client_for(db: Any) -> Callable[..., Client]:
    """``client_for(user, lang="vi")``: a Client sending that user's bearer token."""

    def make(user: User, lang: str = "vi") -> Client:
        _token, raw = api_token_issue(user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": lang})

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> Any:
    """The API's rate limit keeps unreported counts in process memory (api/ratelimit.py); the
    cache itself is rolled back with each test's database."""
    from complaintdesk.api.ratelimit import counter

    counter.clear()
    yield
    counter.clear()
