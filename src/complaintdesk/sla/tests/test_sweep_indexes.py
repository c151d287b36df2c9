"""The sweep's reads go through the partial indexes, not a scan of every clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from complaintdesk.sla.selectors import (
    clocks_due_for_breach,
    clocks_due_for_escalation,
    clocks_due_for_warning,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 2, 26, tzinfo=UTC)


def plan(qs) -> str:
    sql, params = qs.values("id").query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("EXPLAIN " + sql, params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cur.fetchall())


@pytest.mark.parametrize(
    ("selector", "index"),
    [
        (clocks_due_for_breach, "clock_due_running_idx"),
        (clocks_due_for_warning, "clock_warn_idx"),
        (clocks_due_for_escalation, "clock_escalate_idx"),
    ],
)
def test_each_sweep_query_uses_its_partial_index(selector, index):
    assert index in plan(selector(NOW))


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("breached", "clock_due_running_idx"),
        ("warned", "clock_warn_idx"),
        ("escalated", "clock_escalate_idx"),
    ],
)
def test_the_sweeps_own_selection_uses_the_partial_index(kind, index):
    """``sla.jobs.select_due`` writes its SQL itself (joined to the complaints it locks on
    PostgreSQL): it too must read the partial index, in the index's order."""
    from django.db import transaction

    from complaintdesk.sla.jobs import select_due

    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        select_due(kind, NOW, 1000, skip={1, 2})
    [(sql, params)] = captured
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # An empty test table: tell the planner what the sweep's table is like.
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_sort = off")
            cur.execute("EXPLAIN " + sql, params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params)
        text = "\n".join(str(row) for row in cur.fetchall())
    assert index in text
    assert "Sort" not in text and "TEMP B-TREE" not in text  # read in the index's order
