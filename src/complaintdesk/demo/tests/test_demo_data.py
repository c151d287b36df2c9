"""manage.py demo_data: an organisation like the seeds', complaints handled through the services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from complaintdesk.accounts.models import Department, User
from complaintdesk.complaints.models import Category, Complaint, Customer, Task
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify
from complaintdesk.notifications.models import Outbox

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def test_second_run_creates_nothing_twice() -> None:
    first = demo("--count", "12")
    assert "Demo complaints: 12 created, 0 already there" in first
    # Invented customers (at real mail domains) are never written to.
    assert Complaint.objects.filter(acknowledged_at__isnull=False).exists()
    assert not Outbox.objects.exists()
    assert not JournalEntry.objects.filter(action__startswith="notice.").exists()
    counts = (
        Complaint.objects.count(),
        Customer.objects.count(),
        User.objects.count(),
        Department.objects.count(),
        Category.objects.count(),
        JournalEntry.objects.count(),
    )

    second = demo("--count", "12")

    assert "Demo complaints: 0 created, 12 already there" in second
    assert (
        Complaint.objects.count(),
        Customer.objects.count(),
        User.objects.count(),
        Department.objects.count(),
        Category.objects.count(),
        JournalEntry.objects.count(),
    ) == counts


def test_a_larger_count_adds_only_the_missing_complaints() -> None:
    demo("--count", "5")
    out = demo("--count", "8")
    assert "Demo complaints: 3 created, 5 already there" in out
    assert Complaint.objects.count() == 8


def test_organisation_like_the_seeds() -> None:
    demo("--org-only")
    roles = dict(
        User.objects.filter(
            username__in=["tiepnhan", "kythuat", "truongphong", "giamdoc", "quantri"]
        ).values_list("username", "role")
    )
    assert roles == {
        "tiepnhan": "receiver",
        "kythuat": "staff",
        "truongphong": "head",
        "giamdoc": "leadership",
        "quantri": "admin",
    }
    assert User.objects.get(username="quantri").is_superuser
    heads = dict(Department.objects.values_list("code", "head__username"))
    assert heads == {
        "cskh": "truongcskh",
        "ky-thuat": "truongphong",
        "ke-toan": "ketoan",
        "bgd": "giamdoc",
    }
    assert Department.objects.get(code="bgd").is_board
    top = set(Category.objects.filter(parent=None).values_list("name", flat=True))
    assert top == {"Tài khoản", "Nội dung", "Thanh toán", "Kỹ thuật", "Khác"}
    assert Category.objects.get(code="payment-wrong-charge").parent.code == "payment"
    assert Category.objects.get(code="payment-wrong-charge").default_department.code == "ke-toan"
    assert Complaint.objects.count() == 0


def test_complaints_are_walked_along_the_lifecycle_with_a_sound_journal() -> None:
    demo("--count", "40")

    complaints = Complaint.objects.all()
    states = set(complaints.values_list("status", flat=True))
    assert len(states) >= 5, states
    assert "closed" in states
    assert len(set(complaints.values_list("channel", flat=True))) >= 5
    assert Task.objects.exists()
    # Received over the last 90 days; the records carry the seed's blocks and Vietnamese text.
    newest, oldest = complaints.order_by("-received_at")[0], complaints.order_by("received_at")[0]
    assert (newest.received_at - oldest.received_at).days >= 30
    assert any(c.payment_info.get("amount_vnd") for c in complaints)
    assert any(c.content_info.get("title") for c in complaints)
    # Repeat callers are recognised by their phone number: fewer customers than complaints.
    assert Customer.objects.count() < complaints.count()
    # Every change went through the services: one journal chain per complaint, all intact.
    assert JournalEntry.objects.filter(action="complaint.created").count() == 40
    assert JournalEntry.objects.filter(action__startswith="action.").count() > 40
    problems, _counts = journal_verify()
    assert problems == []


def test_no_password_unless_debug_or_asked() -> None:
    out = demo("--org-only")
    assert "No password set" in out
    assert not User.objects.get(username="tiepnhan").has_usable_password()

    demo("--org-only", "--password", "mat-khau-rieng-2024")
    assert User.objects.get(username="giamdoc").check_password("mat-khau-rieng-2024")


@override_settings(DEBUG=True)
def test_debug_sets_the_demo_password_without_resetting_a_changed_one() -> None:
    demo("--org-only")
    user = User.objects.get(username="tiepnhan")
    assert user.check_password("demo12345")
    user.set_password("doi-mat-khau-99")
    user.save()

    demo("--org-only")
    assert User.objects.get(username="tiepnhan").check_password("doi-mat-khau-99")
