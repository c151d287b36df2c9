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
    # Shapes and types (translated from pydantic's error types by the JSON API).
    "unknown_field": ("Trường này không được chấp nhận.", "This field is not accepted."),
    "invalid_object": ("Cần một đối tượng JSON {{…}}.", "A JSON object {{…}} is expected."),
    "invalid_list": ("Cần một danh sách […].", "A list […] is expected."),
    "invalid_string": ("Cần một chuỗi ký tự.", "A text value is expected."),
    "invalid_int": ("Cần một số nguyên.", "A whole number is expected."),
    "invalid_bool": ("Cần giá trị true hoặc false.", "true or false is expected."),
    "invalid_datetime": (
        "Thời điểm không hợp lệ (ví dụ 2025-03-05T08:30:00+07:00).",
        "Invalid date and time (e.g. 2025-03-05T08:30:00+07:00).",
    ),
    "too_short": ("Quá ngắn (tối thiểu {min} ký tự).", "Too short (at least {min} characters)."),
    "too_many": ("Quá nhiều mục (tối đa {max}).", "Too many items (at most {max})."),
    "out_of_range": ("Giá trị ngoài khoảng cho phép.", "The value is out of range."),
    "invalid_cursor": ("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor."),
    "invalid_version": (
        "Phiên bản phải là một số nguyên dương.",
        "The version must be a positive whole number.",
    ),
    "invalid_json": (
        "Nội dung yêu cầu không phải JSON hợp lệ (UTF-8, không lồng quá sâu).",
        "The request body is not valid JSON (UTF-8, not nested too deeply).",
    ),
    "body_too_large": ("Nội dung yêu cầu quá lớn.", "The request body is too large."),
    "invalid_upload": (
        "Tệp tải lên bị lỗi hoặc không đầy đủ.",
        "The upload is broken or incomplete.",
    ),
    "invalid_input_value": (
        "Giá trị phải là chuỗi, số nguyên hoặc true/false.",
        "The value must be text, a whole number or true/false.",
    ),
}


def msg(code: str, **params: object) -> tuple[str, str]:
    vi, en = MESSAGES.get(code, MESSAGES["invalid"])
    return vi.format(**params), en.format(**params)
