"""A small known set of complaints, walked through the services at chosen times (March 2026).

Worked by hand (Asia/Ho_Chi_Minh local days):

=====  =====================  ========  =========  ==========  ===================================
code   received (local)       channel   kind       category    what happens (hours after receipt)
=====  =====================  ========  =========  ==========  ===================================
c1     02/03 09:00            hotline   complaint  technical   ack +2, verify (cause A) +3,
                                                               answer now +5, satisfied +144 →
                                                               closed 08/03
c2     02/03 14:00            email     complaint  payment     ack +4, verify (cause A, other
                                                               spelling) +5, answer later +24,
                                                               coordinate +25, resolve +48
c3     10/03 08:00            letter    request    —           nothing
c5     31/03 23:30            facebook  feedback   —           nothing
c7     15/03 10:00            hotline   complaint  technical   answer now +30, unsatisfied +40,
                                                               escalate to leadership +41
c4     28/02 10:00            email     complaint  payment     (before March: outside the month,
                                                               inside Q1)
c6     01/04 00:10            hotline   complaint  —           (after March)
=====  =====================  ========  =========  ==========  ===================================

Clocks "written_reply" (inserted directly): c1 met, c2 breached, c3 running, c7 met.
Customer base from 01/01/2026: 1,000 customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from complaintdesk.core.clock import LOCAL_TZ

CAUSE_A = "Lỗi đường truyền khu vực"


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


@dataclass
class KnownSet:
    org: Any
    c: dict[str, Any]


@pytest.fixture
def known(org):
    from complaintdesk.complaints.models import Complaint
    from complaintdesk.complaints.services import complaint_transition
    from complaintdesk.complaints.tests.factories import ComplaintFactory
    from complaintdesk.reports.models import CustomerBase
    from complaintdesk.sla.models import Clock

    def make(name, received, **data):
        complaint = ComplaintFactory.create(
            actor=org.receiver,
            received_at=received.isoformat(),
            customer={"name": f"Khách {name}", "phone": f"0912{abs(hash(name)) % 1000000:06d}"},
            subject=f"Phiếu {name}",
            **data,
        )
        return complaint, received

    def act(pair, action, after_hours, actor=None, **inputs):
        complaint, received = pair
        complaint = complaint_transition(
            complaint=Complaint.objects.get(pk=complaint.pk),
            action=action,
            actor=actor or org.receiver,
            inputs=inputs,
            now=received + timedelta(hours=after_hours),
        )
        return complaint, received

    c1 = make("c1", at(2, 3, 9), channel="hotline", category="technical")
    act(c1, "acknowledge", 2)
    act(c1, "start_verification", 2.5)
    act(
        c1,
        "record_verification",
        3,
        checked="Đã kiểm tra",
        scope="Khu vực quận 1",
        cause_analysis=CAUSE_A,
    )
    act(c1, "answer_now", 5, explanation="Đã khắc phục đường truyền")
    act(c1, "confirm_satisfied", 144)
    c2 = make("c2", at(2, 3, 14), channel="email", category="payment")
    act(c2, "acknowledge", 4)
    act(c2, "start_verification", 4.5)
    act(
        c2,
        "record_verification",
        5,
        checked="Đã kiểm tra",
        scope="Một khách",
        cause_analysis="LỖI ĐƯỜNG TRUYỀN  KHU VỰC",
    )
    act(c2, "answer_later", 24, reason="Cần kiểm tra với kỹ thuật")
    act(c2, "coordinate", 25, department="ky-thuat", instructions="Kiểm tra giao dịch")
    act(c2, "resolve", 48, resolution="Đã hoàn tiền")
    c3 = make("c3", at(10, 3, 8), channel="letter", kind="request")
    c5 = make("c5", at(31, 3, 23, 30), channel="facebook", kind="feedback")
    c7 = make("c7", at(15, 3, 10), channel="hotline", category="technical")
    act(c7, "answer_now", 30, explanation="Hướng dẫn cài lại ứng dụng")
    act(c7, "mark_unsatisfied", 40, comment="Vẫn lỗi")
    act(c7, "escalate", 41, actor=org.head, level="leadership", reason="Khách bức xúc")
    c4 = make("c4", at(28, 2, 10), channel="email", category="payment")
    c6 = make("c6", at(1, 4, 0, 10), channel="hotline")
    Clock.objects.all().delete()  # the procedures' own clocks: replaced by known ones
    for pair, state in ((c1, "met"), (c2, "breached"), (c3, "running"), (c7, "met")):
        complaint, received = pair
        Clock.objects.create(
            complaint=complaint,
            name="written_reply",
            label="Trả lời bằng văn bản (2 ngày làm việc)",
            label_en="Written reply (2 working days)",
            spec={},
            calendar="vn-official",
            state=state,
            start_event="received",
            started_at=received,
            due_at=received + timedelta(days=2),
        )
    CustomerBase.objects.create(period_start=datetime(2026, 1, 1).date(), size=1000)
    c = {
        name: Complaint.objects.get(pk=pair[0].pk)
        for name, pair in (
            ("c1", c1),
            ("c2", c2),
            ("c3", c3),
            ("c4", c4),
            ("c5", c5),
            ("c6", c6),
            ("c7", c7),
        )
    }
    return KnownSet(org, c)
