"""Writing to the journal. Call inside the transaction of the change being journaled."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Max

from complaintdesk.core.clock import utcnow
from complaintdesk.journal.domain.chain import GENESIS, entry_hash, heads_digest
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry

SYSTEM_LABEL = "system"


def chain_for_complaint(complaint_id: int) -> str:
    return f"c:{complaint_id}"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


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
    """Append one entry to the complaint's chain (or a named system chain)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal_append must run inside the transaction of the change")
    chain = chain or (chain_for_complaint(complaint_id) if complaint_id else "sys:main")
    head = ChainHead.objects.select_for_update().filter(chain=chain).first()
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS
    if actor_label is None:
        actor_label = getattr(actor, "username", None) or SYSTEM_LABEL
    entry = JournalEntry(
        chain=chain,
        seq=seq,
        complaint_id=complaint_id,
        at=at or utcnow(),
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label,
        action=action,
        target=target,
        before=_jsonable(before),
        after=_jsonable(after),
        public=public,
        prev_hash=prev,
    )
    entry.hash = entry_hash(prev_hash=prev, payload=entry.payload())
    entry.save(force_insert=True)
    if head:
        ChainHead.objects.filter(chain=chain).update(seq=seq, hash=entry.hash)
    else:
        ChainHead.objects.create(chain=chain, seq=seq, hash=entry.hash)
    return entry


def _heads_up_to(max_entry_id: int) -> list[tuple[str, int, str]]:
    """(chain, seq, hash) of each chain's last entry with id <= max_entry_id, from the entries."""
    last_ids = (
        JournalEntry.objects.filter(id__lte=max_entry_id)
        .values("chain")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    rows: list[tuple[str, int, str]] = []
    ids = list(last_ids)
    for start in range(0, len(ids), 5000):
        rows.extend(
            JournalEntry.objects.filter(id__in=ids[start : start + 5000]).values_list(
                "chain", "seq", "hash"
            )
        )
    return rows


def journal_checkpoint(*, now: datetime | None = None, settle: timedelta = timedelta(minutes=5)) -> Checkpoint | None:
    """Seal every chain head into a checkpoint chained to the previous one.

    Only entries older than ``settle`` are sealed, so a transaction still in flight (its id taken
    but not yet committed) cannot appear later below the sealed mark.
    """
    now = now or utcnow()
    with transaction.atomic():
        max_id = JournalEntry.objects.filter(at__lte=now - settle).aggregate(m=Max("id"))["m"]
        last = Checkpoint.objects.order_by("-id").first()
        if max_id is None or (last and last.max_entry_id >= max_id):
            return None
        heads = _heads_up_to(max_id)
        totals = JournalEntry.objects.filter(id__lte=max_id).aggregate(n=Count("id"))
        digest = heads_digest(heads)
        prev = last.hash if last else GENESIS
        payload = {
            "created_at": now.isoformat(timespec="microseconds"),
            "max_entry_id": max_id,
            "chains": len(heads),
            "entries": totals["n"],
            "digest": digest,
        }
        return Checkpoint.objects.create(
            created_at=now,
            max_entry_id=max_id,
            chains=len(heads),
            entries=totals["n"],
            digest=digest,
            prev_hash=prev,
            hash=entry_hash(prev_hash=prev, payload=payload),
        )


def checkpoint_payload(cp: Checkpoint) -> dict[str, object]:
    return {
        "created_at": cp.created_at.isoformat(timespec="microseconds"),
        "max_entry_id": cp.max_entry_id,
        "chains": cp.chains,
        "entries": cp.entries,
        "digest": cp.digest,
    }
