"""Notice texts: one subject and body per notice and language (Django template syntax).

Simple strings for now; an administrator-editable template table can replace this dict later
without changing callers, which only name a notice.
"""

from __future__ import annotations

from typing import Final

# notice → language → (subject, body)
NOTICES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "acknowledgement": {
        "vi": (
            "[{{ code }}] Đã tiếp nhận khiếu nại của Quý khách",
            "Kính gửi {{ customer_name }},\n\n{{ org_name }} đã tiếp nhận yêu cầu của Quý khách "
            "(mã phiếu {{ code }}): {{ subject }}.\nChúng tôi sẽ xử lý và phản hồi Quý khách"
            "{% if due_date %} trước ngày {{ due_date }}{% endif %}.\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] We have received your complaint",
            "Dear {{ customer_name }},\n\n{{ org_name }} has received your request "
            "(reference {{ code }}): {{ subject }}.\nWe will handle it and reply"
            "{% if due_date %} by {{ due_date }}{% endif %}.\n\nKind regards.",
        ),
    },
    "more_time": {
        "vi": (
            "[{{ code }}] Cần thêm thời gian xử lý",
            "Kính gửi {{ customer_name }},\n\nYêu cầu {{ code }} cần thêm thời gian để phối hợp "
            "các bộ phận liên quan xử lý. Chúng tôi sẽ thông báo kết quả cho Quý khách"
            "{% if due_date %} trước ngày {{ due_date }}{% endif %}.\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] We need more time",
            "Dear {{ customer_name }},\n\nYour request {{ code }} needs more time while we "
            "work with the departments involved. We will tell you the result"
            "{% if due_date %} by {{ due_date }}{% endif %}.\n\nKind regards.",
        ),
    },
    "result": {
        "vi": (
            "[{{ code }}] Kết quả giải quyết",
            "Kính gửi {{ customer_name }},\n\nKết quả giải quyết yêu cầu {{ code }}:\n"
            "{{ resolution }}\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] The result of your complaint",
            "Dear {{ customer_name }},\n\nThe result for your request {{ code }}:\n"
            "{{ resolution }}\n\nKind regards.",
        ),
    },
    "escalation": {
        "vi": (
            "[{{ code }}] Yêu cầu đã được chuyển lên cấp trên",
            "Kính gửi {{ customer_name }},\n\nYêu cầu {{ code }} đã được chuyển tới lãnh đạo "
            "để ưu tiên xử lý. Chúng tôi xin lỗi vì sự chậm trễ.\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] Your complaint has been escalated",
            "Dear {{ customer_name }},\n\nYour request {{ code }} has been passed to our "
            "management for priority handling. We apologise for the delay.\n\nKind regards.",
        ),
    },
    "survey": {
        "vi": (
            "[{{ code }}] Quý khách có hài lòng với kết quả?",
            "Kính gửi {{ customer_name }},\n\nXin Quý khách cho biết mức độ hài lòng với kết quả "
            "giải quyết yêu cầu {{ code }}.\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] Are you satisfied with the result?",
            "Dear {{ customer_name }},\n\nPlease tell us whether you are satisfied with how "
            "your request {{ code }} was resolved.\n\nKind regards.",
        ),
    },
    "force_majeure_delay": {
        "vi": (
            "[{{ code }}] Thông báo chậm xử lý do sự kiện bất khả kháng",
            "Kính gửi {{ customer_name }},\n\nDo sự kiện bất khả kháng ({{ reason }}), thời hạn "
            "xử lý yêu cầu {{ code }} tạm dừng từ {{ starts }}{% if ends %} đến {{ ends }}"
            "{% endif %} và sẽ được tính tiếp khi sự kiện kết thúc.\nMong Quý khách thông "
            "cảm.\n\nTrân trọng.",
        ),
        "en": (
            "[{{ code }}] Delay caused by a force majeure event",
            "Dear {{ customer_name }},\n\nBecause of a force majeure event ({{ reason }}), the "
            "deadline for your request {{ code }} is suspended from {{ starts }}"
            "{% if ends %} to {{ ends }}{% endif %} and will resume when it ends.\nThank you "
            "for your understanding.\n\nKind regards.",
        ),
    },
    # Internal notices to colleagues.
    "deadline_warning": {
        "vi": (
            "[{{ code }}] Sắp đến hạn: {{ clock_label }}",
            'Phiếu {{ code }} ({{ subject }}) sắp đến hạn "{{ clock_label }}" lúc {{ due }}.\n'
            "Người phụ trách: {{ assignee }}.",
        ),
        "en": (
            "[{{ code }}] Deadline approaching: {{ clock_label }}",
            'Complaint {{ code }} ({{ subject }}) is due "{{ clock_label }}" at {{ due }}.\n'
            "Assignee: {{ assignee }}.",
        ),
    },
    "deadline_breach": {
        "vi": (
            "[{{ code }}] Quá hạn: {{ clock_label }} — chuyển {{ level_label }}",
            'Phiếu {{ code }} ({{ subject }}) đã quá hạn "{{ clock_label }}" (hạn {{ due }}).\n'
            "Người phụ trách: {{ assignee }}. Phiếu được chuyển tới {{ level_label }} để xử lý.",
        ),
        "en": (
            "[{{ code }}] Overdue: {{ clock_label }} — escalated to {{ level_label }}",
            'Complaint {{ code }} ({{ subject }}) missed "{{ clock_label }}" (due {{ due }}).\n'
            "Assignee: {{ assignee }}. It has been escalated to {{ level_label }}.",
        ),
    },
}

CUSTOMER_NOTICES: Final[frozenset[str]] = frozenset(
    {"acknowledgement", "more_time", "result", "escalation", "survey", "force_majeure_delay"}
)
INTERNAL_NOTICES: Final[frozenset[str]] = frozenset(NOTICES) - CUSTOMER_NOTICES


def template_for(notice: str, language: str) -> tuple[str, str]:
    """(subject, body) template of a notice in a language, Vietnamese when not translated."""
    texts = NOTICES[notice]
    return texts.get(language[:2], texts["vi"])
