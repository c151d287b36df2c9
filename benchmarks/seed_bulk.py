#!/usr/bin/env python
"""Insert many complaints fast, to measure lists, search and reports at 100k and 1M complaints.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate

What it writes (rows built as tuples, written with COPY on PostgreSQL and ``executemany`` on
SQLite, one transaction per batch of --batch complaints):
  * the demo organisation (departments, users, categories), if missing;
  * customers (one per three complaints) with a phone identity (+8470…, +8471…: a number range
    the demo data does not use), a third of them with an email too;
  * complaints over the last two years, ids in the order received: realistic mix of channels,
    kinds, categories, priorities and states (about 85 % closed, the rest open with a deadline
    in ``next_due_at``), codes from the per-year counter (SQLite) or sequence (PostgreSQL) like
    the intake service, and a handling history in the complaint's own columns
    (acknowledgement, first response, resolution, closing, satisfaction, escalation level, a
    verification cause on a third, the resolution text);
  * one journal entry per complaint ("complaint.created", with a correct hash chain and chain
    head), so ``manage.py journal_verify`` passes. Each complaint's chain is its own, so the
    canonical JSON of each entry is filled into a template (checked against the journal's own
    ``canonical`` on a sample of rows as it goes) and hashed with hashlib;
  * the search document of every complaint (what ``search.services.build_document`` makes,
    checked on a sample, with its copy of the complaint's filter columns); the full-text index is built once at the end (SQLite: FTS5
    'rebuild'; PostgreSQL: the GIN index dropped before and created after), as
    ``manage.py search_reindex`` does for a bulk load;
  * a coordination task for the complaints that were coordinated (about 20 %);
  * two deadline clocks (``acknowledge``, ``written_reply``: met, breached or running) for the
    complaints received in the last --clock-days days (the reports' clock figures).
What it skips (unlike ``manage.py demo_data``, which goes through the services): the lifecycle
actions' journal entries, messages, attachments, notices and idempotency keys. It is for
measuring reads, not a realistic history.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from _bulk import Rows, max_id, reset_sequences
from _django import database_label, setup

CLOSED_SHARE = 0.85
OPEN_STATES = (
    ("received", 10),
    ("acknowledged", 12),
    ("verifying", 20),
    ("answer_later", 12),
    ("coordinating", 20),
    ("resolved", 6),
    ("result_notified", 12),
    ("unsatisfied", 4),
    ("escalated", 4),
)
ACKNOWLEDGED = {s for s, _w in OPEN_STATES} - {"received"}
ANSWERED = {"resolved", "result_notified", "unsatisfied", "escalated", "coordinating"}
RESOLVED = {"resolved", "result_notified", "unsatisfied", "escalated"}
CHANNELS = (
    ("hotline", 34),
    ("chat", 20),
    ("facebook", 12),
    ("zalo", 10),
    ("email", 10),
    ("counter", 6),
    ("web", 5),
    ("letter", 3),
)
KINDS = (("complaint", 70), ("request", 22), ("feedback", 8))
PRIORITIES = (("normal", 80), ("high", 12), ("low", 5), ("urgent", 3))
HOUR = 3_600_000_000  # microseconds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHECK_EVERY = 997  # rows between two checks of the templates against the real code


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...], n: int) -> list[str]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=n)


def _reserve_numbers(year: int, n: int) -> int:
    """Reserve n complaint numbers of ``year``; returns the first."""
    from django.db import connection, transaction

    from complaintdesk.complaints.models import CodeCounter

    if connection.vendor == "postgresql":
        seq = f"complaint_code_{year}"
        with connection.cursor() as cur:
            cur.execute(f'CREATE SEQUENCE IF NOT EXISTS "{seq}"')
            cur.execute("SELECT nextval(%s)", [seq])
            first = int(cur.fetchone()[0])
            cur.execute("SELECT setval(%s, %s)", [seq, first + n - 1])
        return first
    with transaction.atomic():
        counter, _ = CodeCounter.objects.select_for_update().get_or_create(
            year=year, defaults={"last": 0}
        )
        first = counter.last + 1
        CodeCounter.objects.filter(year=year).update(last=counter.last + n)
    return first


def _next_phone() -> int:
    from complaintdesk.complaints.models import CustomerIdentity

    top = (
        CustomerIdentity.objects.filter(kind="phone", value__startswith="+847")
        .order_by("-value")
        .values_list("value", flat=True)
        .first()
    )
    return int(top[4:]) + 1 if top else 0


def _json_dt(at: datetime) -> str:
    """A UTC datetime as DjangoJSONEncoder writes it (milliseconds, "Z")."""
    r = at.isoformat()
    if at.microsecond:
        r = r[:23] + r[26:]
    return r.removesuffix("+00:00") + "Z"


def _db_dt(at: datetime | None) -> str | None:
    """A UTC datetime as the column's value (naive UTC text; see _bulk.Rows)."""
    return None if at is None else str(at.replace(tzinfo=None))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Templates:
    """The canonical JSON of a created-entry and the search document, from cached pieces."""

    AFTER = (
        '{{"account_info":{{}},"assignee_id":{assignee},"category_id":{category},'
        '"channel":"{channel}","code":"{code}","content_info":{{}},"customer_id":{customer},'
        '"department_id":{department},"description":{description},"kind":"{kind}",'
        '"language":"vi","payment_info":{{}},"priority":"{priority}","procedure":{procedure},'
        '"procedure_version":1,"received_at":"{received}","status":"{status}",'
        '"subject":{subject},"vulnerable":false}}'
    )
    PAYLOAD = (
        '{{"action":"complaint.created","actor":{actor},"actor_label":{actor_label},'
        '"after":{after},"at":"{at}","before":{{}},"chain":"c:{id}","complaint":{id},'
        '"public":true,"seq":1,"target":""}}'
    )

    def __init__(self, actor_id: int, actor_label: str, procedure: str) -> None:
        from complaintdesk.journal.domain.chain import GENESIS

        self.actor = actor_id
        self.label = actor_label
        self.actor_label = _dumps(actor_label)
        self.procedure = _dumps(procedure)
        self.genesis = hashlib.sha256(GENESIS.encode() + b"\n")

    def entry(self, v: dict[str, Any]) -> tuple[str, str]:
        """(the ``after`` JSON, the entry's hash)."""
        after = self.AFTER.format(procedure=self.procedure, **v)
        payload = self.PAYLOAD.format(
            actor=self.actor, actor_label=self.actor_label, after=after, at=v["at"], id=v["id"]
        )
        h = self.genesis.copy()
        h.update(payload.encode())
        return after, h.hexdigest()


PENDING = "seed_bulk_pending_index"  # index definitions dropped for a load, until recreated


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's non-unique indexes."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisunique",
                [table],
            )
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        return [(name, sql) for name, sql in cur.fetchall()]


def drop_indexes(tables: list[str]) -> None:
    """Drop the non-unique indexes of ``tables`` for a bulk load: building an index once over
    a million rows is several times cheaper than keeping it up to date row by row. The
    definitions are kept in a table first, so an interrupted load recreates them next run."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {PENDING} (name varchar(200), sql text)")
        for table in tables:
            for name, sql in _secondary_indexes(table):
                cur.execute(f"INSERT INTO {PENDING} (name, sql) VALUES (%s, %s)", [name, sql])
                cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def restore_indexes() -> int:
    """Recreate every index drop_indexes() dropped (no-op when none is pending)."""
    from django.db import connection, transaction

    if PENDING not in connection.introspection.table_names():
        return 0
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute(f"SELECT name, sql FROM {PENDING}")
        pending = cur.fetchall()
        for _name, sql in pending:
            cur.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        cur.execute(f"DROP TABLE {PENDING}")
    return len(pending)


def seed(count: int, batch: int, seed_value: int, clock_days: int, drop_from: int) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    from complaintdesk.complaints.models import (
        Complaint,
        Customer,
        CustomerIdentity,
        IdentityKind,
        Task,
    )
    from complaintdesk.core.clock import LOCAL_TZ
    from complaintdesk.demo.org import demo_org_ensure
    from complaintdesk.demo.people import person
    from complaintdesk.demo.vocabulary import SCENARIOS
    from complaintdesk.journal.domain.chain import GENESIS
    from complaintdesk.journal.models import ChainHead, JournalEntry
    from complaintdesk.search import dbsql
    from complaintdesk.search.domain.text import joined, phone_forms
    from complaintdesk.search.models import SearchDocument
    from complaintdesk.search.services import FILTER_COLUMNS, build_document
    from complaintdesk.sla.models import Clock

    postgres = connection.vendor == "postgresql"
    org = demo_org_ensure(password=None)
    receiver = org.users["tiepnhan"]
    staff = [u for u in org.users.values() if u.department_id is not None]
    leaves = [(s, org.categories[s.category]) for s in SCENARIOS if s.category in org.categories]
    depts = [d.pk for d in org.departments.values()]
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    now_text = _db_dt(now)
    span_us = 730 * 24 * HOUR
    start_us = (now - EPOCH) // timedelta(microseconds=1) - span_us
    clocks_from_us = (now - EPOCH) // timedelta(microseconds=1) - clock_days * 24 * HOUR
    two_days_ago_us = start_us + span_us - 48 * HOUR
    phone = _next_phone()
    names = [person(seed_value, i) for i in range(997)]  # a pool of made-up people
    folded_names = [joined(p.name) for p in names]
    tpl = Templates(receiver.pk, receiver.username, settings.DEFAULT_PROCEDURE)
    prefix = settings.COMPLAINT_CODE_PREFIX
    verification = {"checked": "Đã kiểm tra log hệ thống", "scope": "Một khách hàng"}
    # Per scenario: the JSON of its texts, their folded copies (index), its category.
    pool = []
    for scenario, category in leaves:
        with_cause = {**verification, "cause_analysis": scenario.cause}
        pool.append(
            SimpleNamespace(
                scenario=scenario,
                category=category.pk,
                department=category.default_department_id,
                subject=_dumps(scenario.subject),
                description=_dumps(scenario.description),
                f_subject=joined(scenario.subject),
                f_description=joined(scenario.description),
                f_cause=joined(" ".join(with_cause.values())),
                f_fix=joined(scenario.fix),
                verification=_dumps(with_cause),
            )
        )
    # Global order: ids follow received_at, as they do when complaints are recorded.
    offsets = sorted(rng.randrange(span_us) for _ in range(count))
    years: dict[int, int] = {}
    for off in offsets:
        y = (EPOCH + timedelta(microseconds=start_us + off)).astimezone(LOCAL_TZ).year
        years[y] = years.get(y, 0) + 1
    numbers = {y: _reserve_numbers(y, k) for y, k in years.items()}

    w_customer = Rows(Customer, ["id", "name", "address"], now)
    w_identity = Rows(CustomerIdentity, ["id", "customer_id", "kind", "value"], now)
    complaint_cols = [
        "id", "code", "kind", "channel", "status", "received_at", "recorded_at",
        "recorded_by_id", "customer_id", "subject", "description", "category_id", "priority",
        "department_id", "assignee_id", "procedure", "escalation_level", "acknowledged_at",
        "first_response_at", "resolved_at", "closed_at", "next_due_at", "satisfaction",
        "verification", "resolution",
    ]  # fmt: skip
    w_complaint = Rows(Complaint, complaint_cols, now)
    w_journal = Rows(
        JournalEntry,
        ["id", "chain", "seq", "complaint_id", "at", "actor_id", "actor_label", "action",
         "target", "before", "after", "public", "prev_hash", "hash"],
        now,
    )  # fmt: skip
    w_head = Rows(ChainHead, ["chain", "seq", "hash"], now)
    # The document's copy of the complaint's filter columns (search.services.FILTER_COLUMNS),
    # taken from the complaint's row: positions in complaint_cols.
    doc_filters = [complaint_cols.index(c) for c in FILTER_COLUMNS]
    w_doc = Rows(
        SearchDocument,
        ["complaint_id", "ids", "names", "subject", "body", "indexed_at", *FILTER_COLUMNS],
        now,
    )
    w_task = Rows(
        Task,
        ["id", "complaint_id", "department_id", "assignee_id", "title", "due_at", "status",
         "created_by_id", "completed_at"],
        now,
    )  # fmt: skip
    w_clock = Rows(
        Clock,
        ["id", "complaint_id", "name", "run", "label", "spec", "calendar", "state",
         "start_event", "started_at", "due_at", "breached_at", "stopped_at", "stop_event"],
        now,
    )  # fmt: skip
    next_customer, next_identity = max_id(Customer) + 1, max_id(CustomerIdentity) + 1
    next_cid, next_entry = max_id(Complaint) + 1, max_id(JournalEntry) + 1
    next_task, next_clock = max_id(Task) + 1, max_id(Clock) + 1

    print(f"Seeding {count:,} complaints into {database_label()} in batches of {batch:,}")
    started, cpu0 = time.monotonic(), time.process_time()
    restore_indexes()  # left over by an interrupted run
    if drop_from and count >= drop_from and postgres:
        drop_indexes(
            [m._meta.db_table for m in (Complaint, CustomerIdentity, JournalEntry, Task, Clock)]
        )
    # The full-text index is built once at the end (see search_reindex's bulk load).
    with transaction.atomic(), connection.cursor() as cur:
        for sql in dbsql.PG_DROP[:1] if postgres else dbsql.SQLITE_DROP[:3]:
            cur.execute(sql)
    if not postgres:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-2000000")  # 2 GB: index pages stay in memory
    checked = 0
    done = 0
    try:
        while done < count:
            n = min(batch, count - done)
            n_customers = max(1, n // 3)
            customer_ids = range(next_customer, next_customer + n_customers)
            next_customer += n_customers
            people = [(phone + i) % len(names) for i in range(n_customers)]
            customers, identities = [], []
            ids_text = {}  # customer id -> folded identities
            for i, cid in enumerate(customer_ids):
                p = names[people[i]]
                customers.append((cid, p.name, p.address if i % 3 == 0 else ""))
                value = f"+847{phone + i:08d}"
                identities.append((next_identity, cid, IdentityKind.PHONE.value, value))
                next_identity += 1
                text = " ".join(phone_forms(value))
                if p.email and i % 3 == 0:
                    email = f"b{phone + i}.{p.email}"
                    identities.append((next_identity, cid, IdentityKind.EMAIL.value, email))
                    next_identity += 1
                    text += " " + joined(email)
                ids_text[cid] = text
            phone += n_customers

            channels, kinds = _weighted(rng, CHANNELS, n), _weighted(rng, KINDS, n)
            priorities, opens = _weighted(rng, PRIORITIES, n), _weighted(rng, OPEN_STATES, n)
            rand, randrange, uniform = rng.random, rng.randrange, rng.uniform
            complaints, entries, heads, docs, tasks, clocks = [], [], [], [], [], []
            for i in range(n):
                cid = next_cid + i
                at_us = start_us + offsets[done + i]
                at = EPOCH + timedelta(microseconds=at_us)
                year = at.astimezone(LOCAL_TZ).year
                code = f"{prefix}-{year}-{numbers[year]:06d}"
                numbers[year] += 1
                sc = pool[randrange(len(pool))]
                c_index = randrange(n_customers)
                customer = customer_ids[c_index]
                closed = at_us < two_days_ago_us and rand() < CLOSED_SHARE
                status = "closed" if closed else opens[i]
                ack = first = resolved = closed_at = due = None
                if closed or status in ACKNOWLEDGED:
                    ack = at + timedelta(hours=uniform(0.1, 30))
                if closed or status in ANSWERED:
                    first = ack + timedelta(hours=uniform(0, 40))  # type: ignore[operator]
                if closed or status in RESOLVED:
                    resolved = first + timedelta(hours=uniform(0, 90))  # type: ignore[operator]
                if closed:
                    closed_at = resolved + timedelta(hours=uniform(0.5, 48))  # type: ignore[operator]
                else:
                    due = at + timedelta(hours=randrange(4, 73))
                level = 0
                if status == "escalated":
                    level = 2 if rand() < 0.2 else 1
                elif rand() < 0.04:
                    level = 2 if rand() < 0.25 else 1
                satisfaction = ""
                if status == "unsatisfied":
                    satisfaction = "unsatisfied"
                elif closed:
                    satisfaction = rng.choice(("satisfied",) * 7 + ("unsatisfied", "", ""))
                with_cause = rand() < 0.33 and (closed or status in ANSWERED)
                resolution = sc.scenario.fix if resolved else ""
                assignee = receiver.pk if rand() < 0.6 else None
                received_text = _db_dt(at)
                complaints.append(
                    (cid, code, kinds[i], channels[i], status, received_text, received_text,
                     receiver.pk, customer, sc.scenario.subject, sc.scenario.description,
                     sc.category, priorities[i], sc.department, assignee,
                     settings.DEFAULT_PROCEDURE, level, _db_dt(ack), _db_dt(first),
                     _db_dt(resolved), _db_dt(closed_at), _db_dt(due), satisfaction,
                     sc.verification if with_cause else "{}", resolution)
                )  # fmt: skip
                v = {
                    "id": cid,
                    "assignee": "null" if assignee is None else assignee,
                    "category": sc.category,
                    "channel": channels[i],
                    "code": code,
                    "customer": customer,
                    "department": "null" if sc.department is None else sc.department,
                    "description": sc.description,
                    "kind": kinds[i],
                    "priority": priorities[i],
                    "received": _json_dt(at),
                    "status": status,
                    "subject": sc.subject,
                    "at": at.isoformat(timespec="microseconds"),
                }
                after, digest = tpl.entry(v)
                entries.append(
                    (next_entry + i, f"c:{cid}", 1, cid, received_text, receiver.pk,
                     receiver.username, "complaint.created", "", "{}", after, True, GENESIS,
                     digest)
                )  # fmt: skip
                heads.append((f"c:{cid}", 1, digest))
                body = sc.f_description
                if with_cause:
                    body += " " + sc.f_cause
                if resolution:
                    body += " " + sc.f_fix
                docs.append(
                    (cid, f"{joined(code)} {ids_text[customer]}",
                     folded_names[people[c_index]], sc.f_subject, body, now_text)
                )  # fmt: skip
                if status == "coordinating" or (closed and rand() < 0.2):
                    t_done = closed or rand() < 0.3
                    tasks.append(
                        (next_task, cid, depts[randrange(len(depts))],
                         staff[randrange(len(staff))].pk if staff and rand() < 0.5 else None,
                         "Kiểm tra và phản hồi", _db_dt(at + timedelta(days=2)),
                         "done" if t_done else "open", receiver.pk,
                         _db_dt(first or at + timedelta(days=1)) if t_done else None)
                    )  # fmt: skip
                    next_task += 1
                if at_us >= clocks_from_us:
                    for name, days, stop in (
                        ("acknowledge", 1, ack),
                        ("written_reply", 2, first),
                    ):
                        clock_due = at + timedelta(days=days)
                        if stop is None:
                            state, breached = "running", None
                        elif stop > clock_due:
                            state, breached = "breached", clock_due
                        else:
                            state, breached = "met", None
                        clocks.append(
                            (next_clock, cid, name, 1, name, "{}", "vn-official", state,
                             "received", received_text, _db_dt(clock_due), _db_dt(breached),
                             _db_dt(stop), "" if stop is None else "seeded")
                        )  # fmt: skip
                        next_clock += 1
                if checked <= done + i:  # the templates must say exactly what the code says
                    checked += CHECK_EVERY
                    _check(tpl, v, after, digest)
                    _check_doc(
                        docs[-1], complaints[-1], customer, identities, names[people[c_index]],
                        build_document, now,
                    )  # fmt: skip
            with transaction.atomic():
                w_customer.write(customers)
                w_identity.write(identities)
                w_complaint.write(complaints)
                w_journal.write(entries)
                w_head.write(heads)
                w_doc.write(
                    [
                        (*d, *(c[k] for k in doc_filters))
                        for d, c in zip(docs, complaints, strict=True)
                    ]
                )
                w_task.write(tasks)
                w_clock.write(clocks)
            next_cid += n
            next_entry += n
            done += n
            took = time.monotonic() - started
            print(
                f"  {done:>10,} / {count:,}  ({done / took:,.0f} complaints/s, "
                f"CPU here {time.process_time() - cpu0:.0f}s)",
                flush=True,
            )
    finally:
        t0 = time.monotonic()
        if restore_indexes():
            print(f"  indexes rebuilt in {time.monotonic() - t0:.0f}s", flush=True)
        t0 = time.monotonic()
        _full_text_index(postgres)
        print(f"  full-text index built in {time.monotonic() - t0:.0f}s", flush=True)
    reset_sequences(Customer, CustomerIdentity, Complaint, JournalEntry, Task, Clock)
    took = time.monotonic() - started
    print(
        f"Done: {count:,} complaints in {took:.0f}s (CPU in this process "
        f"{time.process_time() - cpu0:.0f}s); total now {Complaint.objects.count():,}"
    )


def _check(tpl: Templates, v: dict[str, Any], after: str, digest: str) -> None:
    """The template's entry is the one JournalEntry.payload() and entry_hash() make."""
    from complaintdesk.journal.domain.chain import GENESIS, canonical, entry_hash
    from complaintdesk.journal.models import JournalEntry

    entry = SimpleNamespace(
        chain=f"c:{v['id']}",
        seq=1,
        complaint_id=v["id"],
        at=datetime.fromisoformat(v["at"]),
        actor_id=tpl.actor,
        actor_label=tpl.label,
        action="complaint.created",
        target="",
        before={},
        after=json.loads(after),
        public=True,
    )
    payload = JournalEntry.payload(entry)  # type: ignore[arg-type]
    expected = entry_hash(prev_hash=GENESIS, payload=payload)
    if expected != digest or canonical(entry.after).decode() != after:
        raise AssertionError(f"journal template differs from the journal's hashing: {v}")


def _check_doc(doc, complaint, customer, identities, who, build_document, now) -> None:  # type: ignore[no-untyped-def]
    """The seeded search document is the one search.services.build_document makes."""
    row = {
        "id": complaint[0],
        "code": complaint[1],
        "customer__name": who.name,
        "subject": complaint[9],
        "description": complaint[10],
        "account_info": {},
        "content_info": {},
        "payment_info": {},
        "verification": json.loads(complaint[23]),
        "resolution": complaint[24],
    }
    ids = [(kind, value) for _id, cid, kind, value in identities if cid == customer]
    made = build_document(row, ids, [], now)
    got = (made.complaint_id, made.ids, made.names, made.subject, made.body)
    if got != doc[:5]:
        raise AssertionError(f"search document differs from build_document: {got} != {doc[:5]}")


def _full_text_index(postgres: bool) -> None:
    """Build the full-text index over every document (as search_reindex's bulk load does)."""
    from django.db import connection

    from complaintdesk.search.management.commands.search_reindex import (
        _pg_create_index,
        _sqlite_finish_bulk,
    )

    if postgres:
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
        _pg_create_index()
    else:
        _sqlite_finish_bulk()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--clock-days", type=int, default=200, help="deadline clocks for the last N days"
    )
    parser.add_argument(
        "--drop-indexes-from",
        type=int,
        default=0,
        help="PostgreSQL: from this many complaints on (0: never), drop the secondary indexes "
        "during the load and build them once after (not shown faster yet: see README)",
    )
    parser.add_argument("--migrate", action="store_true", help="run migrate first")
    args = parser.parse_args()
    setup()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    seed(args.count, args.batch, args.seed, args.clock_days, args.drop_indexes_from)
    from django.db import connection

    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh planner statistics on both databases
    print(f"ANALYZE in {time.monotonic() - t0:.0f}s")


if __name__ == "__main__":
    main()
