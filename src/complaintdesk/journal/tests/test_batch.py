"""journal_batch: several entries written at once, chained exactly as one by one."""

from __future__ import annotations

import pytest
from django.db import transaction

from complaintdesk.journal.models import ChainHead, JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.journal.services import journal_append, journal_batch

pytestmark = pytest.mark.django_db


def _chain(name: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(chain=name).order_by("seq"))


def test_a_batch_on_a_new_chain_writes_entries_and_head_that_verify(org):
    with transaction.atomic(), journal_batch() as batch:
        batch.begin_complaint(9_000_001)
        for n in range(3):
            journal_append(complaint_id=None, chain="c:9000001", actor=None, action=f"a{n}")
        assert not JournalEntry.objects.filter(chain="c:9000001").exists()  # not yet written

    entries = _chain("c:9000001")
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.action for e in entries] == ["a0", "a1", "a2"]
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    head = ChainHead.objects.get(chain="c:9000001")
    assert (head.seq, head.hash) == (3, entries[2].hash)
    problems, _counts = journal_verify()
    assert problems == []


def test_a_batch_continues_an_existing_chain_like_single_appends(org):
    with transaction.atomic():
        journal_append(complaint_id=None, chain="sys:test", actor=None, action="first")
    with transaction.atomic(), journal_batch():
        journal_append(complaint_id=None, chain="sys:test", actor=None, action="second")
        journal_append(complaint_id=None, chain="sys:test", actor=None, action="third")

    entries = _chain("sys:test")
    assert [(e.seq, e.action) for e in entries] == [(1, "first"), (2, "second"), (3, "third")]
    assert ChainHead.objects.get(chain="sys:test").hash == entries[-1].hash
    problems, _counts = journal_verify()
    assert problems == []


def test_nothing_is_written_when_the_batch_fails(org):
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic(), journal_batch():
        journal_append(complaint_id=None, chain="sys:fail", actor=None, action="lost")
        raise RuntimeError("boom")
    assert not JournalEntry.objects.filter(chain="sys:fail").exists()
    assert not ChainHead.objects.filter(chain="sys:fail").exists()
