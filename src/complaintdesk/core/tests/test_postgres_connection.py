"""PostgreSQL connections bind parameters on the server and prepare repeated statements."""

from __future__ import annotations

import pytest
from django.db import connection

from complaintdesk.complaints.models import Customer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _prepared() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall()]


def test_a_repeated_query_is_prepared_once_on_the_server():
    threshold = connection.connection.prepare_threshold
    assert threshold is not None
    before = len(_prepared())
    for i in range(threshold + 2):
        assert not Customer.objects.filter(name=f"không có {i}").exists()
    statements = [s for s in _prepared() if '"complaints_customer"' in s]
    assert len(statements) == 1, statements  # one plan, whatever the value
    assert "$1" in statements[0]  # the value is a parameter, not text quoted into the SQL
    assert len(_prepared()) > before


def test_hostile_text_travels_as_a_parameter():
    name = "O'Brien\\'; DROP TABLE complaints_customer; -- \x7f ký tự"
    customer = Customer.objects.create(name=name)
    assert Customer.objects.get(pk=customer.pk).name == name
    assert Customer.objects.filter(name=name).count() == 1
