#!/usr/bin/env python
"""Search latency over a large table: ranked, highlighted results as the list endpoint serves them.

    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/seed_bulk.py --count 1000000 --migrate
    COMPLAINTDESK_VAR_DIR=/tmp/cd-bench .venv/bin/python benchmarks/bench_search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_bench .venv/bin/python benchmarks/bench_search.py

Bulk-seeded complaints bypass the services, so the first run indexes whatever is missing
(``manage.py search_reindex``, timed and reported). Then it times ``search_page`` — ranking,
loading the page of complaints, highlighting — for a mix of what an agent types: customer
names, words of the subject or description (with and without accents, NFD, upper case), phone
numbers in three formats, complaint codes, e-mails, a search with a filter and one that
matches nothing. Targets: p95 <= 100 ms on PostgreSQL, <= 250 ms on SQLite.
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata

from _django import cpu_seconds, database_label, machine_label, percentile, setup, summary_ms


def _queries(rng: random.Random, n_each: int) -> dict[str, list[str]]:
    from complaintdesk.complaints.models import Complaint, CustomerIdentity

    top = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(n_each * 3)]
    sample = list(
        Complaint.objects.filter(pk__in=ids).values_list(
            "code", "customer__name", "subject", "customer_id"
        )[:n_each]
    )
    phones = dict(
        CustomerIdentity.objects.filter(
            customer_id__in=[s[3] for s in sample], kind="phone"
        ).values_list("customer_id", "value")
    )
    emails = list(
        CustomerIdentity.objects.filter(kind="email")
        .order_by("-id")
        .values_list("value", flat=True)[:n_each]
    )
    out: dict[str, list[str]] = {
        "name": [],
        "subject": [],
        "subject_nfd_caps": [],
        "phone": [],
        "code": [],
        "email": emails,
        "typing": [],
        "no_match": [],
    }
    for code, name, subject, customer_id in sample:
        out["code"].append(code.lower())
        out["name"].append(" ".join(name.split()[-2:]))  # e.g. "Văn An"
        words = subject.split()
        start = rng.randrange(max(1, len(words) - 2))
        out["subject"].append(" ".join(words[start : start + 3]))
        out["subject_nfd_caps"].append(unicodedata.normalize("NFD", " ".join(words[:2]).upper()))
        phone = phones.get(customer_id, "")
        if phone.startswith("+84"):
            national = "0" + phone[3:]
            out["phone"].append(
                rng.choice([f"{national[:4]} {national[4:7]} {national[7:]}", phone, phone[1:]])
            )
        out["typing"].append(name.split()[-1][:3])  # three letters of a given name, unfinished
        out["no_match"].append(f"zqx{rng.randint(1000, 9999)} khong ton tai")
    return {k: v for k, v in out.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--each", type=int, default=30, help="queries per kind")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-index", action="store_true", help="do not index what is missing")
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    from complaintdesk.accounts.models import User
    from complaintdesk.complaints.selectors import ComplaintFilters, _filtered
    from complaintdesk.search.selectors import index_status, search_page

    status = index_status()
    print(machine_label())
    print(f"{database_label()}: {status['complaints']:,} complaints, {status['indexed']:,} indexed")
    if status["missing"] and not args.no_index:
        t0 = time.monotonic()
        call_command("search_reindex", verbosity=1)
        took = time.monotonic() - t0
        print(
            f"Indexed {status['missing']:,} complaints in {took:.0f} s "
            f"({status['missing'] / took:,.0f}/s)"
        )
    user = User.objects.filter(role="receiver", is_active=True).first()
    assert user is not None, "seed the demo organisation first"
    within = _filtered(user, ComplaintFilters())
    open_only = _filtered(user, ComplaintFilters(status="received"))
    rng = random.Random(args.seed)
    queries = _queries(rng, args.each)
    everything: list[float] = []
    hits: dict[str, int] = {}
    # Warm up the caches once (the first query of a process pays for imports and page cache).
    search_page(query="nguyen", within=within)
    cpu_all = cpu_seconds()
    for kind, texts in queries.items():
        times: list[float] = []
        found = 0
        cpu = cpu_seconds()
        for text in texts:
            t0 = time.perf_counter()
            page = search_page(query=text, within=within, limit=25)
            times.append(time.perf_counter() - t0)
            found += bool(page.hits)
        cpu = (cpu_seconds() - cpu) / len(texts) * 1000
        everything += times
        hits[kind] = found
        print(f"  {kind:<18} {summary_ms(times)}  CPU {cpu:6.1f} ms  found {found}/{len(texts)}")
    times = []
    texts = queries.get("subject", [])[:20]
    cpu = cpu_seconds()
    for text in texts:
        t0 = time.perf_counter()
        search_page(query=text, within=open_only, limit=25)
        times.append(time.perf_counter() - t0)
    cpu = (cpu_seconds() - cpu) / max(1, len(texts)) * 1000
    everything += times
    print(f"  {'subject+status':<18} {summary_ms(times)}  CPU {cpu:6.1f} ms")
    cpu_mean = (cpu_seconds() - cpu_all) / len(everything) * 1000
    p95 = percentile([t * 1000 for t in everything], 95)
    print(f"ALL queries: {summary_ms(everything)}  CPU mean {cpu_mean:.1f} ms")
    print(f"p95 = {p95:.1f} ms (CPU = this process + its PostgreSQL backend, per query)")


if __name__ == "__main__":
    main()
