"""Hash-chain rules for the journal, in pure Python.

Each complaint has its own chain: entry n stores the hash of entry n-1, and its own hash covers
its content plus that link. A periodic checkpoint hashes every chain head (chain, seq, hash) into
one digest and is itself chained to the previous checkpoint, so removing a whole chain is noticed
too. See docs/decisions/0001-journal-hash-chain.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(payload: Mapping[str, object]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(*, prev_hash: str, payload: Mapping[str, object]) -> str:
    h = hashlib.sha256()
    h.update(prev_hash.encode())
    h.update(b"\n")
    h.update(canonical(payload))
    return h.hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    id: int
    chain: str
    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]


@dataclass(frozen=True)
class Problem:
    chain: str
    entry_id: int | None
    seq: int | None
    kind: str  # altered | inserted | removed | chain_missing | checkpoint
    detail: str


def verify_chain(chain: str, entries: Iterable[StoredEntry]) -> Problem | None:
    """Walk one chain in seq order; return the first problem, if any."""
    expected_seq = 1
    prev = GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            kind = "removed" if entry.seq > expected_seq else "inserted"
            return Problem(
                chain, entry.id, entry.seq, kind, f"expected seq {expected_seq}, found {entry.seq}"
            )
        if entry.prev_hash != prev:
            return Problem(
                chain, entry.id, entry.seq, "inserted", "link to the previous entry does not match"
            )
        if entry_hash(prev_hash=prev, payload=entry.payload) != entry.hash:
            return Problem(chain, entry.id, entry.seq, "altered", "content does not match its hash")
        prev = entry.hash
        expected_seq += 1
    return None


def heads_digest(heads: Iterable[tuple[str, int, str]]) -> str:
    """Digest over (chain, seq, hash) of every chain head, in chain order."""
    h = hashlib.sha256()
    for chain, seq, head_hash in sorted(heads):
        h.update(f"{chain}|{seq}|{head_hash}\n".encode())
    return h.hexdigest()
