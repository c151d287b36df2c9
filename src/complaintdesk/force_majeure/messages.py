"""User-facing messages of the force majeure app: (Vietnamese, English)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "forbidden_declare": (
        "Chỉ lãnh đạo phòng ban, Ban Giám đốc hoặc quản trị viên được công bố sự kiện bất khả kháng.",
        "Only department heads, leadership or administrators may declare a force majeure event.",
    ),
    "forbidden_approve": (
        "Chỉ Ban Giám đốc hoặc quản trị viên được phê duyệt, gia hạn hoặc hủy sự kiện bất khả kháng đã duyệt.",
        "Only leadership or administrators may approve, extend or cancel an approved force majeure event.",
    ),
    "reason_required": ("Hãy nhập lý do.", "Enter the reason."),
    "naive_datetime": ("Thời điểm phải có múi giờ.", "Times must include a time zone."),
    "ends_before_start": (
        "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
        "The end must be after the start.",
    ),
    "end_invalid": (
        "Thời điểm kết thúc phải sau thời điểm bắt đầu và không ở tương lai.",
        "The end must be after the start and not in the future.",
    ),
    "scope_invalid": ("Phạm vi không hợp lệ.", "Invalid scope."),
    "scope_value_required": (
        "Hãy nhập khu vực, dịch vụ, kênh hoặc danh mục áp dụng.",
        "Enter the region, service, channel or category it applies to.",
    ),
    "unknown_channel": ("Không có kênh «{value}».", "There is no channel “{value}”."),
    "unknown_category": ("Không có danh mục «{value}».", "There is no category “{value}”."),
    "evidence_required": (
        "Cần tệp bằng chứng hoặc liên kết tới bằng chứng.",
        "Attach evidence or give a link to it.",
    ),
    "evidence_url_invalid": (
        "Liên kết phải bắt đầu bằng http:// hoặc https://.",
        "The link must start with http:// or https://.",
    ),
    "wrong_status": (
        "Không thể thực hiện khi sự kiện đang ở trạng thái «{status}».",
        "Not possible while the event is “{status}”.",
    ),
}


def msg(code: str, **params: object) -> tuple[str, str]:
    vi, en = MESSAGES[code]
    return vi.format(**params), en.format(**params)


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("chờ phê duyệt", "pending approval"),
    "approved": ("đã phê duyệt", "approved"),
    "ended": ("đã kết thúc", "ended"),
    "cancelled": ("đã hủy", "cancelled"),
}


def wrong_status(status: str) -> tuple[str, str]:
    vi_label, en_label = STATUS_LABELS.get(status, (status, status))
    vi, _ = MESSAGES["wrong_status"]
    _, en = MESSAGES["wrong_status"]
    return vi.format(status=vi_label), en.format(status=en_label)
