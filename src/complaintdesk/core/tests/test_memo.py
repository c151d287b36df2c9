"""core.memo.TtlMemo: reference rows remembered for a few seconds, forgotten on change."""

from __future__ import annotations

import pytest

from complaintdesk.core import memo as memo_module
from complaintdesk.core.memo import TtlMemo


def counting_loader(values: list[int]):
    def load() -> int:
        values.append(len(values) + 1)
        return values[-1]

    return load


def test_a_value_is_loaded_once_within_the_ttl(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    memo: TtlMemo[int] = TtlMemo("t1")
    calls: list[int] = []
    load = counting_loader(calls)
    assert memo.get("k", load) == 1
    assert memo.get("k", load) == 1
    assert memo.get("other", load) == 2
    assert calls == [1, 2]


def test_clear_and_expiry_load_again(settings, monkeypatch):
    settings.REFERENCE_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(memo_module.time, "monotonic", lambda: now[0])
    memo: TtlMemo[int] = TtlMemo("t2")
    calls: list[int] = []
    load = counting_loader(calls)
    assert memo.get("k", load) == 1
    now[0] += 4.9
    assert memo.get("k", load) == 1
    now[0] += 0.2  # past the TTL
    assert memo.get("k", load) == 2
    memo.clear()
    assert memo.get("k", load) == 3


def test_zero_seconds_turns_it_off(settings):
    settings.REFERENCE_CACHE_SECONDS = 0
    memo: TtlMemo[int] = TtlMemo("t3")
    calls: list[int] = []
    load = counting_loader(calls)
    assert [memo.get("k", load) for _ in range(3)] == [1, 2, 3]


@pytest.mark.django_db
def test_a_revoked_token_stops_working_at_once_in_this_process(org, settings):
    from complaintdesk.accounts.auth import api_token_issue, user_for_token

    settings.REFERENCE_CACHE_SECONDS = 300
    token, raw = api_token_issue(user=org.receiver, name="integration")
    assert user_for_token(raw) == org.receiver
    token.revoked = True
    token.save()  # the admin's revoke action clears the memo too (update() sends no signal)
    assert user_for_token(raw) is None


@pytest.mark.django_db
def test_a_category_moved_to_another_department_applies_to_the_next_complaint(org, settings):
    from complaintdesk.complaints.models import Category
    from complaintdesk.complaints.tests.factories import ComplaintFactory

    settings.REFERENCE_CACHE_SECONDS = 300
    category = Category.objects.create(code="memo-cat", name="Mục", default_department=org.billing)
    first = ComplaintFactory.create(actor=org.receiver, category="memo-cat")
    category.default_department = org.technical
    category.save()
    second = ComplaintFactory.create(actor=org.receiver, category="memo-cat")
    assert (first.department, second.department) == (org.billing, org.technical)
