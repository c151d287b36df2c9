"""What the intake keeps: every payload received (InboundRecord), the keys that thread follow-ups
onto a complaint (ComplaintThread) and each channel's credentials (ChannelConfig)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    OK = "ok", _("Đã tiếp nhận")
    DUPLICATE = "duplicate", _("Trùng tin đã có")
    IGNORED = "ignored", _("Bỏ qua (tự động trả lời, thư báo lỗi, vòng lặp)")
    MALFORMED = "malformed", _("Không đọc được")
    QUEUED = "queued", _("Chờ xử lý")  # a webhook event kept at the door, filed by a task


class InboundRecord(models.Model):
    """One payload from a provider, exactly once per (channel, provider message id).

    The raw payload is kept so that a malformed or ignored message can be inspected (and
    re-processed) later; ``deliveries`` counts how often the provider handed it to us.
    """

    channel = models.CharField(_("kênh"), max_length=16)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=10, choices=InboundStatus.choices)
    reason = models.TextField(_("lý do / ghi chú"), blank=True)
    sender = models.CharField(_("người gửi"), max_length=254, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    thread_key = models.CharField(max_length=255, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)  # space-separated Message-IDs
    raw = models.BinaryField(_("dữ liệu gốc"), blank=True, default=b"")
    raw_size = models.PositiveIntegerField(_("kích thước gốc (byte)"), default=0)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("phiếu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.ForeignKey(
        "complaints.Message",
        verbose_name=_("tin nhắn"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_complaint = models.BooleanField(_("đã mở phiếu mới"), default=False)
    received_at = models.DateTimeField(_("nhận lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    last_seen_at = models.DateTimeField(_("nhận lần cuối"))
    deliveries = models.PositiveIntegerField(_("số lần nhận"), default=1)

    class Meta:
        verbose_name = _("tin nhận vào")
        verbose_name_plural = _("tin nhận vào")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="uniq_inbound_provider_id"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-recorded_at"], name="inbound_status_idx"),
            models.Index(fields=["complaint", "-received_at"], name="inbound_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.provider_message_id} ({self.status})"


class ThreadKind(models.TextChoices):
    THREAD = "thread", _("Mã hội thoại")  # PSID, Zalo user id, chat session, call id
    MESSAGE_ID = "message_id", _("Message-ID")  # an email we received or sent


class ComplaintThread(models.Model):
    """A key that ties a follow-up to its complaint: the provider's conversation key, or the
    Message-ID of a mail received on or sent for the complaint (In-Reply-To / References)."""

    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=12, choices=ThreadKind.choices)
    value = models.CharField(max_length=255)
    direction = models.CharField(max_length=4, default="in")  # in | out
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("khóa hội thoại")
        verbose_name_plural = _("khóa hội thoại")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "value", "complaint"], name="uniq_thread_key"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "kind", "value"], name="thread_lookup_idx"),
            models.Index(
                fields=["complaint", "channel", "-created_at"], name="thread_complaint_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}:{self.value}"


class ChannelConfig(models.Model):
    """Credentials of one channel, editable in the admin. Seeded from environment variables
    (see ``intake.conf.CREDENTIAL_SETTINGS``); an empty value falls back to the setting."""

    channel = models.CharField(_("kênh"), max_length=16, unique=True)
    enabled = models.BooleanField(_("đang dùng"), default=True)
    credentials = models.JSONField(_("thông tin kết nối"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cấu hình kênh")
        verbose_name_plural = _("cấu hình kênh")
        ordering = ["channel"]

    def __str__(self) -> str:
        return self.channel


# The channel packages keep their own tables; importing them here registers them with the app.
from complaintdesk.intake.hotline.models import Call, CallbackTask, CallEvent  # noqa: E402
from complaintdesk.intake.webchat.models import ChatLine, ChatSession  # noqa: E402

__all__ = [
    "Call",
    "CallEvent",
    "CallbackTask",
    "ChannelConfig",
    "ChatLine",
    "ChatSession",
    "ComplaintThread",
    "InboundRecord",
    "InboundStatus",
    "ThreadKind",
]
