import pytest


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Rate-limit counters in a per-test memory cache (the suite's DB cache has no table)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
