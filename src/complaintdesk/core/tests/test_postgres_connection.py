"""PostgreSQL: only inside ``core.db.prepared_statements`` blocks (the intake) are parameters
bound on the server and repeated statements prepared (planned once); elsewhere connections
behave as Django's default."""

from __future__ import annotations

import pytest
from django.db import connection

from complaintdesk.complaints.models import Customer
from complaintdesk.core.db import prepared_statements

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _prepared(table: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall() if f'"{table}"' in row[0]]


def _lookups(times: int) -> None:
    for i in range(times):
        assert not Customer.objects.filter(name=f"không có {i}").exists()


def test_repeated_statements_are_prepared_inside_the_block_only(settings):
    settings.DATABASE_PREPARE_THRESHOLD = 3
    _lookups(6)  # outside: each planned for its own values (searches, filtered lists)
    assert _prepared("complaints_customer") == []
    with prepared_statements():
        _lookups(5)
    statements = _prepared("complaints_customer")
    assert len(statements) == 1, statements  # one plan, whatever the value
    assert "$1" in statements[0]  # the value is a parameter, not text quoted into the SQL
    assert connection.connection.prepare_threshold is None  # off again after the block


def test_outside_the_block_long_id_lists_still_work(settings):
    """Server-side binding caps a statement at 65,535 parameters; outside the blocks the values
    are quoted into the SQL as Django does by default, so a long ``IN`` list still runs."""
    settings.DATABASE_PREPARE_THRESHOLD = 5
    with prepared_statements():
        pass
    Customer.objects.create(name="Lan")
    assert Customer.objects.filter(pk__in=range(1, 70_001)).count() == 1


def test_preparation_can_be_turned_off(settings):
    settings.DATABASE_PREPARE_THRESHOLD = None
    with prepared_statements():
        _lookups(8)
    assert _prepared("complaints_customer") == []


def test_an_intake_prepares_its_statements(org):
    from complaintdesk.complaints.schemas import ComplaintIn
    from complaintdesk.complaints.services import complaint_create

    for i in range(7):  # the threshold is 5 by default
        data = ComplaintIn.model_validate(
            {
                "channel": "api",
                "subject": "Mất tín hiệu",
                "customer": {"name": "Lan", "phone": f"0912 000 {i:03d}"},
            }
        )
        complaint_create(actor=org.receiver, data=data)
    inserts = [s for s in _prepared("complaints_complaint") if s.startswith("INSERT")]
    assert len(inserts) == 1


def test_hostile_text_travels_as_a_parameter():
    name = "O'Brien\\'; DROP TABLE complaints_customer; -- \x7f ký tự"
    customer = Customer.objects.create(name=name)
    assert Customer.objects.get(pk=customer.pk).name == name
    assert Customer.objects.filter(name=name).count() == 1
