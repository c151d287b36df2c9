"""What the reports keep: the customer base, monthly deliveries and journal verifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerBase(models.Model):
    """How many customers the organisation serves from a date on (for complaints per 100
    customers). The figure in force for a quarter is the latest one starting on or before the
    quarter's first day."""

    period_start = models.DateField(_("áp dụng từ ngày"), unique=True)
    size = models.PositiveIntegerField(_("số khách hàng"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("quy mô khách hàng")
        verbose_name_plural = _("quy mô khách hàng")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.period_start:%d/%m/%Y}: {self.size:,}".replace(",", ".")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")


class ReportDelivery(models.Model):
    """One monthly report to one recipient: unique per (month, address), so a job run twice
    (or by two workers) never sends the same month twice."""

    period_start = models.DateField(_("tháng báo cáo"))
    recipient = models.EmailField(_("người nhận"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("gửi báo cáo tháng")
        verbose_name_plural = _("gửi báo cáo tháng")
        ordering = ["-period_start", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "recipient"], name="uniq_report_delivery"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%m/%Y} → {self.recipient}"


class JournalVerification(models.Model):
    """The result of one run of ``journal.selectors.journal_verify`` (slow at scale: a job runs
    it and the journal page shows the latest result)."""

    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"))
    ok = models.BooleanField(_("toàn vẹn"))
    chains = models.PositiveIntegerField(_("số chuỗi"), default=0)
    entries = models.PositiveBigIntegerField(_("số mục"), default=0)
    checkpoints = models.PositiveIntegerField(_("số điểm niêm phong"), default=0)
    problems = models.JSONField(_("vấn đề phát hiện"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("kiểm tra toàn vẹn nhật ký")
        verbose_name_plural = _("kiểm tra toàn vẹn nhật ký")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M} {'OK' if self.ok else 'FAILED'}"
