"""The demo organisation: departments with their heads, the category tree and one user per role.

Idempotent: everything is looked up by its code or username and created only when missing, so
running it again changes nothing (except passwords, when one is given explicitly).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from complaintdesk.accounts.models import Department, Role, User
from complaintdesk.complaints.models import Category
from complaintdesk.procedures.services import procedure_resolve

DEMO_PASSWORD = "demo12345"  # printed by scripts/up; set only in DEBUG or on request

# code, Vietnamese name, English name, is_board
DEPARTMENTS = (
    ("cskh", "Bộ phận CSKH", "Customer care", False),
    ("ky-thuat", "Phòng Kỹ thuật", "Technical", False),
    ("ke-toan", "Phòng Kế toán", "Billing", False),
    ("bgd", "Ban Giám đốc", "Board of directors", True),
)

# username, role, department, first name, last name, heads this department
USERS = (
    ("tiepnhan", Role.RECEIVER, "cskh", "Lan", "Nguyễn Thị", ""),
    ("kythuat", Role.STAFF, "ky-thuat", "Hùng", "Trần Văn", ""),
    ("truongphong", Role.HEAD, "ky-thuat", "Minh", "Lê Quốc", "ky-thuat"),
    ("giamdoc", Role.LEADERSHIP, "bgd", "Sơn", "Phạm Hoàng", "bgd"),
    ("quantri", Role.ADMIN, "", "Quản trị", "", ""),
    # Heads of the other departments, so every department has one.
    ("truongcskh", Role.HEAD, "cskh", "Hương", "Võ Thị", "cskh"),
    ("ketoan", Role.HEAD, "ke-toan", "Dung", "Đặng Ngọc", "ke-toan"),
)
ROLE_LOGINS = ("tiepnhan", "kythuat", "truongphong", "giamdoc", "quantri")

# code, parent code, Vietnamese name, English name, default department, procedure
CATEGORIES = (
    ("account", "", "Tài khoản", "Account", "cskh", ""),
    (
        "account-locked",
        "account",
        "Đăng nhập, khóa tài khoản",
        "Sign-in, locked account",
        "cskh",
        "",
    ),
    ("account-change", "account", "Thay đổi thông tin tài khoản", "Account details", "cskh", ""),
    ("content", "", "Nội dung", "Content", "ky-thuat", ""),
    (
        "content-playback",
        "content",
        "Lỗi phát video, âm thanh",
        "Playback and sound",
        "ky-thuat",
        "",
    ),
    ("content-subtitle", "content", "Phụ đề, thuyết minh", "Subtitles and dubbing", "ky-thuat", ""),
    ("content-missing", "content", "Thiếu hoặc mất nội dung", "Missing content", "cskh", ""),
    ("payment", "", "Thanh toán", "Payment", "ke-toan", ""),
    ("payment-wrong-charge", "payment", "Trừ tiền sai", "Wrong charge", "ke-toan", ""),
    ("payment-renewal", "payment", "Gia hạn gói cước", "Renewal", "ke-toan", ""),
    ("payment-refund", "payment", "Hoàn tiền", "Refund", "ke-toan", ""),
    ("technical", "", "Kỹ thuật", "Technical", "ky-thuat", "qcatv"),
    (
        "technical-signal",
        "technical",
        "Mất tín hiệu truyền hình cáp",
        "Cable signal lost",
        "ky-thuat",
        "qcatv",
    ),
    (
        "technical-internet",
        "technical",
        "Internet chậm, chập chờn",
        "Slow or unstable internet",
        "ky-thuat",
        "qcatv",
    ),
    (
        "technical-device",
        "technical",
        "Thiết bị đầu thu, modem",
        "Set-top box and modem",
        "ky-thuat",
        "qcatv",
    ),
    ("other", "", "Khác", "Other", "cskh", ""),
    ("other-staff", "other", "Thái độ, lịch hẹn nhân viên", "Staff and appointments", "cskh", ""),
    ("other-suggestion", "other", "Góp ý dịch vụ", "Suggestions", "cskh", ""),
)


@dataclass
class DemoOrg:
    departments: dict[str, Department]
    users: dict[str, User]
    categories: dict[str, Category]
    created_users: list[str]


def _known_procedure(slug: str) -> str:
    """The slug if the procedures app knows it, else blank (the organisation default applies)."""
    if not slug:
        return ""
    try:
        procedure_resolve(requested=slug, channel="hotline", category_procedure="")
    except LookupError:
        return ""
    return slug


@transaction.atomic
def demo_org_ensure(*, password: str | None, reset_password: bool = False) -> DemoOrg:
    """Create what is missing. With ``password``, set it on new demo users and on those whose
    password is unusable (or on every demo user with ``reset_password``). Without it, new users
    get an unusable password: nobody can sign in with a guessable demo password by accident."""
    departments: dict[str, Department] = {}
    for code, name, name_en, is_board in DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_board": is_board}
        )
    users: dict[str, User] = {}
    created_users: list[str] = []
    hashed = make_password(password) if password else None  # hashing is slow on purpose: once
    for username, role, dept, first, last, heads in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "department": departments.get(dept),
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.complaintdesk.vn",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            created_users.append(username)
            user.set_unusable_password()
        if hashed and (created or reset_password or not user.has_usable_password()):
            user.password = hashed
        if created or hashed:
            user.save()
        users[username] = user
        if heads and departments[heads].head_id is None:
            departments[heads].head = user
            departments[heads].save(update_fields=["head"])
    categories: dict[str, Category] = {}
    for code, parent, name, name_en, dept, procedure in CATEGORIES:
        categories[code], _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "parent": categories.get(parent),
                "default_department": departments[dept],
                "procedure": _known_procedure(procedure),
            },
        )
    return DemoOrg(departments, users, categories, created_users)
