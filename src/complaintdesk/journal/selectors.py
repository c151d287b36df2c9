"""Reading and verifying the journal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from complaintdesk.journal.domain.chain import (
    GENESIS,
    Problem,
    StoredEntry,
    entry_hash,
    heads_digest,
    verify_chain,
)
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry
from complaintdesk.journal.services import heads_up_to


def complaint_timeline(complaint_id: int) -> QuerySet[JournalEntry]:
    return (
        JournalEntry.objects.filter(complaint_id=complaint_id)
        .select_related("actor")
        .order_by("seq")
    )


def _stored(e: JournalEntry) -> StoredEntry:
    return StoredEntry(
        id=e.id, chain=e.chain, seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, payload=e.payload()
    )


def _chains() -> Iterator[tuple[str, list[JournalEntry]]]:
    current: str | None = None
    batch: list[JournalEntry] = []
    for e in JournalEntry.objects.order_by("chain", "seq").iterator(chunk_size=2000):
        if e.chain != current:
            if current is not None:
                yield current, batch
            current, batch = e.chain, []
        batch.append(e)
    if current is not None:
        yield current, batch


@contextmanager
def _snapshot() -> Iterator[None]:
    """Read everything from one snapshot, so entries appended meanwhile do not look forged.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite (WAL): a deferred read
    transaction, which does not block writers (Django's IMMEDIATE atomic blocks would).
    Inside an existing transaction (tests) the caller's transaction is the snapshot.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("ROLLBACK")
        return
    yield


def _verify_chains(problems: list[Problem]) -> dict[str, int]:
    heads = {h.chain: h for h in ChainHead.objects.all()}
    seen: set[str] = set()
    n_entries = 0
    for chain, entries in _chains():
        seen.add(chain)
        n_entries += len(entries)
        problem = verify_chain(chain, (_stored(e) for e in entries))
        if problem:
            problems.append(problem)
            continue
        head = heads.get(chain)
        last = entries[-1]
        if head is None:
            problems.append(
                Problem(chain, last.id, last.seq, "inserted", "the chain has no head record")
            )
        elif head.seq != last.seq or head.hash != last.hash:
            kind = "removed" if head.seq > last.seq else "inserted"
            problems.append(
                Problem(
                    chain,
                    last.id,
                    last.seq,
                    kind,
                    f"the head says seq {head.seq}, the chain ends at seq {last.seq}",
                )
            )
    for chain, head in heads.items():
        if chain not in seen and head.seq > 0:
            problems.append(
                Problem(
                    chain,
                    None,
                    head.seq,
                    "chain_missing",
                    f"all {head.seq} entries of this chain are gone",
                )
            )
    return {"chains": len(seen), "entries": n_entries}


def _verify_complaints_have_journal(problems: list[Problem]) -> None:
    """Every complaint's creation is journaled, so every complaint has a first entry."""
    complaint_model = apps.get_model("complaints", "Complaint")
    first = JournalEntry.objects.filter(complaint_id=OuterRef("pk"), seq=1)
    orphans = (
        complaint_model.objects.filter(~Exists(first)).order_by("pk").values_list("pk", "code")
    )
    for pk, code in orphans[:20]:
        problems.append(
            Problem(f"c:{pk}", None, None, "chain_missing", f"complaint {code} has no journal")
        )


def _verify_checkpoints(problems: list[Problem], *, all_digests: bool) -> int:
    """Checkpoints are chained among themselves, and their digests still match the entries.

    The newest checkpoint seals every entry up to its mark, so checking its digest covers all
    sealed history; ``all_digests`` re-checks every older one too (slow on a large journal).
    """
    checkpoints = list(Checkpoint.objects.order_by("id"))
    prev = GENESIS
    for cp in checkpoints:
        if cp.prev_hash != prev or entry_hash(prev_hash=prev, payload=cp.payload()) != cp.hash:
            problems.append(
                Problem(
                    "checkpoint",
                    None,
                    cp.id,
                    "checkpoint",
                    f"checkpoint {cp.id} was altered, or one before it removed",
                )
            )
            return len(checkpoints)
        prev = cp.hash
    for cp in checkpoints if all_digests else checkpoints[-1:]:
        current = heads_up_to(cp.max_entry_id)
        if heads_digest(current) != cp.digest:
            problems.append(
                Problem(
                    "checkpoint",
                    None,
                    cp.id,
                    "checkpoint",
                    f"entries sealed by checkpoint {cp.id} changed: it sealed {cp.chains} chains, "
                    f"{len(current)} found",
                )
            )
            break
    return len(checkpoints)


def journal_verify(*, all_checkpoints: bool = False) -> tuple[list[Problem], dict[str, int]]:
    """Check every chain, the head table, that each complaint has a journal, and the checkpoints.

    Returns (problems, counts). Problems come chain by chain; within a chain only the first.
    """
    problems: list[Problem] = []
    with _snapshot():
        counts = _verify_chains(problems)
        _verify_complaints_have_journal(problems)
        counts["checkpoints"] = _verify_checkpoints(problems, all_digests=all_checkpoints)
    return problems, counts
