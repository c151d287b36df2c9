"""Tampering with the journal is noticed, and the command names what was touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from complaintdesk.core.clock import LOCAL_TZ, utcnow
from complaintdesk.journal.domain.chain import entry_hash, heads_digest
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.journal.services import heads_up_to, journal_append, journal_checkpoint

LATER = timedelta(minutes=6)  # past the checkpoint's settle window


@pytest.fixture
def complaints(org, complaint_factory):
    """Three complaints (created through the intake service) with a few more entries each."""
    made = []
    for _ in range(3):
        c = complaint_factory.create(actor=org.receiver)
        for n in range(2):
            with transaction.atomic():
                journal_append(
                    complaint_id=c.pk,
                    actor=org.receiver,
                    action="note.added",
                    after={"body": f"ghi chú {n}"},
                    target=f"message:{n}",
                )
        made.append(c)
    return made


def chain_of(complaint) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(chain=f"c:{complaint.pk}").order_by("seq"))


def verify_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("journal_verify", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def failure() -> str:
    with pytest.raises(CommandError) as failed:
        verify_command()
    return str(failed.value)


def failure_with(*args: str) -> str:
    from io import StringIO

    with pytest.raises(CommandError) as failed:
        call_command("journal_verify", *args, stdout=StringIO(), stderr=StringIO())
    return str(failed.value)


def test_intact_journal_is_ok(complaints):
    total = JournalEntry.objects.count()
    chains = JournalEntry.objects.values("chain").distinct().count()
    assert journal_verify()[0] == []
    assert verify_command() == f"OK: {chains} chains, {total} entries, 0 checkpoints verified"


def test_altered_entry_is_named(complaints):
    victim = chain_of(complaints[1])[1]
    JournalEntry.objects.filter(pk=victim.pk).update(after={"status": "closed"})
    problems, _ = journal_verify()
    assert [(p.kind, p.entry_id) for p in problems] == [("altered", victim.pk)]
    assert failure() == (
        f"FAILED: altered at entry {victim.pk}, chain c:{complaints[1].pk}, "
        f"complaint {complaints[1].code}, seq 2: content does not match its hash"
    )


def test_altered_actor_or_time_is_noticed(complaints):
    victim = chain_of(complaints[0])[0]
    JournalEntry.objects.filter(pk=victim.pk).update(at=victim.at - timedelta(days=1))
    assert [(p.kind, p.entry_id) for p in journal_verify()[0]] == [("altered", victim.pk)]
    JournalEntry.objects.filter(pk=victim.pk).update(at=victim.at, actor_label="someone-else")
    assert [(p.kind, p.entry_id) for p in journal_verify()[0]] == [("altered", victim.pk)]


def test_forged_entry_appended_is_named(complaints):
    """Even a forger who knows the algorithm and links the entry correctly is seen: the head
    row still says where the chain ended."""
    last = chain_of(complaints[0])[-1]
    forged = JournalEntry(
        chain=last.chain,
        seq=last.seq + 1,
        complaint_id=last.complaint_id,
        at=utcnow(),
        actor_label="admin",
        action="action.resolve",
        after={"resolution": "đã xử lý"},
        prev_hash=last.hash,
    )
    forged.hash = entry_hash(prev_hash=last.hash, payload=forged.payload())
    forged.save()
    problems, _ = journal_verify()
    assert [(p.kind, p.entry_id) for p in problems] == [("inserted", forged.pk)]
    assert failure().startswith(f"FAILED: inserted at entry {forged.pk}, chain {last.chain}")


def test_forged_entry_with_a_wrong_link_is_named(complaints):
    last = chain_of(complaints[2])[-1]
    forged = JournalEntry.objects.create(
        chain=last.chain,
        seq=last.seq + 1,
        complaint_id=last.complaint_id,
        at=utcnow(),
        actor_label="x",
        action="note.added",
        prev_hash="0" * 64,
        hash="1" * 64,
    )
    problems, _ = journal_verify()
    assert [(p.kind, p.entry_id, p.detail) for p in problems] == [
        ("inserted", forged.pk, "link to the previous entry does not match")
    ]


def test_removed_middle_entry_is_named(complaints):
    entries = chain_of(complaints[1])
    JournalEntry.objects.filter(pk=entries[1].pk).delete()
    problems, _ = journal_verify()
    assert [(p.kind, p.entry_id, p.seq) for p in problems] == [("removed", entries[2].pk, 3)]
    assert "expected seq 2, found 3" in failure()


def test_removed_last_entry_is_noticed_by_the_head(complaints):
    entries = chain_of(complaints[1])
    JournalEntry.objects.filter(pk=entries[-1].pk).delete()
    problems, _ = journal_verify()
    assert [(p.kind, p.seq) for p in problems] == [("removed", entries[-2].seq)]
    assert problems[0].detail == (
        f"the head says seq {entries[-1].seq}, the chain ends at seq {entries[-2].seq}"
    )


def test_removed_chain_with_its_head_is_noticed(complaints):
    """Everything of one complaint gone, head row included: the complaint itself and the
    checkpoint both still remember it."""
    journal_checkpoint(now=utcnow() + LATER)
    victim = complaints[1]
    JournalEntry.objects.filter(chain=f"c:{victim.pk}").delete()
    ChainHead.objects.filter(chain=f"c:{victim.pk}").delete()
    problems, _ = journal_verify()
    kinds = {(p.kind, p.chain) for p in problems}
    assert ("chain_missing", f"c:{victim.pk}") in kinds
    assert ("checkpoint", "checkpoint") in kinds
    details = [p.detail for p in problems]
    assert f"complaint {victim.code} has no journal" in details
    assert any(d.startswith("entries sealed by checkpoint") for d in details)
    message = failure()
    assert message.startswith("FAILED: ")
    assert "more problems" in message


def test_removed_chain_of_a_vanished_complaint_is_caught_by_the_checkpoint(complaints):
    """When even the complaint row is gone, only the checkpoint digest remembers the chain."""
    journal_checkpoint(now=utcnow() + LATER)
    JournalEntry.objects.filter(chain="sys:gone").delete()
    with transaction.atomic():
        journal_append(complaint_id=None, actor=None, action="config.changed", chain="sys:gone")
    journal_checkpoint(now=utcnow() + LATER)
    JournalEntry.objects.filter(chain="sys:gone").delete()
    ChainHead.objects.filter(chain="sys:gone").delete()
    problems, _ = journal_verify()
    assert [p.kind for p in problems] == ["checkpoint"]
    assert problems[0].detail.startswith(
        f"entries sealed by checkpoint {Checkpoint.objects.last().pk} changed"
    )


def test_removed_entries_with_the_head_kept_are_noticed(complaints):
    victim = complaints[2]
    n = len(chain_of(victim))
    JournalEntry.objects.filter(chain=f"c:{victim.pk}").delete()
    problems, _ = journal_verify()
    assert (f"c:{victim.pk}", "chain_missing", f"all {n} entries of this chain are gone") in {
        (p.chain, p.kind, p.detail) for p in problems
    }


def rewrite_chain(entries: list[JournalEntry], seq: int) -> None:
    """Change entry ``seq`` and recompute every hash after it and the head, as a forger would."""
    prev = entries[0].prev_hash
    for e in entries:
        if e.seq == seq:
            e.after = {**e.after, "note": "đã sửa"}
        e.prev_hash = prev
        e.hash = entry_hash(prev_hash=prev, payload=e.payload())
        JournalEntry.objects.filter(pk=e.pk).update(
            after=e.after, prev_hash=e.prev_hash, hash=e.hash
        )
        prev = e.hash
    ChainHead.objects.filter(chain=entries[0].chain).update(hash=prev)


def test_older_checkpoints_are_rechecked_on_request(org, complaint_factory):
    """A forger who rewrites a sealed chain *and* re-forges the newest checkpoint passes the
    default check; the deep check still finds the older checkpoint that sealed it."""
    now = utcnow()
    victim = complaint_factory.create(actor=org.receiver)
    first = journal_checkpoint(now=now + LATER)
    complaint_factory.create(actor=org.receiver)
    newest = journal_checkpoint(now=now + LATER * 2)
    rewrite_chain(chain_of(victim), seq=1)
    newest.digest = heads_digest(heads_up_to(newest.max_entry_id))
    newest.hash = entry_hash(prev_hash=newest.prev_hash, payload=newest.payload())
    Checkpoint.objects.filter(pk=newest.pk).update(digest=newest.digest, hash=newest.hash)
    assert journal_verify()[0] == []
    problems, _ = journal_verify(all_checkpoints=True)
    assert [(p.kind, p.seq) for p in problems] == [("checkpoint", first.pk)]
    assert "checkpoint" in failure_with("--all-checkpoints")


def test_removed_head_only_is_noticed(complaints):
    ChainHead.objects.filter(chain=f"c:{complaints[0].pk}").delete()
    problems, _ = journal_verify()
    assert [(p.kind, p.detail) for p in problems] == [("inserted", "the chain has no head record")]


def test_altered_checkpoint_is_noticed(complaints):
    first = journal_checkpoint(now=utcnow() + LATER)
    assert first is not None
    Checkpoint.objects.filter(pk=first.pk).update(entries=first.entries + 1)
    problems, _ = journal_verify()
    assert [(p.kind, p.seq) for p in problems] == [("checkpoint", first.pk)]
    assert failure().endswith(f"checkpoint {first.pk} was altered, or one before it removed")


def test_removed_checkpoint_is_noticed_by_the_next(org, complaint_factory):
    now = utcnow()
    cps = []
    for i in range(3):
        complaint_factory.create(actor=org.receiver)
        cps.append(journal_checkpoint(now=now + LATER * (i + 1)))
    Checkpoint.objects.filter(pk=cps[1].pk).delete()
    problems, _ = journal_verify()
    assert [(p.kind, p.seq) for p in problems] == [("checkpoint", cps[2].pk)]


def test_rewritten_sealed_chain_is_caught_by_the_checkpoint(complaints):
    """A forger who rewrites a sealed chain consistently (hashes and head) still changes the
    head the checkpoint sealed."""
    journal_checkpoint(now=utcnow() + LATER)
    rewrite_chain(chain_of(complaints[0]), seq=2)
    problems, _ = journal_verify()
    assert [p.kind for p in problems] == ["checkpoint"]


def test_checkpoint_waits_for_the_settle_window(complaints):
    now = utcnow()
    assert journal_checkpoint(now=now) is None  # everything is younger than 5 minutes
    cp = journal_checkpoint(now=now + LATER)
    assert cp is not None
    assert cp.max_entry_id == JournalEntry.objects.order_by("-id").first().pk
    assert cp.entries == JournalEntry.objects.count()
    assert cp.chains == JournalEntry.objects.values("chain").distinct().count()
    assert journal_checkpoint(now=now + LATER) is None  # nothing new
    assert verify_command().endswith("1 checkpoints verified")


def test_checkpoint_chain_cannot_fork(complaints):
    cp = journal_checkpoint(now=utcnow() + LATER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Checkpoint.objects.create(
            created_at=utcnow(),
            max_entry_id=cp.max_entry_id,
            chains=0,
            entries=0,
            digest="0" * 64,
            prev_hash=cp.prev_hash,
            hash="1" * 64,
        )


def test_checkpoint_command(complaints):
    from io import StringIO

    out = StringIO()
    call_command("journal_checkpoint", stdout=out)
    assert out.getvalue().strip() == "nothing new to seal"


def test_local_times_hash_like_utc(org):
    """A time given in Asia/Ho_Chi_Minh is stored as UTC and still verifies."""
    with transaction.atomic():
        journal_append(
            complaint_id=None,
            actor=org.admin,
            action="config.changed",
            after={"at": utcnow().astimezone(LOCAL_TZ)},
            at=utcnow().astimezone(LOCAL_TZ),
        )
    assert journal_verify()[0] == []


def test_nul_characters_are_dropped_before_hashing(org):
    with transaction.atomic():
        entry = journal_append(
            complaint_id=None, actor=None, action="note", after={"body": "a\x00b"}
        )
    assert JournalEntry.objects.get(pk=entry.pk).after == {"body": "ab"}
    assert journal_verify()[0] == []


def test_append_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        journal_append(complaint_id=None, actor=None, action="x")
