"""Keeping the search index current.

``index_complaints`` builds the folded document of each complaint (its code, the customer's
name, phones, emails and account ids, the subject, the description and every message) and
upserts it in one statement; on SQLite the triggers of ``search.dbsql`` carry the change into
the FTS5 table, on PostgreSQL the ``tsvector`` column is regenerated. It runs inside the
complaint service's transaction (through ``complaints.hooks``), so the index never disagrees
with a committed record, and it is what ``manage.py search_reindex`` runs in batches.

Each document also carries the complaint's list-filter columns (``FILTER_COLUMNS``: status,
channel, kind, category, department, assignee, customer, received_at), rewritten by the same
upsert on every complaint change (transitions and updates included), so a filtered search reads
one table (``search.selectors``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from complaintdesk.complaints.models import Complaint, CustomerIdentity, IdentityKind, Message
from complaintdesk.core.clock import utcnow
from complaintdesk.search import dbsql
from complaintdesk.search.domain.text import joined, phone_forms
from complaintdesk.search.models import SearchDocument

BODY_LIMIT = 60_000  # characters of folded text kept per complaint (description + messages)
SIBLINGS_LIMIT = 500  # a customer's other complaints re-indexed when their identities change
# The complaint's filter columns copied into its document, under the same names (the
# PostgreSQL GIN index covers all of them: ``dbsql.PG_INDEX_COLUMNS`` is this list).
FILTER_COLUMNS = dbsql.PG_INDEX_COLUMNS
# What a document is built from (the filter columns include customer_id and received_at).
_FIELDS = (
    "code",
    "customer__name",
    "subject",
    "description",
    "account_info",
    "content_info",
    "payment_info",
    "verification",
    "resolution",
    *FILTER_COLUMNS,
)


def _strings(value: Any) -> Iterable[str]:
    """Every string inside a JSON block (account, content, payment, verification)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _identity_text(identities: Sequence[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for kind, value in identities:
        if kind == IdentityKind.PHONE:
            out += phone_forms(value)
        else:
            out.append(value)
    return out


def build_document(
    row: dict[str, Any],
    identities: Sequence[tuple[str, str]],
    messages: Sequence[str],
    now: datetime,
) -> SearchDocument:
    """The folded document of one complaint, from its values and its customer's identities."""
    account = row["account_info"] or {}
    ids = [row["code"], *_identity_text(identities)]
    for key in ("registered_phone",):
        if account.get(key):
            ids += phone_forms(str(account[key]))
    ids += [str(account.get(k, "")) for k in ("registered_email", "facebook_account")]
    ids.append(str((row["payment_info"] or {}).get("transaction_ref", "")))
    names = [row["customer__name"], str(account.get("account_name", ""))]
    body_parts = [
        row["description"],
        *_strings(row["content_info"]),
        *_strings(row["verification"]),
        row["resolution"],
        *messages,
    ]
    body = joined(" ".join(p for p in body_parts if p))[:BODY_LIMIT]
    return SearchDocument(
        complaint_id=row["id"],
        ids=joined(" ".join(i for i in ids if i)),
        names=joined(" ".join(n for n in names if n)),
        subject=joined(row["subject"]),
        body=body,
        indexed_at=now,
        **{c: row.get(c) for c in FILTER_COLUMNS},
    )


def index_complaints(complaint_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """(Re)build the documents of these complaints; returns how many were written."""
    now = now or utcnow()
    ids = list(dict.fromkeys(complaint_ids))
    if not ids:
        return 0
    # In id order: two transactions upserting the same documents lock them in the same order.
    rows = list(Complaint.objects.filter(pk__in=ids).order_by("id").values("id", *_FIELDS))
    customer_ids = {r["customer_id"] for r in rows}
    identities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, kind, value in CustomerIdentity.objects.filter(
        customer_id__in=customer_ids
    ).values_list("customer_id", "kind", "value"):
        identities[customer_id].append((kind, value))
    messages: dict[int, list[str]] = defaultdict(list)
    for complaint_id, body in (
        Message.objects.filter(complaint_id__in=ids)
        .order_by("id")
        .values_list("complaint_id", "body")
    ):
        messages[complaint_id].append(body)
    docs = [build_document(r, identities[r["customer_id"]], messages[r["id"]], now) for r in rows]
    _upsert(docs, now)
    return len(docs)


_COLUMNS = ("ids", "names", "subject", "body", "indexed_at", *FILTER_COLUMNS)
_NAMES = ", ".join(_COLUMNS)
_MARKS = ", ".join(["%s"] * (len(_COLUMNS) + 1))
_SETS = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS)
UPSERT = f"INSERT INTO search_searchdocument (complaint_id, {_NAMES}) VALUES ({_MARKS}) ON CONFLICT (complaint_id) DO UPDATE SET {_SETS}"  # noqa: S608 - constant column names


def _upsert(docs: Sequence[SearchDocument], now: datetime) -> None:
    """One INSERT … ON CONFLICT DO UPDATE per document, several sent as one batch (the ORM's
    bulk_create spends longer building the SQL than the database spends running it)."""
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    rows = []
    for d in docs:
        filters = (getattr(d, c) for c in FILTER_COLUMNS)  # in _COLUMNS' order
        rows.append(
            (
                d.complaint_id, d.ids, d.names, d.subject, d.body, stamp,
                *(adapt(v) if isinstance(v, datetime) else v for v in filters),
            )
        )  # fmt: skip
    with connection.cursor() as cur:
        if len(rows) == 1:  # the usual case (an intake, an action): no batch machinery
            cur.execute(UPSERT, rows[0])
        else:
            cur.executemany(UPSERT, rows)


def index_complaint(complaint_id: int, *, with_siblings: bool = False) -> int:
    """Re-index one complaint; ``with_siblings`` also re-indexes the same customer's other
    complaints (their identities may have just grown: a new phone or email)."""
    ids = [complaint_id]
    if with_siblings:
        customer_id = (
            Complaint.objects.filter(pk=complaint_id).values_list("customer_id", flat=True).first()
        )
        if customer_id is not None:
            ids += list(
                Complaint.objects.filter(customer_id=customer_id)
                .exclude(pk=complaint_id)
                .order_by("-id")
                .values_list("pk", flat=True)[:SIBLINGS_LIMIT]
            )
    return index_complaints(ids)


def on_complaint_change(*, complaint_id: int, event: str, **context: Any) -> None:
    """The ``complaints.hooks`` hook: every write that changes searchable text re-indexes.

    A complaint created with a new customer is indexed from the instance in hand: it has no
    messages yet, its customer no other complaints and no identities but those given."""
    complaint = context.get("complaint")
    identities = context.get("customer_identities")
    if event == "created" and complaint is not None and identities is not None:
        row = {f: getattr(complaint, f) for f in _FIELDS if "__" not in f}
        row["id"] = complaint.pk
        row["customer__name"] = complaint.customer.name
        now = utcnow()
        _upsert([build_document(row, identities, [], now)], now)
        return
    index_complaint(complaint_id, with_siblings=event == "created")


def search_index_clear() -> None:
    """Empty the index (before a full rebuild), in one transaction."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # Without the triggers: one 'delete-all' instead of a 'delete' per row.
            for sql in dbsql.SQLITE_DROP[:3]:
                cur.execute(sql)
            cur.execute("DELETE FROM search_searchdocument")
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            for sql in dbsql.SQLITE_TRIGGERS:
                cur.execute(sql)
        else:
            cur.execute("DELETE FROM search_searchdocument")
