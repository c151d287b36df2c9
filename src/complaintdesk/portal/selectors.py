"""What the tracking page shows: only what the customer may see."""

from __future__ import annotations

from typing import Any

from complaintdesk.complaints.domain.lifecycle import STATE_LABELS, available_actions
from complaintdesk.complaints.models import Complaint, Direction, Visibility
from complaintdesk.core.clock import local
from complaintdesk.documents.models import ReplyLetter
from complaintdesk.journal.models import JournalEntry
from complaintdesk.portal.services import CUSTOMER_ACTIONS
from complaintdesk.sla.selectors import clocks_for

ACTION_TEXT = {
    "action.acknowledge": ("Đã tiếp nhận", "Received and acknowledged"),
    "action.answer_now": ("Đã trả lời", "Answered"),
    "action.answer_later": ("Cần thêm thời gian xử lý", "More time needed"),
    "action.notify_result": ("Đã thông báo kết quả", "Result notified"),
    "action.confirm_satisfied": ("Khách hàng hài lòng", "Customer satisfied"),
    "action.mark_unsatisfied": ("Khách hàng chưa hài lòng", "Customer not satisfied"),
    "action.escalate": ("Chuyển lãnh đạo xử lý", "Escalated to management"),
    "action.withdraw": ("Khách hàng rút khiếu nại", "Withdrawn by the customer"),
    "action.reopen": ("Mở lại để xử lý", "Reopened"),
    "action.request_negotiation": ("Khách hàng yêu cầu thương lượng", "Negotiation requested"),
    "action.close_no_answer": ("Đóng do không phản hồi", "Closed without an answer"),
    "message.in": ("Khách hàng gửi thông tin", "Information from the customer"),
    "message.out": ("Phản hồi gửi khách hàng", "Reply to the customer"),
    "attachment.added": ("Đã nhận tệp đính kèm", "File received"),
    "reply_letter.sent": ("Đã ban hành công văn trả lời", "Reply letter issued"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang.startswith("en") else pair[0]


def tracking_view(complaint: Complaint, lang: str = "vi") -> dict[str, Any]:
    timeline = []
    for entry in JournalEntry.objects.filter(complaint_id=complaint.pk, public=True).order_by(
        "seq"
    ):
        if entry.action not in ACTION_TEXT:
            continue
        timeline.append(
            {
                "at": local(entry.at).strftime("%H:%M %d/%m/%Y"),
                "what": _pick(ACTION_TEXT[entry.action], lang),
            }
        )
    messages = [
        {
            "at": local(m.created_at).strftime("%H:%M %d/%m/%Y"),
            "from_customer": m.direction == Direction.INBOUND,
            "body": m.body,
        }
        for m in complaint.messages.filter(visibility=Visibility.PUBLIC).order_by("created_at")
    ]
    open_actions = {
        a.action.value for a in available_actions(state=complaint.state, role="customer")
    }
    offered = [what for what, action in CUSTOMER_ACTIONS.items() if action.value in open_actions]
    return {
        "code": complaint.code,
        "subject": complaint.subject,
        "status": _pick(STATE_LABELS[complaint.state], lang),
        "received": local(complaint.received_at).strftime("%d/%m/%Y"),
        "clocks": clocks_for(complaint, lang),
        "resolution": complaint.resolution,
        "timeline": timeline,
        "messages": messages,
        "offered": offered,
        "is_open": complaint.is_open,
        "letter": ReplyLetter.objects.filter(complaint=complaint).first(),
    }
