"""Getting to a complaint's tracking page: one-time codes, signed links, limits."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from complaintdesk.core.clock import utcnow
from complaintdesk.journal.models import JournalEntry
from complaintdesk.notifications.models import Outbox
from complaintdesk.portal.access import signed_link_token
from complaintdesk.portal.models import AccessCode

from .helpers import EMAIL, filed, last_otp, sign_in

pytestmark = pytest.mark.django_db

SENT = "Nếu thông tin Quý khách nhập khớp với phiếu khiếu nại"


def test_the_code_form_answers_the_same_whether_or_not_the_complaint_exists(client, org):
    complaint = filed(org)
    answers = []
    for code, contact in [
        (complaint.code, EMAIL),
        (complaint.code, "nguoi.khac@example.vn"),
        ("KN-2099-999999", EMAIL),
        (complaint.code, "0912345678"),
    ]:
        first = client.post("/tra-cuu/", {"code": code, "contact": contact})
        page = client.get(first["Location"])
        answers.append((first.status_code, first["Location"], page.status_code))
        assert SENT in page.content.decode()

    assert len(set(answers)) == 1
    # Only the matching contact got a code, sent to the address the complaint was filed with.
    rows = Outbox.objects.filter(notice="portal_access_code")
    assert [(r.channel, r.recipient) for r in rows] == [("email", EMAIL)]
    access = AccessCode.objects.get()
    assert last_otp(complaint) not in access.code_hash  # hashed at rest
    assert len(access.code_hash) == 64


def test_a_customer_signs_in_with_the_code_and_sees_their_complaint(client, org):
    complaint = filed(org)
    opened = sign_in(client, complaint)
    assert opened["Location"] == "/tra-cuu/phieu/"
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert complaint.code in page and complaint.subject in page
    assert "Mới tiếp nhận" in page
    entry = JournalEntry.objects.filter(complaint=complaint, action="portal.opened").get()
    assert entry.actor_label == "customer"
    # A code is used once.
    used = last_otp(complaint)
    client.post("/tra-cuu/", {"code": complaint.code, "contact": EMAIL})
    assert client.post("/tra-cuu/xac-thuc/", {"otp": used}).status_code in (403,) or (
        used == last_otp(complaint)
    )


def test_guessing_the_one_time_code_locks_it_after_five_tries(client, org):
    complaint = filed(org)
    client.post("/tra-cuu/", {"code": complaint.code, "contact": EMAIL})
    right = last_otp(complaint)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        refused = client.post("/tra-cuu/xac-thuc/", {"otp": wrong})
        assert refused.status_code == 403
        assert "Mã xác thực không đúng hoặc đã hết hạn" in refused.content.decode()
    assert AccessCode.objects.get().locked_at is not None
    # Even the right code no longer opens it.
    assert client.post("/tra-cuu/xac-thuc/", {"otp": right}).status_code == 403
    assert client.get("/tra-cuu/phieu/")["Location"] == "/tra-cuu/"


def test_a_code_expires_after_ten_minutes(client, org):
    complaint = filed(org)
    client.post("/tra-cuu/", {"code": complaint.code, "contact": EMAIL})
    later = utcnow() + timedelta(minutes=11)
    with mock.patch("complaintdesk.portal.access.utcnow", return_value=later):
        refused = client.post("/tra-cuu/xac-thuc/", {"otp": last_otp(complaint)})
    assert refused.status_code == 403


def test_asking_for_codes_too_often_is_rate_limited_in_both_languages(client, org):
    complaint = filed(org)
    statuses = [
        client.post("/tra-cuu/", {"code": complaint.code, "contact": EMAIL}).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]  # 3 codes per complaint per 15 minutes
    assert Outbox.objects.filter(notice="portal_access_code").count() == 3
    # A code that does not exist is limited the same way (a 429 reveals nothing).
    unknown = [
        client.post("/tra-cuu/", {"code": "KN-2099-000001", "contact": EMAIL}).status_code
        for _ in range(4)
    ]
    assert unknown == [302, 302, 302, 429]

    other = client.post("/tra-cuu/", {"code": "KN-X", "contact": EMAIL}, HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(4):
        other = client.post(
            "/tra-cuu/", {"code": "KN-X", "contact": EMAIL}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert other.status_code == 429
    assert "Too many attempts" in other.content.decode()


def test_verifying_is_rate_limited_per_address(client, org):
    complaint = filed(org)
    client.post("/tra-cuu/", {"code": complaint.code, "contact": EMAIL})
    codes = [client.post("/tra-cuu/xac-thuc/", {"otp": "000000"}).status_code for _ in range(21)]
    assert codes[-1] == 429
    assert (
        "Quý khách đã thử quá nhiều lần"
        in client.post("/tra-cuu/xac-thuc/", {"otp": "000000"}).content.decode()
    )


def test_a_signed_link_opens_that_complaint_only_and_expires(client, org):
    mine, theirs = filed(org), filed(org, customer={"name": "Lê Văn C", "phone": "0987654321"})
    token = signed_link_token(mine)
    assert client.get(f"/tra-cuu/l/{token}/")["Location"] == "/tra-cuu/phieu/"
    page = client.get("/tra-cuu/phieu/").content.decode()
    assert mine.code in page and theirs.code not in page

    forged = token.replace(mine.code, theirs.code)
    refused = client.get(f"/tra-cuu/l/{forged}/")
    assert refused.status_code == 403
    # The session now holds no complaint at all.
    assert client.get("/tra-cuu/phieu/")["Location"] == "/tra-cuu/"

    with mock.patch(
        "django.core.signing.time.time", return_value=utcnow().timestamp() + 15 * 86400
    ):
        assert client.get(f"/tra-cuu/l/{token}/").status_code == 403


def test_signing_in_to_one_complaint_never_shows_another(client, org):
    mine = filed(org)
    theirs = filed(org, customer={"name": "Lê Văn C", "email": "c@example.vn"})
    sign_in(client, mine)
    client.post("/tra-cuu/", {"code": theirs.code, "contact": EMAIL})  # not their contact
    assert client.get("/tra-cuu/phieu/")["Location"] == "/tra-cuu/"
    client.post("/tra-cuu/xac-thuc/", {"otp": last_otp(mine)})
    assert client.get("/tra-cuu/phieu/")["Location"] == "/tra-cuu/"
