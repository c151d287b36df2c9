"""The search index: one folded document per complaint.

The columns hold the folded copy made by ``search.domain.text.joined`` (tokens separated by
spaces). The database-specific index over them is created by the migrations
(``search.dbsql``): an FTS5 table kept in step by triggers on SQLite, a weighted ``tsvector``
column with a GIN index on PostgreSQL.

The document also carries a copy of the complaint's list-filter columns (status, channel, kind,
category, department, assignee, customer, received_at), kept current by the same hook on every
complaint change, so a filtered search is answered from this one table (on PostgreSQL by one
GIN index over the words and the filter columns, ``search.dbsql.PG_INDEX``) instead of joining
the words in this table with a restriction read from the complaints table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("phiếu khiếu nại"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Weighted by importance when ranking: identifiers first, then names and subject, then text.
    ids = models.TextField(_("mã, điện thoại, email, tài khoản"), blank=True)
    names = models.TextField(_("tên khách hàng"), blank=True)
    subject = models.TextField(_("tiêu đề"), blank=True)
    body = models.TextField(_("nội dung và trao đổi"), blank=True)
    indexed_at = models.DateTimeField(_("thời điểm lập chỉ mục"))
    # Copies of the complaint's filter columns (plain values, no foreign keys: the complaint
    # owns them; see search.services.FILTER_COLUMNS). Null on a row not yet refreshed.
    status = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    channel = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    kind = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    category_id = models.BigIntegerField(null=True, blank=True)
    department_id = models.BigIntegerField(null=True, blank=True)
    assignee_id = models.BigIntegerField(null=True, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ mục tìm kiếm")
        verbose_name_plural = _("chỉ mục tìm kiếm")

    def __str__(self) -> str:
        return f"search:{self.complaint_id}"
