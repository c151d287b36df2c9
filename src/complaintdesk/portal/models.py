"""One-time codes that let a customer open the tracking page of one complaint.

Only a keyed hash of the code is stored; a code expires, counts failed attempts and locks.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessCode(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("phiếu"),
        on_delete=models.CASCADE,
        related_name="portal_codes",
    )
    code_hash = models.CharField(_("mã băm"), max_length=128)
    channel = models.CharField(_("kênh"), max_length=20)
    recipient = models.CharField(_("người nhận"), max_length=254)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập một lần")
        verbose_name_plural = _("mã truy cập một lần")
        indexes = [models.Index(fields=["complaint", "-created_at"], name="portal_code_cmp_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.recipient}"
