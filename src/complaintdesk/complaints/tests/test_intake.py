"""Intake: codes, kinds and channels, time of receipt, customers, the three blocks, retries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from complaintdesk.complaints.models import Channel, CodeCounter, Complaint, Customer, Kind
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import complaint_create, next_code
from complaintdesk.core.clock import LOCAL_TZ, utcnow
from complaintdesk.core.errors import ServiceError, ValidationFailed
from complaintdesk.journal.models import JournalEntry


def payload(**overrides):
    data = {
        "channel": "hotline",
        "customer": {"name": "Trần Thị Bình", "phone": "0912 345 678"},
        "subject": "Không xem được phim",
    }
    data.update(overrides)
    return ComplaintIn.model_validate(data)


def create(org, **overrides):
    return complaint_create(actor=org.receiver, data=payload(**overrides)).complaint


def test_code_is_readable_and_numbered_per_year(org):
    now = utcnow()
    first = complaint_create(actor=org.receiver, data=payload(), now=now).complaint
    second = complaint_create(actor=org.receiver, data=payload(), now=now).complaint
    year = now.astimezone(LOCAL_TZ).year
    assert re.fullmatch(rf"KN-{year}-\d{{6}}", first.code)
    assert int(second.code[-6:]) == int(first.code[-6:]) + 1


def test_code_year_is_the_local_year(org):
    # 00:30 on 1/1/2026 in Việt Nam is still 31/12/2025 in UTC: the local year counts.
    assert next_code(datetime(2025, 12, 31, 17, 30, tzinfo=UTC)).startswith("KN-2026-")


def test_code_counter_continues_after_loaded_data(org):
    """A counter that is missing (data loaded from elsewhere) continues after the highest code."""
    Complaint.objects.filter(pk=create(org).pk).update(code="KN-2031-000041")
    CodeCounter.objects.filter(year=2031).delete()
    assert next_code(datetime(2031, 5, 1, tzinfo=LOCAL_TZ)) == "KN-2031-000042"


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("channel", Channel.values)
def test_every_kind_and_channel(org, kind, channel):
    complaint = create(org, kind=kind, channel=channel)
    assert (complaint.kind, complaint.channel) == (kind, channel)


def test_unknown_channel_refused_with_message(org):
    with pytest.raises(ValidationFailed) as refused:
        create(org, channel="pigeon")
    assert refused.value.field == "channel"
    assert refused.value.message("vi") == "Giá trị không hợp lệ: pigeon."


def test_received_in_the_past_is_kept_and_who_recorded_it_when(org):
    now = utcnow()
    letter_date = now - timedelta(days=4)
    complaint = complaint_create(
        actor=org.receiver,
        data=payload(channel="letter", received_at=letter_date.isoformat()),
        now=now,
    ).complaint
    complaint.refresh_from_db()
    assert complaint.received_at == letter_date
    assert complaint.recorded_at == now
    assert complaint.recorded_by == org.receiver
    created = JournalEntry.objects.get(complaint_id=complaint.pk, seq=1)
    assert (created.action, created.actor_id, created.at) == (
        "complaint.created",
        org.receiver.pk,
        now,
    )


def test_received_in_the_future_refused_with_message(org):
    tomorrow = utcnow() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        create(org, received_at=tomorrow.isoformat())
    assert refused.value.field == "received_at"
    assert refused.value.message("vi") == "Thời điểm tiếp nhận không được ở tương lai."
    assert refused.value.message("en") == "The time of receipt cannot be in the future."
    assert Complaint.objects.count() == 0


def test_a_clock_slightly_ahead_counts_as_now(org):
    now = utcnow()
    data = payload(received_at=(now + timedelta(minutes=2)).isoformat())
    complaint = complaint_create(actor=org.receiver, data=data, now=now).complaint
    assert complaint.received_at == now


def test_received_at_without_time_zone_refused(org):
    with pytest.raises(ValidationFailed) as refused:
        create(org, received_at="2025-03-05T08:30:00")
    assert refused.value.message("en") == "The time must include a time zone (e.g. +07:00)."


@pytest.mark.parametrize("phone", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678"])
def test_phone_formats_find_one_customer(org, phone):
    first = create(org, customer={"name": "Lê Văn Cường", "phone": "0912345678"})
    again = create(org, customer={"name": "Lê Văn Cường", "phone": phone})
    assert again.customer_id == first.customer_id
    assert Customer.objects.count() == 1
    assert first.customer.identities_of("phone") == ["+84912345678"]


def test_email_case_finds_one_customer(org):
    first = create(org, customer={"name": "Phạm Thu", "email": "Thu.Pham@Gmail.COM"})
    again = create(org, customer={"name": "Phạm Thu", "email": "thu.pham@gmail.com"})
    assert again.customer_id == first.customer_id
    assert first.customer.identities_of("email") == ["thu.pham@gmail.com"]


def test_account_facebook_and_zalo_ids_find_the_customer(org):
    first = create(
        org,
        customer={
            "name": "Đỗ Minh",
            "account_id": "vieon-778899",
            "facebook_id": "fb-psid-1",
            "zalo_id": "zalo-1",
        },
    )
    for identity in (
        {"account_id": "vieon-778899"},
        {"facebook_id": "fb-psid-1"},
        {"zalo_id": "zalo-1"},
    ):
        assert (
            create(org, customer={"name": "Đỗ Minh", **identity}).customer_id == first.customer_id
        )


def test_new_identity_is_added_to_the_known_customer(org):
    first = create(org, customer={"name": "Võ An", "phone": "0903123456"})
    create(
        org,
        customer={
            "name": "Võ An",
            "phone": "0903123456",
            "email": "an@example.vn",
            "address": "12 Lê Lợi, Quy Nhơn",
        },
    )
    customer = Customer.objects.get(pk=first.customer_id)
    assert customer.identities_of("email") == ["an@example.vn"]
    assert customer.address == "12 Lê Lợi, Quy Nhơn"


def test_customer_without_any_identity_refused(org):
    with pytest.raises(ValidationFailed) as refused:
        create(org, customer={"name": "Ẩn danh"})
    assert refused.value.message("vi").startswith("Cần ít nhất một cách liên hệ khách hàng")


def test_invalid_phone_refused_by_the_schema():
    with pytest.raises(ValidationError) as refused:
        payload(customer={"name": "X", "phone": "12"})
    assert "invalid_phone" in str(refused.value)


def test_three_blocks_are_stored(org):
    complaint = create(
        org,
        account={"account_name": "binh.tran", "registered_phone": "0912345678"},
        content={"title": "Phim Mai", "episode": "3", "fault_description": "Mất tiếng"},
        payment={"package": "VIP 12 tháng", "method": "MoMo", "amount_vnd": 1_089_000},
    )
    complaint.refresh_from_db()
    assert complaint.account_info == {"account_name": "binh.tran", "registered_phone": "0912345678"}
    assert complaint.content_info["title"] == "Phim Mai"
    assert complaint.payment_info["amount_vnd"] == 1_089_000
    assert isinstance(complaint.payment_info["amount_vnd"], int)


@pytest.mark.parametrize("amount", [-1, 1.5, "một triệu"])
def test_amount_must_be_a_whole_number_of_dong(amount):
    with pytest.raises(ValidationError):
        payload(payment={"amount_vnd": amount})


def test_vulnerable_customer_is_urgent(org):
    complaint = create(org, vulnerable=True)
    assert (complaint.vulnerable, complaint.priority) == (True, "urgent")


def test_retry_with_the_same_key_returns_the_first_complaint(org):
    first = complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-1")
    again = complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-1")
    assert first.created and not again.created
    assert again.complaint.pk == first.complaint.pk
    assert Complaint.objects.count() == 1
    assert JournalEntry.objects.filter(action="complaint.created").count() == 1


def test_same_key_for_a_different_request_refused(org):
    complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-2")
    with pytest.raises(ServiceError) as refused:
        complaint_create(actor=org.receiver, data=payload(subject="Khác"), idempotency_key="k-2")
    assert refused.value.code == "idempotency_mismatch"
    assert refused.value.status == 422
    assert refused.value.message("vi") == "Idempotency-Key này đã được dùng cho một yêu cầu khác."


def test_keys_are_per_caller(org):
    mine = complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-3")
    theirs = complaint_create(actor=org.head, data=payload(), idempotency_key="k-3")
    assert theirs.created and theirs.complaint.pk != mine.complaint.pk


def test_a_failed_intake_leaves_nothing(org, monkeypatch):
    from complaintdesk.complaints import services

    def boom(**kwargs):
        raise RuntimeError("procedure failed")

    monkeypatch.setattr(services, "procedure_apply_received", boom)
    with pytest.raises(RuntimeError):
        complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-4")
    assert Complaint.objects.count() == 0
    assert Customer.objects.count() == 0
    assert JournalEntry.objects.count() == 0
    monkeypatch.undo()
    # The key was not kept: the retry creates the complaint.
    assert complaint_create(actor=org.receiver, data=payload(), idempotency_key="k-4").created


def test_a_customer_created_after_the_lookup_is_found_inside_the_transaction(org, monkeypatch):
    """The customer is looked up before the intake's transaction. If a parallel intake created
    the same customer in between, the identity claim skips the taken identity, what was written
    is removed, the lookup runs again inside, and the complaint is filed under that customer,
    with the fields and clocks it implies."""
    from complaintdesk.complaints import services
    from complaintdesk.sla.models import Clock

    first = complaint_create(
        actor=org.receiver,
        data=payload(customer={"name": "Bình", "phone": "0912 345 678", "vulnerable": True}),
    ).complaint
    real = services._known_identities
    calls: list[int] = []

    def stale_first(identities):  # the read before the transaction misses the customer
        calls.append(1)
        return {} if len(calls) == 1 else real(identities)

    monkeypatch.setattr(services, "_known_identities", stale_first)
    second = complaint_create(
        actor=org.receiver, data=payload(customer={"name": "Bình B", "phone": "0912345678"})
    ).complaint
    assert len(calls) == 2, "looked up again inside the transaction"
    assert Customer.objects.count() == 1
    stored = Complaint.objects.get(pk=second.pk)
    assert stored.customer_id == first.customer_id
    # The customer is vulnerable, so the complaint is too (and urgent), as for the first one.
    assert (stored.vulnerable, stored.priority) == (True, first.priority)
    due = [
        c.due_at
        for c in Clock.objects.filter(complaint=stored)
        if c.state in ("running", "breached") and c.due_at
    ]
    assert due and stored.next_due_at == min(due)
    created = JournalEntry.objects.get(complaint_id=stored.pk, action="complaint.created")
    assert created.after["customer_id"] == first.customer_id
    assert created.after["customer_created"] is False


@pytest.mark.parametrize("missed", ["everything", "the email"])
def test_identities_claimed_before_a_clash_are_removed_again(org, monkeypatch, missed):
    """A stale lookup misses identities taken meanwhile: it plans a new customer with a phone,
    an email and an account (it missed everything), or adds the email and the account to the
    phone's customer (it missed the email, taken by another customer). What the same INSERT
    claimed (the account) and a new customer are removed again; the retried lookup files the
    complaint under the phone's customer and adds the account to it, and the email stays with
    its owner."""
    from complaintdesk.complaints import services
    from complaintdesk.complaints.models import CustomerIdentity

    by_phone = complaint_create(
        actor=org.receiver, data=payload(customer={"name": "An", "phone": "0912 000 001"})
    ).complaint.customer
    by_email = complaint_create(
        actor=org.receiver, data=payload(customer={"name": "Hoa", "email": "hoa@example.vn"})
    ).complaint.customer
    real = services._known_identities
    calls: list[int] = []

    def stale_first(identities):
        calls.append(1)
        if len(calls) > 1:
            return real(identities)
        if missed == "everything":
            return {}
        return {k: v for k, v in real(identities).items() if k[0] != "email"}

    monkeypatch.setattr(services, "_known_identities", stale_first)
    made = complaint_create(
        actor=org.receiver,
        data=payload(
            customer={
                "name": "An (mới)",
                "phone": "0912000001",
                "email": "Hoa@example.vn",
                "account_id": "an-vieon-77",
            }
        ),
    ).complaint
    assert len(calls) == 2
    assert made.customer_id == by_phone.pk
    assert Customer.objects.count() == 2
    owners = dict(CustomerIdentity.objects.values_list("value", "customer_id"))
    assert owners == {
        "+84912000001": by_phone.pk,
        "hoa@example.vn": by_email.pk,
        "an-vieon-77": by_phone.pk,
    }
    created = JournalEntry.objects.get(complaint_id=made.pk, action="complaint.created")
    assert created.after["identities_added"] == [{"kind": "account", "value": "an-vieon-77"}]
