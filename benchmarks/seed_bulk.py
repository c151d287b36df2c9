#!/usr/bin/env python
"""Insert many complaints fast, to measure lists at 100k and 1M complaints.

    .venv/bin/python benchmarks/seed_bulk.py --count 1000000            # SQLite under var/
    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/seed_bulk.py --count 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench .venv/bin/python benchmarks/seed_bulk.py --count 1000000

What it writes (bulk inserts, batches of --batch rows, one transaction per batch):
  * the demo organisation (departments, users, categories), if missing;
  * customers (one per three complaints) with a phone identity (+8470…, +8471…: a number range
    the demo data does not use), a third of them with an email too;
  * complaints over the last two years: realistic mix of channels, kinds, categories, priorities
    and states (about 85 % closed, the rest open with a deadline in ``next_due_at``), codes from
    the per-year counter (SQLite) or sequence (PostgreSQL) like the intake service;
  * one journal entry per complaint ("complaint.created", with a correct hash chain and chain
    head), so ``manage.py journal_verify`` passes.
What it skips (unlike ``manage.py demo_data``, which goes through the services): the lifecycle
actions' journal entries, tasks, messages, attachments, deadline clocks, notices and idempotency
keys. It is for measuring reads, not a realistic history.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from _bulk import Inserter, reset_sequences
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


def _pick(rng: random.Random, pairs: tuple[tuple[str, int], ...], n: int) -> list[str]:
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


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """complaint_snapshot() of the row as it will read back (JSON round trip, like the journal)."""
    from django.core.serializers.json import DjangoJSONEncoder

    from complaintdesk.complaints.services import SNAPSHOT_FIELDS

    values = {f: row.get(f, DEFAULTS.get(f)) for f in SNAPSHOT_FIELDS}
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False))


DEFAULTS: dict[str, Any] = {
    "vulnerable": False,
    "language": "vi",
    "account_info": {},
    "content_info": {},
    "payment_info": {},
    "procedure_version": 1,
    "assignee_id": None,
}


def _next_phone() -> int:
    from complaintdesk.complaints.models import CustomerIdentity

    top = (
        CustomerIdentity.objects.filter(kind="phone", value__startswith="+847")
        .order_by("-value")
        .values_list("value", flat=True)
        .first()
    )
    return int(top[4:]) + 1 if top else 0


def seed(count: int, batch: int, seed_value: int) -> None:
    from django.conf import settings
    from django.db import transaction

    from complaintdesk.complaints.models import Complaint, Customer, CustomerIdentity
    from complaintdesk.core.clock import LOCAL_TZ
    from complaintdesk.demo.org import demo_org_ensure
    from complaintdesk.demo.people import person
    from complaintdesk.demo.vocabulary import SCENARIOS
    from complaintdesk.journal.domain.chain import GENESIS, entry_hash
    from complaintdesk.journal.models import ChainHead, JournalEntry

    org = demo_org_ensure(password=None)
    receiver = org.users["tiepnhan"]
    leaves = [(s, org.categories[s.category]) for s in SCENARIOS if s.category in org.categories]
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    span = timedelta(days=730).total_seconds()
    phone = _next_phone()
    names = [person(seed_value, i) for i in range(997)]  # a pool of made-up people
    customers, identities = Inserter(Customer, now), Inserter(CustomerIdentity, now)
    complaints, journal, heads = (
        Inserter(Complaint, now),
        Inserter(JournalEntry, now),
        Inserter(ChainHead, now),
    )
    done = 0
    started = time.monotonic()
    print(f"Seeding {count:,} complaints into {database_label()} in batches of {batch:,}")
    while done < count:
        n = min(batch, count - done)
        n_customers = max(1, n // 3)
        with transaction.atomic():
            customer_ids = customers.take_ids(n_customers)
            people = [names[(phone + i) % len(names)] for i in range(n_customers)]
            customers.insert(
                [
                    {"id": cid, "name": p.name, "address": p.address if i % 3 == 0 else ""}
                    for i, (cid, p) in enumerate(zip(customer_ids, people, strict=True))
                ]
            )
            id_rows = []
            for i, cid in enumerate(customer_ids):
                id_rows.append(
                    {"customer_id": cid, "kind": "phone", "value": f"+847{phone + i:08d}"}
                )
                if people[i].email and i % 3 == 0:
                    id_rows.append(
                        {
                            "customer_id": cid,
                            "kind": "email",
                            "value": f"b{phone + i}.{people[i].email}",
                        }
                    )
            for row, iid in zip(id_rows, identities.take_ids(len(id_rows)), strict=True):
                row["id"] = iid
            identities.insert(id_rows)
            phone += n_customers
            received = sorted(now - timedelta(seconds=rng.random() * span) for _ in range(n))
            years = Counter(r.astimezone(LOCAL_TZ).year for r in received)
            numbers = {y: _reserve_numbers(y, k) for y, k in years.items()}
            channels, kinds = _pick(rng, CHANNELS, n), _pick(rng, KINDS, n)
            priorities = _pick(rng, PRIORITIES, n)
            rows, entries, head_rows = [], [], []
            for i, cid in enumerate(complaints.take_ids(n)):
                scenario, category = leaves[rng.randrange(len(leaves))]
                at = received[i]
                year = at.astimezone(LOCAL_TZ).year
                numbers[year] += 1
                closed = rng.random() < CLOSED_SHARE and at < now - timedelta(days=2)
                row = {
                    "id": cid,
                    "code": f"{settings.COMPLAINT_CODE_PREFIX}-{year}-{numbers[year] - 1:06d}",
                    "kind": kinds[i],
                    "channel": channels[i],
                    "status": "closed" if closed else _pick(rng, OPEN_STATES, 1)[0],
                    "received_at": at,
                    "recorded_by_id": receiver.pk,
                    "customer_id": customer_ids[rng.randrange(n_customers)],
                    "subject": scenario.subject,
                    "description": scenario.description,
                    "category_id": category.pk,
                    "priority": priorities[i],
                    "department_id": category.default_department_id,
                    "assignee_id": receiver.pk if rng.random() < 0.6 else None,
                    "procedure": settings.DEFAULT_PROCEDURE,
                    "next_due_at": None if closed else at + timedelta(hours=rng.randint(4, 72)),
                    "closed_at": at + timedelta(hours=rng.randint(2, 96)) if closed else None,
                }
                rows.append(row)
                entry = {
                    "chain": f"c:{cid}",
                    "seq": 1,
                    "complaint_id": cid,
                    "at": at,
                    "actor_id": receiver.pk,
                    "actor_label": receiver.username,
                    "action": "complaint.created",
                    "target": "",
                    "before": {},
                    "after": _snapshot(row),
                    "public": True,
                    "prev_hash": GENESIS,
                }
                # The hash covers exactly what JournalEntry.payload() says, read off this row.
                entry["hash"] = entry_hash(
                    prev_hash=GENESIS, payload=JournalEntry.payload(SimpleNamespace(**entry))
                )
                entries.append(entry)
                head_rows.append({"chain": entry["chain"], "seq": 1, "hash": entry["hash"]})
            complaints.insert(rows)
            for entry, eid in zip(entries, journal.take_ids(len(entries)), strict=True):
                entry["id"] = eid
            journal.insert(entries)
            heads.insert(head_rows)
        done += n
        rate = done / (time.monotonic() - started)
        print(f"  {done:>10,} / {count:,}  ({rate:,.0f} complaints/s)", flush=True)
    reset_sequences(Customer, CustomerIdentity, Complaint, JournalEntry)
    took = time.monotonic() - started
    print(f"Done: {count:,} complaints in {took:.0f}s; total now {Complaint.objects.count():,}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--migrate", action="store_true", help="run migrate first")
    args = parser.parse_args()
    setup()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    seed(args.count, args.batch, args.seed)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh planner statistics on both databases


if __name__ == "__main__":
    main()
