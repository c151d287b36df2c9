"""What the API itself keeps: the idempotency keys of creations outside the complaint record
(complaint intake keeps its own, ``complaints.IdempotencyKey``)."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """A creation request sent with ``Idempotency-Key``: a retry answers with ``object_id``.

    The row is inserted first, in the creating transaction, so a parallel request with the same
    key waits on the unique index (PostgreSQL) or the write lock (SQLite) and then replays.
    """

    scope = models.CharField(max_length=100)  # e.g. "force_majeure.declare:user:12"
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)  # empty only inside the creating transaction
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="uniq_api_idempotent_request")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
