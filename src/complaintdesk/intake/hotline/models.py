"""What the call centre tells us: calls, their events, and the callbacks owed for missed calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CallState(models.TextChoices):
    RINGING = "ringing", _("Đang đổ chuông")
    ANSWERED = "answered", _("Đang nghe")
    ENDED = "ended", _("Đã kết thúc")
    MISSED = "missed", _("Gọi nhỡ")


LIVE_STATES = (CallState.RINGING, CallState.ANSWERED)


class Call(models.Model):
    """One call, as the call centre reported it (one row per ``call_id``)."""

    call_id = models.CharField(_("mã cuộc gọi"), max_length=100, unique=True)
    caller = models.CharField(_("số gọi đến"), max_length=40)  # E.164 when it parses, else as sent
    hotline = models.CharField(_("số tổng đài"), max_length=40, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=CallState.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("điện thoại viên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent_username = models.CharField(max_length=150, blank=True)
    recording_url = models.URLField(_("ghi âm"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("bắt đầu"))
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("phiếu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cuộc gọi")
        verbose_name_plural = _("cuộc gọi")
        indexes = [
            # The agent's pop-up polls "my live calls": a small partial index.
            models.Index(
                fields=["agent", "-started_at"],
                name="call_live_agent_idx",
                condition=Q(state__in=["ringing", "answered"]),
            ),
            models.Index(fields=["caller", "-started_at"], name="call_caller_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} ({self.state})"


class CallEvent(models.Model):
    """One event of a call, exactly once: a redelivered event finds its row and changes nothing."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("sự kiện"), max_length=10, choices=CallState.choices)
    occurred_at = models.DateTimeField(_("lúc"))
    received_at = models.DateTimeField(_("nhận lúc"))
    raw = models.BinaryField(_("dữ liệu gốc"), default=b"")
    deliveries = models.PositiveIntegerField(_("số lần nhận"), default=1)

    class Meta:
        verbose_name = _("sự kiện cuộc gọi")
        verbose_name_plural = _("sự kiện cuộc gọi")
        constraints = [
            models.UniqueConstraint(fields=["call", "event"], name="uniq_call_event"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.event}"


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Cần gọi lại")
    DONE = "done", _("Đã gọi lại")


class CallbackTask(models.Model):
    """The missed calls of one number on one local day, folded into one task to call back."""

    phone = models.CharField(_("số điện thoại"), max_length=40)
    day = models.DateField(_("ngày"))  # Asia/Ho_Chi_Minh
    missed_count = models.PositiveIntegerField(_("số cuộc gọi nhỡ"), default=0)
    first_missed_at = models.DateTimeField(_("gọi nhỡ lần đầu"))
    last_missed_at = models.DateTimeField(_("gọi nhỡ lần cuối"))
    last_call = models.ForeignKey(Call, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("việc gọi lại")
        verbose_name_plural = _("việc gọi lại")
        constraints = [
            models.UniqueConstraint(fields=["phone", "day"], name="uniq_callback_phone_day"),
        ]
        indexes = [
            models.Index(
                fields=["day", "-last_missed_at"],
                name="callback_open_idx",
                condition=Q(status="open"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.day:%d/%m/%Y} ×{self.missed_count}"
