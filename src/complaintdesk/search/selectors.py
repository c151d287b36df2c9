"""Searching complaints: ranked matches with the matched words highlighted.

Every word of the query must match (the last one may be unfinished: prefix match), accents,
case and Unicode form ignored (``search.domain.text``). Matches in identifiers (code, phone,
email, account) weigh most, then the customer's name and the subject, then the description and
messages.

Ranking every match of a common word ("nguyen" matches a third of all complaints) would read
the whole posting list, so the ranking is done over the newest ``WINDOW`` matches (by complaint
id, i.e. by recording): both engines walk their index in id order and stop there. A search
therefore answers in bounded time whatever the table size; people narrow a search that hits
more than a thousand complaints by adding a word or a filter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import WhereNode

from complaintdesk.complaints.messages import msg
from complaintdesk.complaints.models import Complaint, CustomerIdentity, IdentityKind, Message
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.search.domain.text import Query, highlight, parse_query, phone_forms, snippet
from complaintdesk.search.models import SearchDocument
from complaintdesk.search.services import FILTER_COLUMNS

WINDOW = 1000
MAX_LIMIT = 100
# Column weights: ids, names, subject, body.
SQLITE_WEIGHTS = "10.0, 4.0, 4.0, 1.0"


def _restriction(within: QuerySet[Complaint] | None) -> tuple[str, list[Any]]:
    """SQL ``IN (…)`` over the complaints of ``within`` (filters and the user's scope)."""
    if within is None or not within.query.where:
        return "", []
    sql, params = within.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _sqlite_ranked(
    query: Query, within: QuerySet[Complaint] | None, offset: int, limit: int
) -> list[tuple[int, float]]:
    words = [f'"{w}"' for w in query.words]
    if query.prefix:
        words[-1] += "*"
    match = " ".join(words)
    sub, sub_params = _restriction(within)
    # "+rowid": the restriction filters the matches; it must not drive the FTS lookups
    # (probing the full-text index once per restricted id is far slower).
    extra = f" AND +rowid IN ({sub})" if sub else ""
    # Table name and weights are constants, the restriction is Django's SQL; values are bound.
    floor_sql = f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s{extra} ORDER BY rowid DESC LIMIT 1 OFFSET %s"  # noqa: S608
    rank_sql = (
        f"SELECT rowid, -bm25(search_fts, {SQLITE_WEIGHTS}) AS score FROM search_fts "  # noqa: S608
        "WHERE search_fts MATCH %s{floor}"
        + extra
        + " ORDER BY score DESC, rowid DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cur:
        cur.execute(floor_sql, [match, *sub_params, WINDOW - 1])
        row = cur.fetchone()
        floor = f" AND rowid >= {int(row[0])}" if row else ""
        cur.execute(rank_sql.replace("{floor}", floor), [match, *sub_params, limit, offset])
        return [(int(pk), float(score)) for pk, score in cur.fetchall()]


WALK = 20_000  # PostgreSQL: newest documents checked one by one before asking the GIN index
SLICE = 200_000  # the GIN index over the newest SLICE ids first, then over all of them
WIDE = 0.2  # a restriction keeping this share of the documents is read from the complaints
RESTRICTED_ALL = 20_000  # expected matches of a restricted search read from the index at once
PREFIX_SHARE = 0.02  # a prefix matching more documents than this is checked, not indexed
TSQUERY = "to_tsquery('simple'::regconfig, cd_unaccent(%s))"
# The query is written out (not a CTE or a bound plan) so the planner sees and estimates it.
_PG_RANK = f"""
    SELECT m.complaint_id, ts_rank(m.tsv, {TSQUERY}) AS score, (SELECT count(*) FROM m) AS found
    FROM m ORDER BY score DESC, m.complaint_id DESC LIMIT %s OFFSET %s"""  # noqa: S608 - constants


_DOC_LOOKUPS = frozenset({"exact", "in", "gt", "gte", "lt", "lte", "isnull"})
# Complaint column -> the search document's copy of it (search.services.FILTER_COLUMNS).
_DOC_COLUMNS = {"id": "complaint_id", **{c: c for c in FILTER_COLUMNS}}
_PLAIN = (str, int, float, datetime, date, type(None))


def _doc_q(node: Any, alias: str) -> Q | None:
    """The restriction ``node`` (a piece of a complaint queryset's WHERE) as a filter on the
    search document, or None when it uses anything the document does not carry (a join, a
    sub-select such as the staff scope's EXISTS, an expression)."""
    if isinstance(node, WhereNode):
        parts = [_doc_q(child, alias) for child in node.children]
        if not parts or any(p is None for p in parts):
            return None
        return Q(*parts, _connector=node.connector, _negated=node.negated)
    if not (isinstance(node, Lookup) and isinstance(node.lhs, Col)):
        return None
    target, rhs = node.lhs.target, node.rhs
    name = _DOC_COLUMNS.get(target.column)
    if node.lhs.alias != alias or target.model is not Complaint or name is None:
        return None
    if node.lookup_name not in _DOC_LOOKUPS:
        return None
    many = node.lookup_name == "in" and isinstance(rhs, list | tuple | set | frozenset)
    if not all(isinstance(v, _PLAIN) for v in (rhs if many else [rhs])):
        return None
    return Q(**{f"{name}__{node.lookup_name}": rhs})


def _doc_restriction(within: QuerySet[Complaint] | None) -> tuple[str, list[Any]] | None:
    """``within``'s filters as SQL on ``search_searchdocument`` (unaliased): ("", []) for no
    restriction, None when they cannot be written on the document (then the restriction is
    read from the complaints table)."""
    if within is None or not within.query.where:
        return "", []
    q = _doc_q(within.query.where, within.query.get_initial_alias())
    if q is None:
        return None
    docs = SearchDocument.objects.filter(q)
    try:
        sql, params = docs.query.get_compiler(connection=connection).compile(docs.query.where)
    except EmptyResultSet:
        return "false", []
    return sql or "true", list(params)


def _pg_tsquery(query: Query) -> tuple[list[str], str]:
    """The query's words as tsquery terms (the last one a prefix when typed so) and joined."""
    words = [f"'{w}'" for w in query.words]
    if query.prefix:
        words[-1] += ":*"
    return words, " & ".join(words)


def _pg_ranked(
    query: Query, within: QuerySet[Complaint] | None, offset: int, limit: int
) -> list[tuple[int, float]]:
    """Rank the newest WINDOW matches. When the restriction (filters, scope) is one the search
    document carries (``_doc_restriction``), the search table alone answers: the words and the
    filter columns are in one GIN index (``search.dbsql.PG_INDEX``), so a common word within a
    status is an intersection of posting lists inside the index, not one lookup per complaint.
    Other restrictions (the staff scope's EXISTS on tasks) go through ``_pg_ranked_joined``."""
    on_docs = _doc_restriction(within)
    if on_docs is None:
        return _pg_ranked_joined(query, within, offset, limit)
    where, where_params = on_docs
    words, tsquery = _pg_tsquery(query)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute("SELECT coalesce(max(complaint_id), 0) FROM search_searchdocument")
        top = int(cur.fetchone()[0])
        shares = _pg_shares(cur, query)
        share = min(shares, default=0.0)
        cond = f" AND {where}" if where else ""
        walked: int | None = None  # matches found by the walk, when it ran and fell short
        kept = 1.0  # the share of the documents the restriction keeps
        if where:
            # The share of documents the restriction keeps: the planner's estimate (statistics
            # of the complaints table), read from EXPLAIN (planning only, well under 1 ms).
            sub, sub_params = _restriction(within)
            cur.execute(f"EXPLAIN (FORMAT JSON) {sub}", sub_params)
            plan = cur.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            kept = min(1.0, float(plan[0]["Plan"]["Plan Rows"]) / max(top, 1))
            if kept >= WIDE:
                # A wide restriction (a channel: a third of the table) in the GIN index means
                # intersecting the words with a posting list of hundreds of thousands; reading
                # the restriction's newest ids from the complaints table costs less (measured at
                # 1M: "hotline", 34 %, subject words: CPU 98 ms against 205 ms).
                return _pg_ranked_joined(query, within, offset, limit)
            share *= kept
        if share * WALK >= WINDOW or top <= WALK:
            # Common: the newest WALK documents, each checked (filters and words), fill the
            # window. The inner ORDER BY … LIMIT keeps the walk a walk backwards along the
            # primary key, stopping at the WINDOW-th match (not a bitmap of the range, sorted).
            cur.execute(
                f"""WITH m AS (
                    SELECT r.complaint_id, r.tsv FROM (
                        SELECT complaint_id, tsv FROM search_searchdocument
                        WHERE complaint_id > %s{cond} ORDER BY complaint_id DESC LIMIT %s
                    ) r
                    WHERE r.tsv @@ {TSQUERY} ORDER BY r.complaint_id DESC LIMIT %s
                ){_PG_RANK}""",  # noqa: S608 - constant SQL, Django's SQL for the filters
                [top - WALK, *where_params, WALK, tsquery, WINDOW, tsquery, limit, offset],
            )
            rows = cur.fetchall()
            if top <= WALK or (rows and int(rows[0][2]) >= WINDOW):
                return [(int(pk), float(score)) for pk, score, _n in rows]
            walked = int(rows[0][2]) if rows else 0
        # A common prefix next to rarer words, or inside a narrow restriction: the index is
        # asked for the other words (and the filters) only, the prefix checked on the rows
        # (GIN would first collect every word starting with it: "doi:*" within a status costs
        # 100 ms that way, 12 ms this way).
        index_query, check = tsquery, ""
        others = min(shares[:-1], default=1.0) * kept
        if (
            query.prefix
            and (len(words) > 1 or where)
            and shares[-1] >= PREFIX_SHARE
            and others < PREFIX_SHARE
        ):
            index_query = " & ".join(words[:-1])
            check = f" AND (tsv || ''::tsvector) @@ {TSQUERY}"
        match = f"tsv @@ {TSQUERY}" if index_query else "true"
        indexed = f"""WITH m AS (
                SELECT complaint_id, tsv FROM search_searchdocument
                WHERE {match}{check}{cond} AND complaint_id > %s
                ORDER BY complaint_id + 0 DESC LIMIT %s
            )"""  # noqa: S608 - constant table, Django's SQL for the filters; values bound
        head = [index_query] if index_query else []
        if check:
            head.append(tsquery)
        # A restriction whose matches are few (a status, a department…) is one index scan.
        few = bool(where) and share * top <= RESTRICTED_ALL
        span = SLICE if share * SLICE >= WINDOW and not few else top
        if walked is not None:
            # The walk measured how often the words (each common) match together among the
            # newest WALK ids: reach back about as far as should hold the window (two words of
            # a name, each common but rare together), or over all when they never met there.
            span = top if walked == 0 else min(top, WALK + WINDOW * WALK * 3 // (2 * walked))
        while True:
            floor = max(0, top - span)
            cur.execute(
                indexed + _PG_RANK,
                [*head, *where_params, floor, WINDOW, tsquery, limit, offset],
            )
            rows = cur.fetchall()
            found = int(rows[0][2]) if rows else 0
            if floor == 0 or found >= WINDOW:
                return [(int(pk), float(score)) for pk, score, _n in rows]
            span = top


def _pg_ranked_joined(
    query: Query, within: QuerySet[Complaint] | None, offset: int, limit: int
) -> list[tuple[int, float]]:
    """Rank the newest WINDOW matches within a restriction read from the complaints table (one
    the search document cannot carry, or a wide one: see ``_pg_ranked``, which answers
    everything else), choosing how to find them from the planner's estimate of how many
    documents match (PostgreSQL keeps the frequency of common words).

    * A common word ("nguyen" matches 40 % at 1M complaints): asking the GIN index for every
      match and reading them from the table is what costs (a lossy bitmap over most of the
      table). Walking the newest WALK documents in id order and checking each fills the window
      at a fixed cost.
    * A rarer word: the GIN index over the newest SLICE ids (a bitmap AND with the primary
      key; "+ 0" keeps the planner from walking the primary key instead), then, if that did not
      fill the window, over all ids. A rare word (a phone, a code, a misspelling) goes to the
      whole index at once.
    * A restriction (filters, scope) is read first as the newest WALK + 1 ids it allows (an
      index-only scan for the list's filters). When that is all of it, the documents of those
      ids are checked directly (a bitmap AND with the GIN index, or primary-key lookups: the
      planner sees the ids): a status or a department's complaints is answered in one step.
      A wider restriction is treated like the whole table, with ``IN (…)`` in the index steps.
    """
    words, tsquery = _pg_tsquery(query)
    sub, sub_params = _restriction(within)
    assert sub, "called with a restriction only"
    with transaction.atomic(), connection.cursor() as cur:
        # Compiling a plan for a few thousand rows costs more than running it.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SELECT coalesce(max(complaint_id), 0) FROM search_searchdocument")
        top = int(cur.fetchone()[0])
        shares = _pg_shares(cur, query)
        # The query matches at most what its rarest word matches (the words of a phrase go
        # together: the product the planner would use underestimates them tenfold).
        share = min(shares, default=0.0)
        walked_all = False
        if share * top > WALK:  # a common word: walk the restriction's newest ids
            cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM ({sub}) x LIMIT %s) y",  # noqa: S608
                [*sub_params, WALK + 1],
            )
            walked_all = int(cur.fetchone()[0]) <= WALK
            # Each id's document looked up by primary key ("OFFSET 0" keeps it a lookup), in
            # id order, stopping at the WINDOW-th match.
            cur.execute(
                f"""WITH m AS (
                    SELECT r.id AS complaint_id, d.tsv FROM (
                        SELECT x.id FROM ({sub}) x (id) ORDER BY x.id DESC LIMIT %s
                    ) r, LATERAL (
                        SELECT d.tsv FROM search_searchdocument d
                        WHERE d.complaint_id = r.id OFFSET 0
                    ) d
                    WHERE d.tsv @@ {TSQUERY} ORDER BY r.id DESC LIMIT %s
                ){_PG_RANK}""",  # noqa: S608 - Django's SQL for the restriction; values bound
                [*sub_params, WALK, tsquery, WINDOW, tsquery, limit, offset],
            )
            rows = cur.fetchall()
            if walked_all or (rows and int(rows[0][2]) >= WINDOW):
                return [(int(pk), float(score)) for pk, score, _n in rows]
        extra = f" AND d.complaint_id IN ({sub})"
        # GIN reads every word starting with a prefix before it intersects anything: a common
        # prefix ("tai", 50 % of documents) costs tens of milliseconds even next to a word
        # nothing matches. The index is then asked for the other words only, and the prefix
        # checked on the rows it returns ("|| ''" keeps the planner from using the index).
        index_query, check = tsquery, ""
        if (
            query.prefix
            and len(words) > 1
            and shares[-1] >= PREFIX_SHARE
            and min(shares[:-1]) < PREFIX_SHARE
        ):
            index_query = " & ".join(words[:-1])
            check = f" AND (d.tsv || ''::tsvector) @@ {TSQUERY}"
        indexed = f"""WITH m AS (
                SELECT d.complaint_id, d.tsv FROM search_searchdocument d
                WHERE d.tsv @@ {TSQUERY}{check} AND d.complaint_id > %s{extra}
                ORDER BY d.complaint_id + 0 DESC LIMIT %s
            )"""  # noqa: S608 - constant table, Django's SQL for the restriction; values bound
        head = [index_query, tsquery] if check else [tsquery]
        span = SLICE if share * SLICE >= WINDOW else top
        while True:
            floor = max(0, top - span)
            cur.execute(
                indexed + _PG_RANK, [*head, floor, *sub_params, WINDOW, tsquery, limit, offset]
            )
            rows = cur.fetchall()
            found = int(rows[0][2]) if rows else 0
            if floor == 0 or found >= WINDOW:
                return [(int(pk), float(score)) for pk, score, _n in rows]
            span = top  # not enough among the newest: the whole table (a rare word: cheap)


_STATS: dict[str, Any] = {"at": -1e9}
STATS_TTL = 600.0  # seconds between two reads of the word statistics (ANALYZE refreshes them)


def _pg_shares(cur: Any, query: Query) -> list[float]:
    """The share of documents each word of the query matches (the last one as a prefix), from
    the statistics ANALYZE keeps on the tsvector column: the most common words and their
    frequencies; a word not among them is rarer than all of them."""
    if time.monotonic() - _STATS["at"] > STATS_TTL:
        cur.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'search_searchdocument' AND attname = 'tsv'"
        )
        row = cur.fetchone()
        elems, freqs = (row[0] or [], row[1] or []) if row else ([], [])
        _STATS.update(
            at=time.monotonic(),
            freq=dict(zip(elems, freqs, strict=False)),
            floor=float(freqs[len(elems)]) / 2 if len(freqs) > len(elems) else 0.0,
        )
    freq: dict[str, float] = _STATS["freq"]
    shares = []
    for i, word in enumerate(query.words):
        if query.prefix and i == len(query.words) - 1:
            share = sum(f for w, f in freq.items() if w.startswith(word))
        else:
            share = freq.get(word, 0.0)
        shares.append(min(1.0, max(share, _STATS["floor"])))
    return shares


def ranked_ids(
    query: Query | str,
    *,
    within: QuerySet[Complaint] | None = None,
    offset: int = 0,
    limit: int = 25,
) -> list[tuple[int, float]]:
    """(complaint id, score) of the best matches, best first; ``within`` restricts the
    complaints (a filtered, scoped queryset). Scores compare only within one search."""
    if isinstance(query, str):
        query = parse_query(query)
    if query.empty or offset >= WINDOW or (within is not None and within.query.is_empty()):
        return []
    limit = max(1, min(limit, WINDOW - offset))
    try:
        if connection.vendor == "postgresql":
            return _pg_ranked(query, within, offset, limit)
        return _sqlite_ranked(query, within, offset, limit)
    except EmptyResultSet:  # a restriction nothing can satisfy (``pk__in=[]``)
        return []


def search_ids(
    text: str, *, within: QuerySet[Complaint] | None = None, limit: int = WINDOW
) -> list[int]:
    """Ids of the complaints matching ``text``, best first (at most ``limit``)."""
    return [pk for pk, _score in ranked_ids(text, within=within, limit=limit)]


# --- one page of results ----------------------------------------------------------------------


@dataclass
class Hit:
    complaint: Complaint
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchPage:
    query: Query
    hits: list[Hit]
    next_cursor: str | None


def _fingerprint(query: Query, salt: str) -> str:
    raw = json.dumps([query.words, query.prefix, salt], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def encode_cursor(offset: int, query: Query, salt: str = "") -> str:
    raw = json.dumps({"o": "s", "k": offset, "h": _fingerprint(query, salt)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query: Query, salt: str = "") -> int:
    """The offset a cursor of this same search points to; refused for another search."""
    try:
        if len(cursor) > 300:
            raise ValueError(cursor)
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data.get("k") if isinstance(data, dict) else None
        if data.get("o") != "s" or data.get("h") != _fingerprint(query, salt):
            raise ValueError(data)
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset < WINDOW:
            raise ValueError(data)
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed({"cursor": msg("invalid_cursor")}) from None
    return offset


def _identity_hits(customer_ids: set[int], query: Query) -> dict[int, str]:
    """The first identity of each customer that the query matches, highlighted."""
    out: dict[int, str] = {}
    rows = CustomerIdentity.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "kind", "value"
    )
    for customer_id, kind, value in rows:
        if customer_id in out:
            continue
        forms = phone_forms(value) if kind == IdentityKind.PHONE else [value]
        if any(highlight(form, query)[1] for form in forms):
            marked = f"<mark>{html.escape(value)}</mark>"
            out[customer_id] = marked if kind == IdentityKind.PHONE else highlight(value, query)[0]
    return out


def _message_snippets(complaint_ids: list[int], query: Query) -> dict[int, str]:
    out: dict[int, str] = {}
    rows = (
        Message.objects.filter(complaint_id__in=complaint_ids)
        .order_by("-id")
        .values_list("complaint_id", "body")
    )
    for complaint_id, body in rows.iterator(chunk_size=500):
        if complaint_id not in out:
            found = snippet(body, query)
            if found:
                out[complaint_id] = found
    return out


def highlight_hits(hits: list[Hit], query: Query) -> None:
    """Fill each hit's ``highlights``: subject, customer_name, and where else it matched
    (``identity``: the phone/email/account; ``snippet``: description or a message)."""
    identities = _identity_hits({h.complaint.customer_id for h in hits}, query)
    pending = []
    for hit in hits:
        c = hit.complaint
        subject, _ = highlight(c.subject, query)
        name, _ = highlight(c.customer.name, query)
        hit.highlights = {"subject": subject, "customer_name": name}
        if c.customer_id in identities:
            hit.highlights["identity"] = identities[c.customer_id]
        found = snippet(c.description, query)
        if found:
            hit.highlights["snippet"] = found
        else:
            pending.append(c.pk)
    if pending:
        by_complaint = _message_snippets(pending, query)
        for hit in hits:
            if hit.complaint.pk in by_complaint:
                hit.highlights["snippet"] = by_complaint[hit.complaint.pk]


def search_page(
    *,
    query: Query | str,
    within: QuerySet[Complaint],
    cursor: str | None = None,
    limit: int = 25,
    salt: str = "",
) -> SearchPage:
    """One page of ranked, highlighted results among ``within`` (already scoped to the user).

    ``salt`` names the filters in force, so a cursor of one search is refused by another.
    """
    if isinstance(query, str):
        query = parse_query(query)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = decode_cursor(cursor, query, salt) if cursor else 0
    ranked = ranked_ids(query, within=within, offset=offset, limit=limit + 1)
    more = len(ranked) > limit
    ranked = ranked[:limit]
    by_id: dict[int, Complaint] = {
        c.pk: c
        for c in within.filter(pk__in=[pk for pk, _ in ranked]).select_related(
            "customer", "department", "assignee", "category"
        )
    }
    hits = [Hit(by_id[pk], score) for pk, score in ranked if pk in by_id]
    highlight_hits(hits, query)
    next_cursor = encode_cursor(offset + limit, query, salt) if more else None
    return SearchPage(query=query, hits=hits, next_cursor=next_cursor)


def index_status() -> dict[str, int]:
    """How many complaints are indexed, and how many are not (yet)."""
    from complaintdesk.search.models import SearchDocument

    total = Complaint.objects.count()
    indexed = SearchDocument.objects.count()
    return {"complaints": total, "indexed": indexed, "missing": max(0, total - indexed)}
