"""The pure hash-chain rules (no database)."""

from __future__ import annotations

from complaintdesk.journal.domain.chain import (
    GENESIS,
    StoredEntry,
    entry_hash,
    heads_digest,
    verify_chain,
)


def build(n: int, chain: str = "c:1") -> list[StoredEntry]:
    out: list[StoredEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        payload = {"chain": chain, "seq": seq, "action": f"a{seq}", "after": {"x": seq}}
        h = entry_hash(prev_hash=prev, payload=payload)
        out.append(
            StoredEntry(id=seq * 10, chain=chain, seq=seq, prev_hash=prev, hash=h, payload=payload)
        )
        prev = h
    return out


def test_intact_chain_verifies():
    assert verify_chain("c:1", build(5)) is None
    assert verify_chain("c:1", []) is None


def test_altered_content_is_named():
    entries = build(5)
    e = entries[2]
    entries[2] = StoredEntry(
        e.id, e.chain, e.seq, e.prev_hash, e.hash, {**e.payload, "after": {"x": 99}}
    )
    problem = verify_chain("c:1", entries)
    assert problem is not None
    assert (problem.kind, problem.entry_id, problem.seq) == ("altered", 30, 3)


def test_removed_entry_is_named_by_the_next_one():
    entries = build(5)
    del entries[1]
    problem = verify_chain("c:1", entries)
    assert problem is not None
    assert (problem.kind, problem.entry_id, problem.seq) == ("removed", 30, 3)
    assert problem.detail == "expected seq 2, found 3"


def test_inserted_entry_breaks_the_link():
    entries = build(3)
    forged_payload = {"chain": "c:1", "seq": 2, "action": "forged", "after": {}}
    forged = StoredEntry(
        99,
        "c:1",
        2,
        "f" * 64,
        entry_hash(prev_hash="f" * 64, payload=forged_payload),
        forged_payload,
    )
    problem = verify_chain("c:1", [entries[0], forged, *entries[2:]])
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("inserted", 99)


def test_hash_depends_on_the_previous_entry():
    payload = {"a": 1}
    assert entry_hash(prev_hash=GENESIS, payload=payload) != entry_hash(
        prev_hash="1" * 64, payload=payload
    )
    assert entry_hash(prev_hash=GENESIS, payload={"a": 1, "b": 2}) == entry_hash(
        prev_hash=GENESIS, payload={"b": 2, "a": 1}
    )


def test_heads_digest_ignores_order_but_not_content():
    heads = [("c:1", 3, "a" * 64), ("c:2", 1, "b" * 64)]
    assert heads_digest(heads) == heads_digest(list(reversed(heads)))
    assert heads_digest(heads) != heads_digest(heads[:1])
    assert heads_digest(heads) != heads_digest([("c:1", 3, "a" * 64), ("c:2", 2, "b" * 64)])
