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
    password = factory.django.Password("matkhau-123")


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
    board = DepartmentFactory(
        code="bgd", name="Ban Giám đốc", name_en="Board of directors", is_board=True
    )
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


# --- walking the lifecycle -------------------------------------------------------------------

# Preferred acting role for each row: a person at the desk first, then the others.
ROLE_PREFERENCE = ("receiver", "head", "admin", "leadership", "staff", "system", "customer")


def role_for(action: str, *, exclude: tuple[str, ...] = ()) -> str:
    """A role allowed to take ``action`` (desk roles first)."""
    from complaintdesk.complaints.domain.lifecycle import transition_for

    roles = {r.value for r in transition_for(action).roles}
    return next(r for r in ROLE_PREFERENCE if r in roles and r not in exclude)


def inputs_for(action: str) -> dict[str, Any]:
    """Valid values for every input of ``action`` (required and optional)."""
    from complaintdesk.complaints.domain.lifecycle import transition_for

    out: dict[str, Any] = {}
    for field in transition_for(action).inputs:
        if field.kind == "choice":
            out[field.name] = field.choices[-1]
        elif field.kind == "bool":
            out[field.name] = True
        else:
            out[field.name] = f"Nội dung {field.name} — kiểm thử"
    return out


def shortest_path(target: str) -> list[str]:
    """The actions leading from ``received`` to ``target`` in the fewest steps."""
    from collections import deque

    from complaintdesk.complaints.domain.lifecycle import TRANSITIONS, State

    start = State.RECEIVED
    paths: dict[State, list[str]] = {start: []}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for row in TRANSITIONS:
            if state not in row.sources:
                continue
            nxt = row.target_from(state)
            if nxt not in paths:
                paths[nxt] = [*paths[state], row.action.value]
                queue.append(nxt)
    return paths[State(target)]


def act(complaint: Any, action: str, org: Org, *, role: str | None = None, **kwargs: Any) -> Any:
    """Take ``action`` through the service as a user of ``role`` (or the system / the customer)."""
    from complaintdesk.complaints.services import complaint_transition

    role = role or role_for(action)
    actor = org.user(role) if role not in ("system", "customer") else None
    kwargs.setdefault("inputs", inputs_for(action))
    return complaint_transition(
        complaint=complaint,
        action=action,
        actor=actor,
        role=role if actor is None else None,
        **kwargs,
    )


def complaint_in_state(state: str, org: Org, **overrides: Any) -> Any:
    """A complaint brought to ``state`` by the shortest walk through the service."""
    complaint = ComplaintFactory.create(actor=org.receiver, **overrides)
    for action in shortest_path(state):
        complaint = act(complaint, action, org)
    assert complaint.status == state
    return complaint
