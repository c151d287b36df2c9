"""Calendars (with the government's decisions and each organisation's own days) and clocks.

See ``complaintdesk.sla.services`` for how they are used; the rows here hold no logic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarBase(models.TextChoices):
    VN_OFFICIAL = "vn-official", _("Lịch hành chính nhà nước (có hoán đổi ngày làm việc)")
    VN_LABOR_CODE = "vn-labor-code", _("Bộ luật Lao động (chỉ ngày lễ, không hoán đổi)")
    ALWAYS_OPEN = "24x7", _("24/7 (tổng đài)")


class Calendar(models.Model):
    """A working calendar: its base rules, weekly hours and switches; days are CalendarDay rows."""

    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    base = models.CharField(
        _("lịch gốc"), max_length=20, choices=CalendarBase.choices, default=CalendarBase.VN_OFFICIAL
    )
    timezone = models.CharField(_("múi giờ"), max_length=64, default="Asia/Ho_Chi_Minh")
    weekly = models.JSONField(
        _("giờ làm việc trong tuần"),
        default=dict,
        blank=True,
        help_text=_(
            'Ví dụ {"mon": ["08:00-12:00", "13:30-17:30"], "sat": ["08:00-12:00"]}; '
            "để trống = giờ hành chính mặc định (thứ Hai–thứ Sáu 08:00–12:00, 13:30–17:30)."
        ),
    )
    culture_day = models.BooleanField(
        _("nghỉ Ngày Văn hóa Việt Nam (24/11)"),
        default=True,
        help_text=_("Chưa được xác nhận là ngày nghỉ hưởng lương; tắt nếu tổ chức không nghỉ."),
    )
    is_default = models.BooleanField(_("lịch mặc định"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class CalendarDay(models.Model):
    """An organisation's own day off or extra working day on one calendar (wins over all)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("ngày"))
    working = models.BooleanField(_("là ngày làm việc"), default=False)
    name = models.CharField(_("tên / lý do"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    reference = models.CharField(_("văn bản"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ngày riêng của lịch")
        verbose_name_plural = _("ngày riêng của lịch")
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="uniq_calendar_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


class GovernmentDecision(models.Model):
    """A weekday off or a Saturday worked decided by the government (applies to vn-official).

    Seeded from ``sla.domain.vietnam.BUILTIN_DECISIONS``; an administrator adds or corrects
    decisions here without a release. Deactivate rather than delete a wrong decision.
    """

    day = models.DateField(_("ngày"), unique=True)
    working = models.BooleanField(_("là ngày làm bù"), default=False)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    reference = models.CharField(_("số văn bản"), max_length=200)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quyết định nghỉ / làm bù của Chính phủ")
        verbose_name_plural = _("quyết định nghỉ / làm bù của Chính phủ")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Đang chạy")
    PAUSED = "paused", _("Tạm dừng")
    MET = "met", _("Đúng hạn")
    BREACHED = "breached", _("Quá hạn")


class Clock(models.Model):
    """One run of one named clock on one complaint (see ``sla.services`` for the life of it).

    Indexes: the sweep rewrites ~10,000 rows at once (``sla.jobs``); each row update writes one
    entry in every index whose condition the new row meets, so the table has no index a query
    does not need. ``complaint``, ``name`` and ``calendar`` carry no index of their own
    (``db_index=False``): ``uniq_clock_run`` (complaint, name, run) serves "the clocks of a
    complaint" and "its clock named …". The calendar recomputation after an administrator edits
    a calendar reads the active clocks in a scan: nearly all of them use the default calendar,
    so an index of the column would select almost everything anyway, and cost a write on every
    clock insert and update.
    """

    # Indexed by uniq_clock_run's first column.
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    name = models.SlugField(max_length=60, db_index=False)
    run = models.PositiveSmallIntegerField(default=1)
    label = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200, blank=True)
    spec = models.JSONField()  # sla.domain.clocks.ClockSpec.to_dict() + the procedure's events
    calendar = models.SlugField(max_length=60, db_index=False)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    start_event = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)  # None while an open pause stops it
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)  # next level's instant
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_event = models.CharField(max_length=60, blank=True)
    explanation = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đồng hồ thời hạn")
        verbose_name_plural = _("đồng hồ thời hạn")
        ordering = ["complaint_id", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "name", "run"], name="uniq_clock_run"),
            models.UniqueConstraint(
                fields=["complaint", "name"],
                condition=Q(stopped_at__isnull=True),
                name="uniq_clock_active",
            ),
        ]
        indexes = [
            # The sweep: "due before now and not yet handled", read through partial indexes.
            models.Index(
                fields=["due_at"], name="clock_due_running_idx", condition=Q(state="running")
            ),
            models.Index(
                fields=["warn_at"],
                name="clock_warn_idx",
                condition=Q(state="running", warned_at__isnull=True, warn_at__isnull=False),
            ),
            models.Index(
                fields=["escalate_at"],
                name="clock_escalate_idx",
                condition=Q(escalate_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.run} ({self.state})"

    @property
    def active(self) -> bool:
        return self.stopped_at is None


class ClockPause(models.Model):
    """A span during which a clock does not run (force majeure, waiting for the customer…).

    ``end`` is None while the pause lasts with no known end; ``source`` names what caused it
    (e.g. ``force_majeure:12``) so the same cause can end all its pauses at once.
    """

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    reason = models.SlugField(max_length=40)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tạm dừng đồng hồ")
        verbose_name_plural = _("tạm dừng đồng hồ")
        ordering = ["clock_id", "start", "id"]
        indexes = [
            models.Index(fields=["clock", "start"], name="clockpause_clock_idx"),
            models.Index(fields=["source"], name="clockpause_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.start:%d/%m/%Y %H:%M}–{self.end or '…'}"
