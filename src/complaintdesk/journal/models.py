"""The append-only, hash-chained journal: one chain per complaint, plus checkpoints.

See docs/decisions/0001-journal-hash-chain.md for why it is shaped this way.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JournalEntry(models.Model):
    chain = models.CharField(_("chuỗi"), max_length=40)  # "c:<complaint id>" or "sys:<name>"
    seq = models.PositiveIntegerField(_("số thứ tự"))
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("phiếu khiếu nại"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="journal",
        db_index=False,  # journal_complaint_idx (complaint, seq) serves it
    )
    at = models.DateTimeField(_("thời điểm"))
    # Wall clock when the row was written. Not hashed: it only tells a checkpoint which entries
    # have settled (see journal_checkpoint); ``at`` is the time of the change as the service saw it.
    recorded_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,  # journal_actor_idx (actor, at) serves it
    )
    actor_label = models.CharField(_("tên người thực hiện"), max_length=200)
    action = models.CharField(_("thao tác"), max_length=60)
    target = models.CharField(_("đối tượng"), max_length=80, blank=True)  # e.g. "task:12"
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)
    public = models.BooleanField(_("khách hàng xem được"), default=False)
    prev_hash = models.CharField(_("mã băm mục trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64)

    class Meta:
        verbose_name = _("mục nhật ký")
        verbose_name_plural = _("nhật ký")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="uniq_journal_chain_seq")
        ]
        indexes = [
            models.Index(fields=["complaint", "seq"], name="journal_complaint_idx"),
            models.Index(fields=["at"], name="journal_at_idx"),
            models.Index(fields=["actor", "at"], name="journal_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def payload(self) -> dict[str, object]:
        """What the entry's hash covers (everything but the id, the hashes and recorded_at)."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "complaint": self.complaint_id,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
            "public": self.public,
        }


class ChainHead(models.Model):
    """The last entry of each chain: appending locks only this row, never the whole journal."""

    chain = models.CharField(_("chuỗi"), max_length=40, primary_key=True)
    seq = models.PositiveIntegerField(_("số thứ tự cuối"))
    hash = models.CharField(_("mã băm cuối"), max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"


class Checkpoint(models.Model):
    """A periodic digest over every chain head, chained to the previous checkpoint."""

    created_at = models.DateTimeField(_("thời điểm tạo"))
    max_entry_id = models.BigIntegerField(_("mục nhật ký cuối được niêm phong"))
    chains = models.PositiveIntegerField(_("số chuỗi"))
    entries = models.PositiveBigIntegerField(_("số mục"))
    digest = models.CharField(_("mã tổng hợp"), max_length=64)
    prev_hash = models.CharField(_("mã băm điểm trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64)

    class Meta:
        verbose_name = _("điểm niêm phong nhật ký")
        verbose_name_plural = _("điểm niêm phong nhật ký")
        # One successor per checkpoint: two checkpoint runs racing cannot fork the chain.
        constraints = [models.UniqueConstraint(fields=["prev_hash"], name="uniq_checkpoint_prev")]

    def __str__(self) -> str:
        return f"#{self.pk} ≤ {self.max_entry_id}"

    def payload(self) -> dict[str, object]:
        return {
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "max_entry_id": self.max_entry_id,
            "chains": self.chains,
            "entries": self.entries,
            "digest": self.digest,
        }
