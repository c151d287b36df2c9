"""Users, their role, departments and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEIVER = "receiver", _("Người tiếp nhận")
    STAFF = "staff", _("Nhân viên phòng ban")
    HEAD = "head", _("Lãnh đạo phòng ban")
    LEADERSHIP = "leadership", _("Ban giám đốc")
    ADMIN = "admin", _("Quản trị viên")


class Department(models.Model):
    """A department and its head: customer care, technical, billing, the board… (data, editable)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("trưởng phòng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    email = models.EmailField(_("email"), blank=True)
    is_board = models.BooleanField(_("là ban giám đốc"), default=False)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phòng ban")
        verbose_name_plural = _("phòng ban")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(
        _("vai trò"), max_length=20, choices=Role.choices, default=Role.RECEIVER
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("phòng ban"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    digest = models.CharField(_("mã băm"), max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=12)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("lần dùng cuối"), null=True, blank=True)
    revoked = models.BooleanField(_("đã thu hồi"), default=False)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.name or self.user_id} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
