"""Web chat: a conversation (session) and its lines, both ways, as the widget shows them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ChatSession(models.Model):
    """One visitor's conversation. Its ``session_id`` is the thread key of the complaint it opens;
    the browser holds it in a signed token (``webchat.tokens``)."""

    session_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("họ tên"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    language = models.CharField(max_length=8, default="vi")
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phiên chat")
        verbose_name_plural = _("phiên chat")

    def __str__(self) -> str:
        return self.session_id


class ChatDirection(models.TextChoices):
    INBOUND = "in", _("Khách gửi")
    OUTBOUND = "out", _("Gửi khách")


class ChatLine(models.Model):
    """A line of the conversation. The widget's event stream sends every line after the last one
    it saw; ``client_id`` makes a retried send (customer) or delivery (agent) a no-op."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="lines")
    direction = models.CharField(max_length=3, choices=ChatDirection.choices)
    text = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tin chat")
        verbose_name_plural = _("tin chat")
        indexes = [models.Index(fields=["session", "id"], name="chatline_session_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "direction", "client_id"],
                condition=~Q(client_id=""),
                name="uniq_chatline_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.direction}:{self.pk}"
