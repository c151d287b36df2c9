"""The complaint record (phiếu tiếp nhận) and what hangs on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.domain.lifecycle import OPEN_STATES, State


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Khiếu nại")
    REQUEST = "request", _("Yêu cầu")
    FEEDBACK = "feedback", _("Phản ánh")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Tổng đài")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    FACEBOOK = "facebook", _("Facebook")
    ZALO = "zalo", _("Zalo")
    COUNTER = "counter", _("Tại quầy")
    LETTER = "letter", _("Văn bản")
    WEB = "web", _("Biểu mẫu web")
    API = "api", _("API")


class Priority(models.TextChoices):
    LOW = "low", _("Thấp")
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Cao")
    URGENT = "urgent", _("Khẩn")


STATUS_CHOICES = [
    (State.RECEIVED.value, _("Mới tiếp nhận")),
    (State.ACKNOWLEDGED.value, _("Đã báo tiếp nhận")),
    (State.VERIFYING.value, _("Đang xác minh")),
    (State.ANSWER_LATER.value, _("Trả lời sau")),
    (State.COORDINATING.value, _("Đang phối hợp xử lý")),
    (State.RESOLVED.value, _("Đã có kết quả")),
    (State.RESULT_NOTIFIED.value, _("Đã báo kết quả")),
    (State.UNSATISFIED.value, _("Khách chưa hài lòng")),
    (State.ESCALATED.value, _("Đã chuyển cấp trên")),
    (State.CLOSED.value, _("Đã đóng")),
    (State.WITHDRAWN.value, _("Đã rút")),
]
OPEN_STATUS_VALUES = sorted(s.value for s in OPEN_STATES)


class Customer(models.Model):
    name = models.CharField(_("họ tên"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    preferred_channel = models.CharField(
        _("kênh liên hệ ưu tiên"), max_length=20, choices=Channel.choices, blank=True
    )
    vulnerable = models.BooleanField(_("người tiêu dùng dễ bị tổn thương"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khách hàng")
        verbose_name_plural = _("khách hàng")

    def __str__(self) -> str:
        return self.name

    def identities_of(self, kind: str) -> list[str]:
        return [i.value for i in self.identity_list() if i.kind == kind]

    def identity_list(self) -> list[CustomerIdentity]:
        """The customer's identities: those it was just created with when the intake that
        created it says so (no query), else read (or taken from ``prefetch_related``)."""
        known: list[CustomerIdentity] | None = getattr(self, "_created_identities", None)
        if known is not None:
            return known
        return list(self.identities.all())


class IdentityKind(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    EMAIL = "email", _("Email")
    FACEBOOK = "facebook", _("Facebook")
    ZALO = "zalo", _("Zalo")
    ACCOUNT = "account", _("Tài khoản dịch vụ")


class CustomerIdentity(models.Model):
    """One way to recognise a customer: a normalised phone (E.164), email, Facebook/Zalo id or
    service account id. (kind, value) is unique, so the next contact finds the same customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("khách hàng"), on_delete=models.CASCADE, related_name="identities"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=IdentityKind.choices)
    value = models.CharField(_("giá trị"), max_length=254)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("định danh khách hàng")
        verbose_name_plural = _("định danh khách hàng")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="uniq_customer_identity")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Category(models.Model):
    """An editable tree: account, content, payment, technical, other…"""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("danh mục cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("phòng ban mặc định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    procedure = models.SlugField(_("quy trình áp dụng"), max_length=60, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("danh mục")
        verbose_name_plural = _("danh mục")
        ordering = ["parent_id", "name"]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class CodeCounter(models.Model):
    """Per-year complaint numbering on SQLite (PostgreSQL uses one sequence per year)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Complaint(models.Model):
    code = models.CharField(_("mã phiếu"), max_length=32, unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=STATUS_CHOICES, default=State.RECEIVED.value
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    # Set by the intake service to its ``now`` (who recorded it when; received_at may be earlier).
    recorded_at = models.DateTimeField(_("thời điểm ghi nhận"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The foreign keys below are indexed by the Meta indexes that start with them
    # (cmp_customer_idx, cmp_category_idx, cmp_dept_idx, cmp_assignee_idx): a second index of
    # the column alone would only slow every intake down.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("khách hàng"),
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,
    )
    subject = models.CharField(_("tiêu đề"), max_length=300)
    description = models.TextField(_("nội dung"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("danh mục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    priority = models.CharField(
        _("mức ưu tiên"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    vulnerable = models.BooleanField(_("người tiêu dùng dễ bị tổn thương"), default=False)
    language = models.CharField(_("ngôn ngữ của khách"), max_length=8, default="vi")
    # The seed's three blocks, validated by complaints.schemas on the way in.
    account_info = models.JSONField(_("thông tin tài khoản"), default=dict, blank=True)
    content_info = models.JSONField(_("thông tin nội dung"), default=dict, blank=True)
    payment_info = models.JSONField(_("thông tin thanh toán"), default=dict, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("phòng ban phụ trách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phụ trách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
        db_index=False,
    )
    procedure = models.SlugField(_("quy trình"), max_length=60, db_index=False)  # never queried
    procedure_version = models.PositiveIntegerField(_("phiên bản quy trình"), default=1)
    # What the procedure's steps recorded.
    classification = models.CharField(max_length=16, blank=True)  # answer_now / answer_later
    verification = models.JSONField(default=dict, blank=True)  # checked, scope, cause_analysis
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    satisfaction = models.CharField(max_length=16, blank=True)  # satisfied / unsatisfied
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 1 heads, 2 leadership
    negotiation_requested_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Nearest running deadline across the complaint's clocks (denormalised for list ordering).
    next_due_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phiếu khiếu nại")
        verbose_name_plural = _("phiếu khiếu nại")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="cmp_received_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="cmp_status_recv_idx"),
            models.Index(fields=["channel", "-received_at", "-id"], name="cmp_channel_recv_idx"),
            models.Index(fields=["customer", "-received_at"], name="cmp_customer_idx"),
            models.Index(fields=["department", "-received_at", "-id"], name="cmp_dept_idx"),
            models.Index(fields=["assignee", "-received_at", "-id"], name="cmp_assignee_idx"),
            models.Index(fields=["category", "-received_at", "-id"], name="cmp_category_idx"),
            # Escalated complaints (department heads' scope, leadership), newest first.
            models.Index(
                fields=["-received_at", "-id"],
                name="cmp_escalated_idx",
                condition=Q(escalation_level__gt=0),
            ),
            # "Closed in the period" (daily report journal, reports): only closed rows.
            models.Index(
                fields=["closed_at"],
                name="cmp_closed_at_idx",
                condition=Q(closed_at__isnull=False),
            ),
            models.Index(
                fields=["next_due_at", "id"],
                name="cmp_next_due_open_idx",
                condition=Q(next_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self) -> State:
        return State(self.status)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Đang chờ")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


class Task(models.Model):
    """An internal task to a department while coordinating (phối hợp xử lý)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("phòng ban"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    title = models.CharField(_("việc cần làm"), max_length=300)
    instructions = models.TextField(_("hướng dẫn"), blank=True)
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.TextField(_("kết quả"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="task_dept_status_idx"),
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Ghi chú nội bộ")
    PUBLIC = "public", _("Trao đổi với khách")


class Direction(models.TextChoices):
    INBOUND = "in", _("Khách gửi")
    OUTBOUND = "out", _("Gửi khách")
    NOTE = "note", _("Ghi chú")


class Message(models.Model):
    """A message with the customer (in or out) or an internal note; kept apart by visibility."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="msg_complaint_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="uniq_message_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction}:{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.complaint_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "sha256"], name="uniq_attachment_per_complaint"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class IdempotencyKey(models.Model):
    """Remembers a creation request so a retry answers with the first result."""

    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100)  # e.g. "user:12"
    request_hash = models.CharField(max_length=64)
    # Empty only inside the creating transaction: the key is claimed before the complaint exists.
    complaint = models.ForeignKey(Complaint, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
