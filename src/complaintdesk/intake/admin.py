from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.core.errors import ServiceError
from complaintdesk.intake.conf import CREDENTIAL_SETTINGS, PUBLIC_KEYS, own_identity
from complaintdesk.intake.email.parse import parse_email
from complaintdesk.intake.models import ChannelConfig, ComplaintThread, InboundRecord, InboundStatus
from complaintdesk.intake.queue import PARSERS, parser_for
from complaintdesk.intake.services import intake_reprocess


class ChannelConfigForm(forms.ModelForm[ChannelConfig]):
    """One field per credential of the channel; a secret left blank keeps its stored value."""

    class Meta:
        model = ChannelConfig
        fields = ["channel", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.instance.channel or self.data.get("channel", "")
        stored = self.instance.credentials or {}
        for key in CREDENTIAL_SETTINGS.get(channel, {}):
            secret = key not in PUBLIC_KEYS
            self.fields[f"cred_{key}"] = forms.CharField(
                label=key,
                required=False,
                max_length=2000,
                initial="" if secret else stored.get(key, ""),
                widget=forms.PasswordInput(render_value=False) if secret else forms.TextInput(),
                help_text=_("Để trống để giữ giá trị đang lưu.")
                if secret and stored.get(key)
                else "",
            )

    def save(self, commit: bool = True) -> ChannelConfig:
        credentials = dict(self.instance.credentials or {})
        for name, value in self.cleaned_data.items():
            if name.startswith("cred_") and (value or name[5:] in PUBLIC_KEYS):
                credentials[name[5:]] = value
        self.instance.credentials = credentials
        saved: ChannelConfig = super().save(commit=commit)
        return saved


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin[ChannelConfig]):
    form = ChannelConfigForm
    list_display = ("channel", "enabled", "configured_keys", "updated_at")

    @admin.display(description=_("đã có"))
    def configured_keys(self, obj: ChannelConfig) -> str:
        return ", ".join(sorted(k for k, v in (obj.credentials or {}).items() if v)) or "—"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        keys = CREDENTIAL_SETTINGS.get(obj.channel if obj else "", {})
        return ["channel", "enabled", *(f"cred_{k}" for k in keys)]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # The credential fields are added by the form itself, per channel.
        kwargs["fields"] = ["channel", "enabled"]
        return super().get_form(request, obj, change=change, **kwargs)


@admin.register(InboundRecord)
class InboundRecordAdmin(admin.ModelAdmin[InboundRecord]):
    list_display = (
        "id",
        "channel",
        "status",
        "sender",
        "subject",
        "complaint",
        "deliveries",
        "received_at",
        "recorded_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("provider_message_id", "sender", "subject", "complaint__code")
    exclude = ("raw",)
    readonly_fields = [f.name for f in InboundRecord._meta.fields if f.name != "raw"] + ["raw_text"]
    raw_id_fields = ("complaint", "message")
    actions = ["reprocess"]

    @admin.display(description=_("dữ liệu gốc"))
    def raw_text(self, obj: InboundRecord) -> str:
        return bytes(obj.raw or b"")[:200_000].decode("utf-8", errors="replace")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Xử lý lại các thư lỗi đã chọn"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundRecord]) -> None:
        done = 0
        channels = ["email", *PARSERS]
        for record in queryset.filter(status=InboundStatus.MALFORMED, channel__in=channels):
            parser = parser_for(record.channel)
            outcome = (
                parser(bytes(record.raw), record.received_at)
                if parser is not None
                else parse_email(
                    bytes(record.raw), received_at=record.received_at, own=own_identity()
                )
            )
            try:
                intake_reprocess(record=record, outcome=outcome)
                done += 1
            except ServiceError as exc:
                self.message_user(request, exc.message_vi, messages.WARNING)
        self.message_user(request, _("Đã xử lý lại %(n)d thư.") % {"n": done}, messages.SUCCESS)


@admin.register(ComplaintThread)
class ComplaintThreadAdmin(admin.ModelAdmin[ComplaintThread]):
    list_display = ("complaint", "channel", "kind", "direction", "value", "created_at")
    list_filter = ("channel", "kind", "direction")
    search_fields = ("value", "complaint__code")
    raw_id_fields = ("complaint",)


# The channel packages' own tables (calls and callbacks, chat conversations).
from complaintdesk.intake.hotline import admin as _hotline_admin  # noqa: E402, F401
from complaintdesk.intake.webchat import admin as _webchat_admin  # noqa: E402, F401
