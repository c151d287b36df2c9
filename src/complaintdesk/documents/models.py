"""The outgoing-document register: reply letters (công văn) numbered per year without gaps.

``LetterCounter`` holds the last number issued in a year; it is locked and advanced only in
the transaction that issues a letter, so a number is consumed exactly when a letter exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_BODY = (
    "Ngày {{ received_date }}, {{ org_name }} nhận được khiếu nại của {{ customer_name }} "
    "về việc: {{ subject }} (mã phiếu {{ code }}).\n"
    "Sau khi xem xét nội dung khiếu nại và kiểm tra thông tin liên quan, {{ org_name }} "
    "trả lời như sau:\n{{ resolution }}\n"
    "{{ org_name }} trân trọng cảm ơn Quý khách đã tin dùng dịch vụ và mong tiếp tục nhận "
    "được ý kiến đóng góp của Quý khách."
)


class LetterTemplate(models.Model):
    """Editable wording of a reply letter (variables: code, customer_name, subject, resolution,
    received_date, org_name, agent)."""

    slug = models.SlugField(_("mã mẫu"), unique=True, default="reply")
    active = models.BooleanField(_("đang dùng"), default=True)
    summary = models.CharField(
        _("trích yếu (V/v)"), max_length=200, default="V/v trả lời khiếu nại {{ code }}"
    )
    body = models.TextField(_("nội dung"), default=DEFAULT_BODY)
    place = models.CharField(_("địa danh"), max_length=80, default="Quy Nhơn")
    issuer_abbr = models.CharField(_("viết tắt loại văn bản"), max_length=20, default="TNKN")
    unit_abbr = models.CharField(_("viết tắt đơn vị soạn thảo"), max_length=20, default="CSKH")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, default="Giám đốc")
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    recipients = models.TextField(_("nơi nhận (mỗi dòng một nơi)"), default="Như trên")
    archive = models.CharField(_("lưu"), max_length=80, default="VT, CSKH")

    class Meta:
        verbose_name = _("mẫu công văn")
        verbose_name_plural = _("mẫu công văn")

    def __str__(self) -> str:
        return self.slug


class LetterCounter(models.Model):
    year = models.PositiveIntegerField(_("năm"), unique=True)
    last_number = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)

    class Meta:
        verbose_name = _("bộ đếm số công văn")
        verbose_name_plural = _("bộ đếm số công văn")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class ReplyLetter(models.Model):
    """One issued letter; its wording is frozen when issued (the PDF is rendered from it)."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("phiếu"),
        on_delete=models.PROTECT,
        related_name="reply_letter",
    )
    year = models.PositiveIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    reference = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_at = models.DateTimeField(_("ngày ban hành"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.CharField(_("cơ quan ban hành"), max_length=200)
    place = models.CharField(_("địa danh"), max_length=80)
    summary = models.CharField(_("trích yếu"), max_length=300)
    addressee = models.CharField(_("kính gửi"), max_length=300)
    body = models.TextField(_("nội dung"))
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120)
    recipients = models.JSONField(_("nơi nhận"), default=list)

    class Meta:
        verbose_name = _("công văn trả lời")
        verbose_name_plural = _("sổ công văn đi")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="letter_year_number_uniq")
        ]
        ordering = ["-year", "-number"]

    def __str__(self) -> str:
        return self.reference
