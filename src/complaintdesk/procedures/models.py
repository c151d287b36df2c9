"""Procedures and their versions. A version is never changed once written: editing a procedure
publishes a new version, and a complaint keeps the version it started under."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.Model):
    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    current_version = models.PositiveIntegerField(_("phiên bản hiện hành"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quy trình")
        verbose_name_plural = _("quy trình")
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class VersionOrigin(models.TextChoices):
    PRESET = "preset", _("Mẫu có sẵn")
    ADMIN = "admin", _("Quản trị viên")
    API = "api", _("API")


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("phiên bản"))
    source = models.TextField(_("định nghĩa (YAML)"))
    definition = models.JSONField(_("định nghĩa đã chuẩn hóa"))
    checksum = models.CharField(max_length=64)
    origin = models.CharField(
        max_length=10, choices=VersionOrigin.choices, default=VersionOrigin.ADMIN
    )
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("phiên bản quy trình")
        verbose_name_plural = _("phiên bản quy trình")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="uniq_procedure_version")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.slug} v{self.version}"
