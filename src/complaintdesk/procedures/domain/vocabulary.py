"""The words a procedure definition may use: events, actors, escalation targets, notices.

Pure data. ``ACTIONS`` mirrors ``complaints.domain.lifecycle.Action`` (a test keeps them equal;
this package sits below ``complaints`` and may not import it).
"""

from __future__ import annotations

import re
from typing import Final

ACTIONS: Final[tuple[str, ...]] = (
    "acknowledge",
    "start_verification",
    "record_verification",
    "answer_now",
    "answer_later",
    "coordinate",
    "resolve",
    "notify_result",
    "confirm_satisfied",
    "mark_unsatisfied",
    "close_no_answer",
    "escalate",
    "rehandle",
    "request_negotiation",
    "withdraw",
    "reopen",
)

#: Events the complaint services emit (``procedure_apply_event``), besides the actions.
SERVICE_EVENTS: Final[tuple[str, ...]] = (
    "received",
    "complaint.updated",
    "complaint.assigned",
    "task.created",
    "task.updated",
    "message.in",
    "message.out",
    "message.note",
    "note",
)

#: Events announced for features being built (accepted now so definitions need no change).
PLANNED_EVENTS: Final[tuple[str, ...]] = (
    "reply_letter.sent",
    "force_majeure.declared",
    "force_majeure.ended",
)

EVENTS: Final[tuple[str, ...]] = SERVICE_EVENTS + ACTIONS + PLANNED_EVENTS

#: Any other namespaced event ("thing.happened") is accepted; a bare unknown word is a typo.
NAMESPACED_EVENT: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")

#: Events after which the complaint is closed: every clock stops.
CLOSING_EVENTS: Final[frozenset[str]] = frozenset(
    {"confirm_satisfied", "close_no_answer", "withdraw"}
)

ACTORS: Final[tuple[str, ...]] = (
    "customer",
    "receiver",
    "customer_care",
    "department",
    "department_head",
    "leadership",
    "system",
)

ESCALATION_TARGETS: Final[tuple[str, ...]] = (
    "assignee",
    "receiver",
    "customer_care",
    "department_head",
    "department_heads",
    "leadership",
)

NOTICE_KINDS: Final[tuple[str, ...]] = (
    "acknowledgement",
    "more_time",
    "result",
    "escalation",
    "survey",
    "force_majeure_delay",
)

CHANNELS: Final[tuple[str, ...]] = (
    "hotline",
    "chat",
    "email",
    "facebook",
    "zalo",
    "counter",
    "letter",
    "web",
    "api",
)

PRIORITIES: Final[tuple[str, ...]] = ("low", "normal", "high", "urgent")

SLUG: Final = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

DEFAULT_DAY_CALENDAR: Final = "vn-official"
DEFAULT_HOUR_CALENDAR: Final = "24x7"

MAX_WORKING_DAYS: Final = 3650
MAX_HOURS: Final = 87600
MAX_SOURCE_CHARS: Final = 100_000

#: (Vietnamese, English) labels of events, for showing what starts and stops a clock.
EVENT_LABELS: Final[dict[str, tuple[str, str]]] = {
    "received": ("Tiếp nhận phiếu", "Complaint received"),
    "complaint.updated": ("Sửa thông tin phiếu", "Complaint updated"),
    "complaint.assigned": ("Phân công", "Complaint assigned"),
    "task.created": ("Giao nhiệm vụ", "Task created"),
    "task.updated": ("Cập nhật nhiệm vụ", "Task updated"),
    "message.in": ("Khách gửi tin nhắn", "Message from the customer"),
    "message.out": ("Gửi tin nhắn cho khách", "Message to the customer"),
    "message.note": ("Ghi chú nội bộ", "Internal note"),
    "note": ("Ghi chú nội bộ", "Internal note"),
    "acknowledge": ("Xác nhận đã tiếp nhận", "Acknowledge"),
    "start_verification": ("Bắt đầu kiểm tra, xác minh", "Start verification"),
    "record_verification": ("Ghi nhận kết quả kiểm tra", "Record verification"),
    "answer_now": ("Trả lời ngay", "Answer now"),
    "answer_later": ("Trả lời sau", "Answer later"),
    "coordinate": ("Phối hợp xử lý", "Coordinate"),
    "resolve": ("Hoàn tất giải quyết", "Resolve"),
    "notify_result": ("Thông báo kết quả", "Notify result"),
    "confirm_satisfied": ("Xác nhận hài lòng", "Confirm satisfied"),
    "mark_unsatisfied": ("Ghi nhận chưa hài lòng", "Mark unsatisfied"),
    "close_no_answer": ("Đóng do khách hàng không phản hồi", "Close without answer"),
    "escalate": ("Chuyển lãnh đạo xử lý", "Escalate"),
    "rehandle": ("Chỉ đạo xử lý lại", "Handle again"),
    "request_negotiation": ("Yêu cầu thương lượng", "Request negotiation"),
    "withdraw": ("Rút khiếu nại", "Withdraw"),
    "reopen": ("Mở lại phiếu", "Reopen"),
    "reply_letter.sent": ("Gửi công văn trả lời", "Reply letter sent"),
    "force_majeure.declared": ("Công bố sự kiện bất khả kháng", "Force majeure declared"),
    "force_majeure.ended": ("Kết thúc sự kiện bất khả kháng", "Force majeure ended"),
}


def event_label(event: str, lang: str = "vi") -> str:
    pair = EVENT_LABELS.get(event)
    if pair is None:
        return event
    return pair[1] if lang.startswith("en") else pair[0]
