"""A complaint that creates a customer, or adds contacts to one, says so on its journal."""

from __future__ import annotations

import pytest
from django.utils import translation

from complaintdesk.complaints.models import Customer
from complaintdesk.complaints.tests.factories import ComplaintFactory
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.web.timeline import timeline_items

pytestmark = pytest.mark.django_db


def created_entry(complaint):
    return JournalEntry.objects.get(complaint_id=complaint.pk, action="complaint.created")


def test_the_creation_entry_names_the_customer_and_contacts_it_added(org):
    first = ComplaintFactory.create(
        actor=org.receiver,
        customer={"name": "Đinh Thu Trang", "phone": "0912 345 001", "email": "Trang@Example.vn"},
    )
    entry = created_entry(first)
    assert entry.after["customer_id"] == first.customer_id
    assert entry.after["customer_created"] is True
    assert entry.after["identities_added"] == [
        {"kind": "phone", "value": "+84912345001"},
        {"kind": "email", "value": "trang@example.vn"},
    ]

    # Known by her phone; her Zalo id is new to us; the email is already hers.
    second = ComplaintFactory.create(
        actor=org.receiver,
        channel="zalo",
        customer={"name": "Trang", "phone": "0912345001", "zalo_id": "zl-8899"},
    )
    assert second.customer_id == first.customer_id
    entry = created_entry(second)
    assert entry.after["customer_created"] is False
    assert entry.after["identities_added"] == [{"kind": "zalo", "value": "zl-8899"}]

    third = ComplaintFactory.create(
        actor=org.receiver, customer={"name": "Trang", "email": "trang@example.vn"}
    )
    assert created_entry(third).after["identities_added"] == []
    assert Customer.objects.count() == 1

    problems, _counts = journal_verify()
    assert problems == []


def test_the_timeline_shows_the_new_customer_and_added_contacts(org):
    first = ComplaintFactory.create(
        actor=org.receiver, customer={"name": "Mai Anh", "phone": "0912345002"}
    )
    second = ComplaintFactory.create(
        actor=org.receiver, customer={"name": "Mai Anh", "phone": "0912345002", "email": "ma@x.vn"}
    )
    with translation.override("vi"):
        [one] = timeline_items([created_entry(first)])
        [two] = timeline_items([created_entry(second)])
    assert ("Khách hàng mới", "Điện thoại: +84912345002") in one["details"]
    assert ("Thêm liên hệ của khách hàng", "Email: ma@x.vn") in two["details"]
