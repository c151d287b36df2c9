"""core.inserts: rows prepared before the transaction are stored exactly as the ORM stores them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from complaintdesk.complaints.models import Customer, CustomerIdentity
from complaintdesk.core.inserts import Inserter
from complaintdesk.journal.models import ChainHead

pytestmark = pytest.mark.django_db(transaction=True)


def test_prepared_rows_read_back_like_orm_rows():
    inserter = Inserter(Customer)
    made = [Customer(name=f"Khách {i}", address="Hà Nội", vulnerable=i == 1) for i in range(3)]
    rows = [inserter.prepare(c) for c in made]  # before the transaction
    with transaction.atomic():
        inserter.insert(made, rows)
    orm = Customer.objects.create(name="Khách ORM", address="Hà Nội")
    assert all(c.pk and not c._state.adding for c in made)
    for customer in made:
        stored = Customer.objects.get(pk=customer.pk)
        assert (stored.name, stored.address, stored.vulnerable, stored.language) == (
            customer.name,
            customer.address,
            customer.vulnerable,
            "vi",
        )
        assert stored.created_at == customer.created_at  # auto_now_add set when prepared
        assert stored.created_at.tzinfo is not None
    assert orm.pk > max(c.pk for c in made)


def test_a_value_filled_in_after_preparing_and_batches_split(monkeypatch):
    customer = Customer.objects.create(name="Lan")
    inserter = Inserter(CustomerIdentity)
    made = [CustomerIdentity(kind="phone", value=f"+84900{i:06d}") for i in range(260)]
    rows = [inserter.prepare(i) for i in made]
    for identity, row in zip(made, rows, strict=True):
        inserter.set(row, identity, "customer_id", customer.pk)
    # 260 rows × 4 values is past the 999 parameters any backend takes in one statement:
    # split as the backend says (here 100 rows a statement)
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 100)
    statements: list[str] = []
    with (
        connection.execute_wrapper(
            lambda ex, sql, p, many, ctx: statements.append(sql) or ex(sql, p, many, ctx)
        ),
        transaction.atomic(),
    ):
        inserter.insert(made, rows)
    assert len([s for s in statements if s.startswith("INSERT")]) == 3  # 100 + 100 + 60 rows
    stored = list(CustomerIdentity.objects.filter(customer=customer).order_by("pk"))
    assert [(i.pk, i.value) for i in stored] == [(i.pk, i.value) for i in made]


def test_a_model_keyed_by_its_own_value():
    inserter = Inserter(ChainHead)
    heads = [
        ChainHead(chain="c:test-1", seq=1, hash="a" * 64),
        ChainHead(chain="c:test-2", seq=2, hash="b" * 64),
    ]
    with transaction.atomic():
        inserter.insert(heads, [inserter.prepare(h) for h in heads])
    assert {(h.chain, h.seq) for h in ChainHead.objects.filter(chain__startswith="c:test-")} == {
        ("c:test-1", 1),
        ("c:test-2", 2),
    }


def test_one_prepared_row_per_instance():
    with pytest.raises(ValueError):
        Inserter(Customer).insert([Customer(name="x")], [])
    assert not Customer.objects.exists()


def test_cheap_conversions_give_what_each_field_gives(org):
    """The shortcuts for text, integer and boolean fields give exactly the fields' own
    conversion, on a real complaint, its clocks and its journal entries."""
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.complaints.schemas import ComplaintIn
    from complaintdesk.complaints.services import complaint_create
    from complaintdesk.journal.models import JournalEntry
    from complaintdesk.sla.models import Clock

    data = ComplaintIn.model_validate(
        {
            "channel": "letter",
            "customer": {"name": "Lê Văn An", "phone": "0912 000 111", "vulnerable": True},
            "subject": "Bị trừ tiền hai lần",
            "payment": {"amount_vnd": 132000, "method": "MoMo"},
        }
    )
    made = complaint_create(actor=org.receiver, data=data).complaint
    objs = [
        Complaint.objects.get(pk=made.pk),
        *Clock.objects.filter(complaint_id=made.pk),
        *JournalEntry.objects.filter(complaint_id=made.pk),
    ]
    assert len(objs) >= 3
    for obj in objs:
        inserter = Inserter(type(obj))
        row = inserter.prepare(obj)
        for value, field in zip(row, inserter.fields, strict=True):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue  # stamped when prepared
            expected = field.get_db_prep_save(getattr(obj, field.attname), connection)
            # (PostgreSQL wraps JSON in an adapter object: compare what it wraps)
            value, expected = getattr(value, "obj", value), getattr(expected, "obj", expected)
            assert value == expected and type(value) is type(expected), field.name
