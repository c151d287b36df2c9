"""Field-level error messages in Vietnamese and English, by code."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Trường này là bắt buộc.", "This field is required."),
    "invalid_phone": ("Số điện thoại không hợp lệ.", "Invalid phone number."),
    "invalid_email": ("Địa chỉ email không hợp lệ.", "Invalid email address."),
    "invalid_choice": ("Giá trị không hợp lệ: {value}.", "Invalid value: {value}."),
    "future_received_at": (
        "Thời điểm tiếp nhận không được ở tương lai.",
        "The time of receipt cannot be in the future.",
    ),
    "too_old_received_at": (
        "Thời điểm tiếp nhận quá xa trong quá khứ.",
        "The time of receipt is too far in the past.",
    ),
    "naive_datetime": (
        "Thời điểm phải có múi giờ (ví dụ +07:00).",
        "The time must include a time zone (e.g. +07:00).",
    ),
    "customer_identity": (
        "Cần ít nhất một cách liên hệ khách hàng: điện thoại, email, Facebook, Zalo hoặc tài khoản.",
        "Give at least one way to reach the customer: phone, email, Facebook, Zalo or account.",
    ),
    "customer_name": ("Cần họ tên khách hàng.", "The customer's name is required."),
    "unknown_category": ("Danh mục không tồn tại.", "Unknown category."),
    "unknown_department": ("Phòng ban không tồn tại.", "Unknown department."),
    "unknown_user": ("Người dùng không tồn tại.", "Unknown user."),
    "unknown_procedure": ("Quy trình không tồn tại.", "Unknown procedure."),
    "idempotency_mismatch": (
        "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "This Idempotency-Key was already used for a different request.",
    ),
    "too_long": ("Quá dài (tối đa {max} ký tự).", "Too long (at most {max} characters)."),
    "invalid": ("Giá trị không hợp lệ.", "Invalid value."),
    "file_too_large": ("Tệp quá lớn (tối đa {max} MB).", "File too large (at most {max} MB)."),
    "file_type": (
        "Loại tệp không được chấp nhận ({type}). Chấp nhận: ảnh, video, PDF.",
        "File type not accepted ({type}). Accepted: pictures, videos, PDF.",
    ),
    "file_empty": ("Tệp rỗng.", "The file is empty."),
}


def msg(code: str, **params: object) -> tuple[str, str]:
    vi, en = MESSAGES.get(code, MESSAGES["invalid"])
    return vi.format(**params), en.format(**params)
