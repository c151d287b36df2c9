"""Writing to the journal. Call inside the transaction of the change being journaled."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max

from complaintdesk.core.clock import utcnow
from complaintdesk.core.inserts import Inserter
from complaintdesk.journal.domain.chain import GENESIS, entry_hash, heads_digest
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry

logger = logging.getLogger(__name__)

SYSTEM_LABEL = "system"
SYSTEM_CHAIN = "sys:main"
# Entries younger than this are not sealed by a checkpoint yet (see journal_checkpoint).
SETTLE = timedelta(minutes=5)
_CHECKPOINT_LOCK = 0x4A4E4C  # pg_advisory_xact_lock key: one checkpoint run at a time


def chain_for_complaint(complaint_id: int) -> str:
    return f"c:{complaint_id}"


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    return value


def _jsonable(value: Any) -> Any:
    """Plain JSON as the database will give it back (PostgreSQL jsonb refuses NUL characters)."""
    return _strip_nul(
        json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, ensure_ascii=False))
    )


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return value.astimezone(UTC)


def _locked_head(chain: str) -> ChainHead:
    """The chain's head row, locked until the end of the transaction (created if new)."""
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return ChainHead.objects.create(chain=chain, seq=0, hash=GENESIS)
    except IntegrityError:  # a parallel transaction started the same chain and has committed
        return ChainHead.objects.select_for_update().get(chain=chain)


@dataclass
class _Batch:
    """Entries appended inside :func:`journal_batch`, written when it ends."""

    new_chains: set[str] = field(default_factory=set)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    entries: list[JournalEntry] = field(default_factory=list)

    def begin_complaint(self, complaint_id: int) -> None:
        """The complaint was created in this transaction: its chain starts here."""
        self.new_chains.add(chain_for_complaint(complaint_id))


_local = threading.local()
# The batch's INSERTs, their SQL built once (core.inserts).
_ENTRY_INSERT = Inserter(JournalEntry)
_HEAD_INSERT = Inserter(ChainHead)


@contextmanager
def journal_batch() -> Iterator[_Batch]:
    """Collect the entries appended inside the block and write them in one INSERT at its end.

    For a write that appends several entries at once (a complaint's creation: the complaint,
    its clocks, a raised priority). Entries are hashed as they are appended, in order, exactly
    as one by one. ``batch.begin_complaint(id)`` names a complaint created in this transaction:
    its chain's head row is then inserted once instead of looked up, locked and updated. Must run inside the transaction of the change; nothing inside the block may read
    the journal back. If the block raises, nothing is written (the transaction rolls back).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal_batch must run inside the transaction of the change")
    outer: _Batch | None = getattr(_local, "batch", None)
    if outer is not None:  # nested: the outer batch writes
        yield outer
        return
    batch = _Batch()
    _local.batch = batch
    try:
        yield batch
    finally:
        _local.batch = None
    if not batch.entries:
        return
    _ENTRY_INSERT.insert(batch.entries, [_ENTRY_INSERT.prepare(e) for e in batch.entries])
    new_heads = []
    for chain, (seq, digest) in batch.heads.items():
        if chain in batch.new_chains:
            new_heads.append(ChainHead(chain=chain, seq=seq, hash=digest))
        else:
            ChainHead.objects.filter(chain=chain).update(seq=seq, hash=digest)
    _HEAD_INSERT.insert(new_heads, [_HEAD_INSERT.prepare(h) for h in new_heads])


def _head_of(chain: str) -> tuple[int, str]:
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is None:
        head = _locked_head(chain)
        return head.seq, head.hash
    if chain not in batch.heads:
        if chain in batch.new_chains:
            batch.heads[chain] = (0, GENESIS)
        else:
            head = _locked_head(chain)
            batch.heads[chain] = (head.seq, head.hash)
    return batch.heads[chain]


def journal_append(
    *,
    complaint_id: int | None,
    actor: Any | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target: str = "",
    public: bool = False,
    at: datetime | None = None,
    chain: str | None = None,
    actor_label: str | None = None,
) -> JournalEntry:
    """Append one entry to the complaint's chain (or a named system chain).

    Must run inside the transaction of the change: if the change rolls back, so does the entry.
    Appends to one chain queue on its head row; appends to different chains never wait on each
    other. Inside :func:`journal_batch` the entry is written when the batch ends (no id yet).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal_append must run inside the transaction of the change")
    chain = chain or (chain_for_complaint(complaint_id) if complaint_id else SYSTEM_CHAIN)
    seq, prev_hash = _head_of(chain)
    if actor_label is None:
        actor_label = getattr(actor, "username", None) or SYSTEM_LABEL
    entry = JournalEntry(
        chain=chain,
        seq=seq + 1,
        complaint_id=complaint_id,
        at=_utc(at or utcnow()),
        recorded_at=utcnow(),
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label[:200],
        action=action[:60],
        target=target[:80],
        before=_jsonable(before),
        after=_jsonable(after),
        public=public,
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(prev_hash=prev_hash, payload=entry.payload())
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is not None:
        batch.entries.append(entry)
        batch.heads[chain] = (entry.seq, entry.hash)
        return entry
    entry.save(force_insert=True)
    ChainHead.objects.filter(chain=chain).update(seq=entry.seq, hash=entry.hash)
    return entry


def heads_up_to(max_entry_id: int) -> list[tuple[str, int, str]]:
    """(chain, seq, hash) of each chain's last entry with id <= max_entry_id, from the entries."""
    ids = list(
        JournalEntry.objects.filter(id__lte=max_entry_id)
        .values("chain")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    rows: list[tuple[str, int, str]] = []
    for start in range(0, len(ids), 5000):
        rows.extend(
            JournalEntry.objects.filter(id__in=ids[start : start + 5000]).values_list(
                "chain", "seq", "hash"
            )
        )
    return rows


def _settled_max_id(cutoff: datetime) -> int | None:
    """The newest entry written before ``cutoff`` (walks the primary key down from the top)."""
    return (
        JournalEntry.objects.filter(recorded_at__lte=cutoff)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def journal_checkpoint(
    *, now: datetime | None = None, settle: timedelta = SETTLE
) -> Checkpoint | None:
    """Seal every chain head into a checkpoint chained to the previous one.

    Only entries written at least ``settle`` ago are sealed: on PostgreSQL an entry's id is
    taken when it is inserted but becomes visible only when its transaction commits, so a
    transaction still in flight could otherwise commit an entry *below* the sealed mark and make
    the next verification fail. Returns None when there is nothing new to seal or a parallel run
    sealed first.
    """
    now = _utc(now or utcnow())
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHECKPOINT_LOCK])
            last = Checkpoint.objects.order_by("-id").first()
            max_id = _settled_max_id(now - settle)
            if max_id is None or (last is not None and last.max_entry_id >= max_id):
                return None
            heads = heads_up_to(max_id)
            entries = JournalEntry.objects.filter(id__lte=max_id).aggregate(n=Count("id"))["n"]
            checkpoint = Checkpoint(
                created_at=now,
                max_entry_id=max_id,
                chains=len(heads),
                entries=entries,
                digest=heads_digest(heads),
                prev_hash=last.hash if last else GENESIS,
            )
            checkpoint.hash = entry_hash(
                prev_hash=checkpoint.prev_hash, payload=checkpoint.payload()
            )
            checkpoint.save(force_insert=True)
    except IntegrityError:  # uniq_checkpoint_prev: another run sealed first
        return None
    # Copy this line somewhere the database's users cannot write (log shipping, e-mail): it
    # anchors the journal outside the database.
    logger.info(
        "journal checkpoint %s: %s chains, %s entries, up to entry %s, hash %s",
        checkpoint.pk,
        checkpoint.chains,
        checkpoint.entries,
        checkpoint.max_entry_id,
        checkpoint.hash,
    )
    return checkpoint


def checkpoint_payload(cp: Checkpoint) -> dict[str, object]:
    return cp.payload()
