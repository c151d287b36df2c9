"""Force majeure events (sự kiện bất khả kháng): while one lasts, deadlines in its scope stop."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.force_majeure.domain.scope import ScopeKind


class Scope(models.TextChoices):
    ALL = ScopeKind.ALL.value, _("Toàn bộ")
    REGION = ScopeKind.REGION.value, _("Khu vực (tỉnh/thành)")
    SERVICE = ScopeKind.SERVICE.value, _("Dịch vụ")
    CHANNEL = ScopeKind.CHANNEL.value, _("Kênh tiếp nhận")
    CATEGORY = ScopeKind.CATEGORY.value, _("Danh mục")


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    ENDED = "ended", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


def evidence_path(instance: ForceMajeureEvent, filename: str) -> str:
    return f"force_majeure/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}"


class ForceMajeureEvent(models.Model):
    reason = models.CharField(_("lý do"), max_length=500)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)  # None = open-ended
    scope = models.CharField(_("phạm vi"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    scope_value = models.CharField(_("giá trị phạm vi"), max_length=200, blank=True)
    evidence_file = models.FileField(
        _("tệp bằng chứng"), upload_to=evidence_path, max_length=300, blank=True
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_url = models.URLField(_("liên kết bằng chứng"), max_length=500, blank=True)
    notify_customers = models.BooleanField(_("thông báo cho khách hàng"), default=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người công bố"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("công bố lúc"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Every change bumps ``version``; applying it to the clocks sets ``applied_version``. The
    # reconcile job finishes any application a crash interrupted.
    version = models.PositiveIntegerField(default=1)
    applied_version = models.PositiveIntegerField(default=0)
    applied_through = models.DateTimeField(null=True, blank=True)
    # Complaints up to this id have been looked at (new ones are told by the reconcile job).
    applied_complaint_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sự kiện bất khả kháng")
        verbose_name_plural = _("sự kiện bất khả kháng")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="fm_status_idx")]

    def __str__(self) -> str:
        return f"{self.reason} ({self.get_status_display()})"

    @property
    def source(self) -> str:
        """The ``ClockPause.source`` of the pauses this event causes."""
        return f"force_majeure:{self.pk}"

    @property
    def chain(self) -> str:
        return f"fm:{self.pk}"

    @property
    def pauses_clocks(self) -> bool:
        return self.status in (EventStatus.APPROVED, EventStatus.ENDED)
