"""The admin: configuration pages work, API tokens show only their prefix, the journal is
read-only, customers' identities are normalised."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaintdesk.accounts.models import ApiToken
from complaintdesk.complaints.models import Category, Customer, CustomerIdentity
from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "accounts_user",
        "accounts_department",
        "accounts_apitoken",
        "complaints_category",
        "complaints_customer",
        "journal_journalentry",
        "journal_chainhead",
        "journal_checkpoint",
    ],
)
def test_changelist_opens(admin_client, complaint_factory, org, name):
    complaint_factory.create(actor=org.receiver)
    response = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


def test_journal_is_read_only(admin_client, complaint_factory, org):
    complaint = complaint_factory.create(actor=org.receiver)
    entry = JournalEntry.objects.get(complaint_id=complaint.pk, seq=1)
    assert admin_client.get(reverse("admin:journal_journalentry_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:journal_journalentry_delete", args=[entry.pk])).status_code
        == 403
    )
    page = admin_client.get(reverse("admin:journal_journalentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'name="action"' not in page.content  # no editable inputs
    assert b"complaint.created" in page.content
    posted = admin_client.post(
        reverse("admin:journal_journalentry_change", args=[entry.pk]), {"action": "forged"}
    )
    assert posted.status_code == 403
    assert JournalEntry.objects.get(pk=entry.pk).action == "complaint.created"
    listing = admin_client.get(reverse("admin:journal_journalentry_changelist"))
    assert b"delete_selected" not in listing.content
    for model in ("chainhead", "checkpoint"):
        assert admin_client.get(reverse(f"admin:journal_{model}_add")).status_code == 403
    assert ChainHead.objects.exists() and not Checkpoint.objects.exists()


def test_api_token_shows_the_secret_once_then_only_the_prefix(admin_client, org):
    response = admin_client.post(
        reverse("admin:accounts_apitoken_add"), {"user": org.admin.pk, "name": "CRM"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m for m in shown if "cd_" in m).rsplit(" ", 1)[-1]
    assert ApiToken.hash(raw) == token.digest
    assert raw.startswith(token.prefix)
    listing = admin_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert f"{token.prefix}…" in listing
    assert raw not in listing and token.digest not in listing
    detail = admin_client.get(
        reverse("admin:accounts_apitoken_change", args=[token.pk])
    ).content.decode()
    assert raw not in detail and token.digest not in detail


def test_revoke_action(admin_client, org):
    from complaintdesk.accounts.auth import api_token_issue

    token, _ = api_token_issue(user=org.admin, name="x")
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_user_role_and_department_are_editable(admin_client, org):
    page = admin_client.get(reverse("admin:accounts_user_change", args=[org.staff.pk]))
    assert page.status_code == 200
    assert b'name="role"' in page.content and b'name="department"' in page.content


def identity_form(prefix: str, rows: list[tuple[str, str]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, value) in enumerate(rows):
        data[f"{prefix}-{i}-kind"] = kind
        data[f"{prefix}-{i}-value"] = value
    return data


def test_customer_identities_are_normalised(admin_client):
    data = {
        "name": "Hồ Thị Hoa",
        "address": "",
        "language": "vi",
        "preferred_channel": "",
        **identity_form("identities", [("phone", "0912 345 678"), ("email", "Hoa@Example.VN")]),
    }
    response = admin_client.post(reverse("admin:complaints_customer_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get()
    assert sorted(customer.identities.values_list("kind", "value")) == [
        ("email", "hoa@example.vn"),
        ("phone", "+84912345678"),
    ]


def test_customer_identity_taken_by_someone_else_refused(admin_client):
    other = Customer.objects.create(name="Người khác")
    CustomerIdentity.objects.create(customer=other, kind="phone", value="+84912345678")
    data = {
        "name": "Hồ Thị Hoa",
        "address": "",
        "language": "vi",
        "preferred_channel": "",
        **identity_form("identities", [("phone", "84912345678")]),
    }
    response = admin_client.post(reverse("admin:complaints_customer_add"), data)
    assert response.status_code == 200
    assert "Định danh này đã thuộc về một khách hàng khác." in response.content.decode()
    assert Customer.objects.count() == 1


def test_invalid_phone_refused_in_admin(admin_client):
    data = {
        "name": "X",
        "address": "",
        "language": "vi",
        "preferred_channel": "",
        **identity_form("identities", [("phone", "12345")]),
    }
    response = admin_client.post(reverse("admin:complaints_customer_add"), data)
    assert "Số điện thoại không hợp lệ." in response.content.decode()


def test_category_tree_order_and_no_loops(admin_client, org):
    account = Category.objects.get(code="account")
    Category.objects.create(code="account-login", name="Đăng nhập", parent=account)
    page = admin_client.get(reverse("admin:complaints_category_changelist")).content.decode()
    page = page[page.index('id="result_list"') :]
    assert page.index("Tài khoản") < page.index("— Đăng nhập") < page.index("Thanh toán")
    response = admin_client.post(
        reverse("admin:complaints_category_change", args=[account.pk]),
        {
            "code": "account",
            "name": "Tài khoản",
            "name_en": "Account",
            "parent": Category.objects.get(code="account-login").pk,
            "procedure": "",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert (
        "Danh mục cha không được là chính nó hoặc danh mục con của nó." in response.content.decode()
    )
    assert Category.objects.get(pk=account.pk).parent_id is None


def test_admin_speaks_vietnamese_and_english(admin_client, complaint_factory, org):
    complaint_factory.create(actor=org.receiver)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Nhật ký" in index and "Phiếu khiếu nại" in index
    admin_client.cookies["django_language"] = "en"
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Journal" in index and "Nhật ký" not in index
    entry = JournalEntry.objects.first()
    page = admin_client.get(
        reverse("admin:journal_journalentry_change", args=[entry.pk])
    ).content.decode()
    assert "Chain:" in page and "Chuỗi:" not in page
