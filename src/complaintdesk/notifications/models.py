"""The outbox: every notice to a customer or a colleague is a row here before it leaves.

A service writes the row in the transaction of the change that caused it (so a rolled-back
change sends nothing) and schedules delivery after commit. ``dedupe_key`` is unique, so the
same notice can never be queued twice, however often a job or a request is retried.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Gửi thất bại")


RETRYABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


class Outbox(models.Model):
    channel = models.CharField(_("kênh"), max_length=20)  # email, sms, zalo, facebook…
    recipient = models.CharField(_("người nhận"), max_length=254)
    notice = models.CharField(_("mẫu thông báo"), max_length=60)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    internal = models.BooleanField(_("thông báo nội bộ"), default=False)
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("phiếu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    dedupe_key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("lần gửi tới"))
    claimed_at = models.DateTimeField(null=True, blank=True)  # when the current attempt began
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo chờ gửi")
        verbose_name_plural = _("hộp thư đi")
        indexes = [
            # The retry job reads only rows still to be delivered: a partial index keeps it
            # small however many notices have been sent.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due_idx",
                condition=Q(status__in=["pending", "failed", "sending"]),
            ),
            models.Index(fields=["complaint", "created_at"], name="outbox_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.recipient} ({self.status})"


class NoticeTemplate(models.Model):
    """An administrator's wording of a notice in one language; overrides the built-in text.

    Variables (Django template syntax): ``{{ customer }}``, ``{{ code }}``, ``{{ deadline }}``,
    ``{{ result }}``, ``{{ agent }}``, ``{{ subject }}``, ``{{ org_name }}`` (and the built-in
    names ``customer_name``, ``due_date``, ``resolution``, ``assignee``, ``reason``…).
    """

    notice = models.CharField(_("mẫu thông báo"), max_length=60)
    language = models.CharField(
        _("ngôn ngữ"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")]
    )
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        constraints = [
            models.UniqueConstraint(fields=["notice", "language"], name="notice_template_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.notice} ({self.language})"
