"""What the agent workspace keeps of its own: each user's saved list filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named set of complaint-list filters (the list page's query string), per user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("tên bộ lọc"), max_length=80)
    query = models.CharField(_("điều kiện lọc"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ lọc đã lưu")
        verbose_name_plural = _("bộ lọc đã lưu")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_filter_name")
        ]

    def __str__(self) -> str:
        return self.name
