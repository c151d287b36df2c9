"""Reading and verifying the journal."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db.models import QuerySet

from complaintdesk.journal.domain.chain import (
    GENESIS,
    Problem,
    StoredEntry,
    entry_hash,
    heads_digest,
    verify_chain,
)
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry
from complaintdesk.journal.services import _heads_up_to, checkpoint_payload


def complaint_timeline(complaint_id: int) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(complaint_id=complaint_id).select_related("actor").order_by("seq")


def _stored(e: JournalEntry) -> StoredEntry:
    return StoredEntry(id=e.id, chain=e.chain, seq=e.seq, prev_hash=e.prev_hash, hash=e.hash,
                       payload=e.payload())


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


def journal_verify() -> tuple[list[Problem], dict[str, int]]:
    """Check every chain, the head table and the checkpoints. Returns (problems, counts)."""
    problems: list[Problem] = []
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
            problems.append(Problem(chain, last.id, last.seq, "inserted", "chain has no head record"))
        elif head.seq != last.seq or head.hash != last.hash:
            kind = "removed" if head.seq > last.seq else "inserted"
            problems.append(Problem(chain, last.id, last.seq, kind,
                                    f"head says seq {head.seq}, chain ends at seq {last.seq}"))
    for chain, head in heads.items():
        if chain not in seen:
            problems.append(Problem(chain, None, head.seq, "chain_missing",
                                    f"all {head.seq} entries of this chain are gone"))
    # Every complaint must have a chain: its creation is always journaled.
    complaint_model = apps.get_model("complaints", "Complaint")
    orphan = (
        complaint_model.objects.exclude(
            pk__in=JournalEntry.objects.filter(seq=1, complaint__isnull=False).values("complaint_id")
        )
        .values_list("pk", "code")
        .first()
    )
    if orphan:
        problems.append(Problem(f"c:{orphan[0]}", None, None, "chain_missing",
                                f"complaint {orphan[1]} has no journal"))
    # Checkpoints: chained among themselves, and each digest still matches the entries.
    prev = GENESIS
    checkpoints = list(Checkpoint.objects.order_by("id"))
    for cp in checkpoints:
        if cp.prev_hash != prev or entry_hash(prev_hash=prev, payload=checkpoint_payload(cp)) != cp.hash:
            problems.append(Problem("checkpoint", None, cp.id, "checkpoint",
                                    f"checkpoint {cp.id} was altered or removed"))
            break
        prev = cp.hash
    if checkpoints:
        cp = checkpoints[-1]
        current = _heads_up_to(cp.max_entry_id)
        if heads_digest(current) != cp.digest:
            problems.append(Problem(
                "checkpoint", None, cp.id, "checkpoint",
                f"entries sealed by checkpoint {cp.id} changed: {cp.chains} chains sealed, "
                f"{len(current)} found",
            ))
    return problems, {"chains": len(seen), "entries": n_entries, "checkpoints": len(checkpoints)}
