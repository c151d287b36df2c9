from __future__ import annotations

import pytest
from django.core.cache import cache

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Sign-in failure counts live in the cache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
