"""The append-only, hash-chained journal: one chain per complaint, plus checkpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalEntry(models.Model):
    chain = models.CharField(max_length=40)  # "c:<complaint id>" or "sys:<name>"
    seq = models.PositiveIntegerField()
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="journal",
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=80, blank=True)  # e.g. "task:12"
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False)  # shown on the customer's tracking page
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("mục nhật ký")
        verbose_name_plural = _("nhật ký")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="uniq_journal_chain_seq")]
        indexes = [
            models.Index(fields=["complaint", "seq"], name="journal_complaint_idx"),
            models.Index(fields=["at"], name="journal_at_idx"),
            models.Index(fields=["actor", "at"], name="journal_actor_idx"),
        ]

    def payload(self) -> dict[str, object]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "complaint": self.complaint_id,
            "at": self.at.isoformat(timespec="microseconds"),
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

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)


class Checkpoint(models.Model):
    """A periodic digest over every chain head, chained to the previous checkpoint."""

    created_at = models.DateTimeField()
    max_entry_id = models.BigIntegerField()
    chains = models.PositiveIntegerField()
    entries = models.PositiveBigIntegerField()
    digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
