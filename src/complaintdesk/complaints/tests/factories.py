"""factory-boy factories and a ready-made organisation for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from complaintdesk.accounts.models import Department, Role, User
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import complaint_create


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.LazyAttribute(lambda o: f"Phòng {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    role = Role.RECEIVER
    password = factory.PostGenerationMethodCall("set_password", "matkhau-123")


@dataclass
class Org:
    care: Department
    technical: Department
    billing: Department
    board: Department
    receiver: User
    staff: User
    head: User
    leadership: User
    admin: User

    def user(self, role: str) -> User:
        return getattr(self, role)


def make_org() -> Org:
    care = DepartmentFactory(code="cskh", name="Bộ phận CSKH", name_en="Customer care")
    technical = DepartmentFactory(code="ky-thuat", name="Phòng Kỹ thuật", name_en="Technical")
    billing = DepartmentFactory(code="ke-toan", name="Phòng Kế toán", name_en="Billing")
    board = DepartmentFactory(code="bgd", name="Ban Giám đốc", name_en="Board of directors", is_board=True)
    receiver = UserFactory(username="receiver", role=Role.RECEIVER, department=care)
    staff = UserFactory(username="staff", role=Role.STAFF, department=technical)
    head = UserFactory(username="head", role=Role.HEAD, department=technical)
    leadership = UserFactory(username="leadership", role=Role.LEADERSHIP, department=board)
    admin = UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    technical.head = head
    technical.save()
    for code, name, name_en in [
        ("account", "Tài khoản", "Account"),
        ("content", "Nội dung", "Content"),
        ("payment", "Thanh toán", "Payment"),
        ("technical", "Kỹ thuật", "Technical"),
        ("other", "Khác", "Other"),
    ]:
        Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    return Org(care, technical, billing, board, receiver, staff, head, leadership, admin)


class ComplaintFactory:
    """Creates complaints through the intake service, as every channel does."""

    counter = 0

    @classmethod
    def create(cls, *, actor: User | None = None, **overrides: Any):  # type: ignore[no-untyped-def]
        cls.counter += 1
        data: dict[str, Any] = {
            "channel": "hotline",
            "kind": "complaint",
            "customer": {"name": "Nguyễn Văn An", "phone": f"09{cls.counter:08d}"},
            "subject": "Đường truyền chập chờn",
            "description": "Xem phim bị giật, mất tiếng.",
        }
        data.update(overrides)
        return complaint_create(actor=actor, data=ComplaintIn.model_validate(data)).complaint
