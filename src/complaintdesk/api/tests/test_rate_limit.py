"""API_RATE per token (and per signed-in user), API_RATE_ANONYMOUS per address: 429 + Retry-After."""

from __future__ import annotations

import os
import uuid

import pytest
from django.test import Client, override_settings

from complaintdesk.api import ratelimit as api_ratelimit
from complaintdesk.api.ratelimit import BatchedWindow
from complaintdesk.api.tests.util import BASE, intake_body
from complaintdesk.complaints.models import Complaint
from complaintdesk.intake import ratelimit as intake_ratelimit

REDIS_URL = os.environ.get("REDIS_URL", "")
# 1_000_000_000 is 2,800 s into an hour-long window: with +100 s, 700 s are left.
T0 = 1_000_000_000 + 100


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock (only its own: the rest of Django keeps the real one)."""
    fake = FakeTime(T0)
    monkeypatch.setattr(intake_ratelimit, "time", fake)
    monkeypatch.setattr(api_ratelimit, "time", fake)
    return fake


def _limited(response, lang="vi"):
    assert response.status_code == 429, response.content
    assert response["Retry-After"] == "700"
    assert response["Content-Language"] == lang
    detail = {
        "vi": "Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau 700 giây.",
        "en": "Too many requests in a short time; try again in 700 seconds.",
    }[lang]
    assert response.json() == {"detail": detail, "code": "rate_limited", "errors": []}


@override_settings(API_RATE="3/3600")
def test_a_token_over_its_rate_gets_429_and_another_token_is_unaffected(org, client_for, clock):
    first, other_user = client_for(org.receiver), client_for(org.head, lang="en")
    second_token_same_user = client_for(org.receiver)

    assert [first.get(f"{BASE}/complaints").status_code for _ in range(3)] == [200] * 3
    _limited(first.get(f"{BASE}/complaints"))
    # Refused before the handler runs: nothing is created.
    _limited(first.post(f"{BASE}/complaints", intake_body(), content_type="application/json"))
    assert not Complaint.objects.exists()

    assert other_user.get(f"{BASE}/complaints").status_code == 200
    assert second_token_same_user.get(f"{BASE}/complaints").status_code == 200
    for _ in range(2):
        other_user.get(f"{BASE}/complaints")
    _limited(other_user.get(f"{BASE}/force-majeure"), lang="en")

    clock.now += 700  # the next window
    assert first.get(f"{BASE}/complaints").status_code == 200


@override_settings(API_RATE="2/3600")
def test_session_users_are_counted_per_user(org, clock):
    browser = Client()
    browser.force_login(org.staff)

    assert [browser.get(f"{BASE}/complaints").status_code for _ in range(2)] == [200, 200]
    _limited(browser.get(f"{BASE}/complaints"))


@override_settings(API_RATE_ANONYMOUS="2/3600")
def test_requests_without_valid_credentials_are_counted_per_address(org, clock):
    here = Client(REMOTE_ADDR="203.0.113.7")
    elsewhere = Client(REMOTE_ADDR="203.0.113.8", headers={"Authorization": "Bearer nope"})

    assert [here.get(f"{BASE}/complaints").status_code for _ in range(2)] == [401, 401]
    _limited(here.get(f"{BASE}/complaints"))
    _limited(here.post(f"{BASE}/complaints", {}, content_type="application/json"))
    assert elsewhere.get(f"{BASE}/complaints").status_code == 401


@override_settings(API_RATE="0/60")
def test_zero_switches_the_limit_off(org, client_for, clock):
    client = client_for(org.receiver)
    assert {client.get(f"{BASE}/force-majeure").status_code for _ in range(5)} == {200}


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it to the Redis service)")
def test_the_limit_is_counted_in_redis_when_it_is_the_cache(org, client_for, clock):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's own counters
        }
    }
    with override_settings(CACHES=caches, API_RATE="2/3600"):
        from django.core.cache import cache

        client, other = client_for(org.receiver), client_for(org.receiver)
        assert [client.get(f"{BASE}/force-majeure").status_code for _ in range(2)] == [200, 200]
        _limited(client.get(f"{BASE}/force-majeure"))
        assert other.get(f"{BASE}/force-majeure").status_code == 200
        redis = cache._cache.get_client()
        keys = redis.keys(f"{cache.key_prefix}:*:rl:api:*")
        assert len(keys) == 2  # one counter per token, for this window
        redis.delete(*keys)  # only this test's keys: the database is shared with other tests


class CountingCache:
    """The test database's cache, counting the calls that reach it."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def __getattr__(self, name):
        self.calls += 1
        return getattr(self.real, name)


def test_one_process_reports_in_batches_and_admits_exactly_the_limit(db, clock, monkeypatch):
    from django.core.cache import cache

    spy = CountingCache(cache)
    monkeypatch.setattr(intake_ratelimit, "cache", spy)  # the shared window counter
    window = BatchedWindow()

    admitted = [window.hit("api", "token:a", limit=100, window=3600) for _ in range(130)]

    assert admitted == [True] * 100 + [False] * 30
    assert spy.calls <= 60  # ~26 reports (add + incr) instead of 100
    assert cache.get(f"rl:api:{_digest('token:a')}:{int(T0 // 3600)}") == 100


def test_processes_sharing_the_cache_admit_at_most_a_batch_more(db, clock):
    processes = [BatchedWindow() for _ in range(3)]

    admitted = sum(
        processes[i % 3].hit("api", "token:b", limit=200, window=3600) for i in range(400)
    )

    assert 200 <= admitted <= 200 + 2 * (200 // 20)
    assert not any(p.hit("api", "token:b", limit=200, window=3600) for p in processes)
    assert processes[0].hit("api", "token:c", limit=200, window=3600)  # another token


def _digest(key):
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:24]
