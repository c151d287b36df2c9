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
