"""Forms of the agent workspace (rendering and parsing only; services decide and write)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Department, User
from complaintdesk.complaints.domain.lifecycle import CHOICE_LABELS, Transition
from complaintdesk.complaints.models import Category, Channel, Kind, Priority, TaskStatus
from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.core.formvalues import SUBMIT_KEY_PATTERN
from complaintdesk.core.memo import TtlMemo
from complaintdesk.web.formatting import lang_index

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
LONG_INPUTS = {
    "explanation",
    "instructions",
    "resolution",
    "message",
    "reason",
    "cause_analysis",
    "comment",
    "note",
    "checked",
    "scope",
}
INTAKE_CHANNELS = ("hotline", "counter", "letter", "email", "chat", "facebook", "zalo", "web")


class Form(forms.Form):
    """Labels without Django's trailing colon (screen readers read the label as written)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LocalDateTimeField(forms.CharField):
    """dd/mm/yyyy hh:mm typed in Asia/Ho_Chi_Minh; returns an aware datetime."""

    default_error_messages = {"invalid": _("Nhập ngày giờ dạng dd/mm/yyyy hh:mm.")}

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        for fmt in DATETIME_FORMATS:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class AmountField(forms.CharField):
    """A VND amount typed as '120.000', '120000' or '120.000 ₫'."""

    default_error_messages = {"invalid": _("Nhập số tiền bằng chữ số, ví dụ 120.000.")}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = re.sub(r"[\s.,₫đ]|VND|vnd", "", str(value or ""))
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 11:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (drag and drop several scans at once)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf,video/*,audio/*"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _channel_choices() -> list[tuple[str, Any]]:
    labels = dict(Channel.choices)
    return [(c, labels[c]) for c in INTAKE_CHANNELS]


class IntakeForm(Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label=_("Kênh tiếp nhận"), choices=_channel_choices)
    kind = forms.ChoiceField(label=_("Loại"), choices=Kind.choices, initial=Kind.COMPLAINT)
    received_at = LocalDateTimeField(
        label=_("Thời điểm tiếp nhận"),
        required=False,
        help_text=_("dd/mm/yyyy hh:mm — để trống nếu là ngay bây giờ (thư: ngày nhận thư)."),
    )
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=40)
    name = forms.CharField(label=_("Họ tên khách hàng"), required=False, max_length=200)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    account_id = forms.CharField(label=_("Mã tài khoản dịch vụ"), required=False, max_length=100)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=500)
    vulnerable = forms.BooleanField(label=_("Người tiêu dùng dễ bị tổn thương"), required=False)
    subject = forms.CharField(label=_("Tiêu đề"), max_length=300)
    description = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    category = forms.ChoiceField(label=_("Danh mục"), required=False)
    priority = forms.ChoiceField(
        label=_("Mức ưu tiên"), choices=Priority.choices, initial=Priority.NORMAL
    )
    # Account block
    account_name = forms.CharField(label=_("Tên tài khoản"), required=False, max_length=200)
    registered_phone = forms.CharField(label=_("SĐT đăng ký"), required=False, max_length=40)
    registered_email = forms.CharField(label=_("Email đăng ký"), required=False, max_length=254)
    facebook_account = forms.CharField(
        label=_("Tài khoản Facebook liên kết"), required=False, max_length=200
    )
    # Content block
    content_title = forms.CharField(
        label=_("Tên phim / chương trình"), required=False, max_length=200
    )
    episode = forms.CharField(label=_("Tập"), required=False, max_length=50)
    device = forms.CharField(label=_("Thiết bị"), required=False, max_length=200)
    occurred_at = LocalDateTimeField(label=_("Thời điểm xảy ra lỗi"), required=False)
    fault_description = forms.CharField(
        label=_("Mô tả lỗi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
    )
    # Payment block
    paid_at = LocalDateTimeField(label=_("Thời điểm thanh toán"), required=False)
    package = forms.CharField(label=_("Gói cước đã mua"), required=False, max_length=200)
    method = forms.CharField(label=_("Phương thức thanh toán"), required=False, max_length=200)
    amount_vnd = AmountField(label=_("Số tiền (₫)"), required=False)
    transaction_ref = forms.CharField(label=_("Mã giao dịch"), required=False, max_length=200)
    attachments = MultipleFileField(
        label=_("Tệp đính kèm (ảnh, bản quét thư, video, PDF)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (c.code, str(c)) for c in Category.objects.filter(active=True).select_related("parent")
        ]
        lookup = {
            "hx-get": reverse("web:customer_lookup"),
            "hx-trigger": "input changed delay:400ms, search",
            "hx-target": "#lookup",
            "hx-include": "#id_phone, #id_name",
            "hx-sync": "this:replace",
            "autocomplete": "off",
        }
        self.fields["phone"].widget.attrs.update({**lookup, "inputmode": "tel", "type": "tel"})
        self.fields["name"].widget.attrs.update(lookup)
        self.fields["email"].widget.attrs.update({"type": "email"})
        self.fields["received_at"].widget.attrs.update({"placeholder": "dd/mm/yyyy hh:mm"})
        for name in ("occurred_at", "paid_at"):
            self.fields[name].widget.attrs.update({"placeholder": "dd/mm/yyyy hh:mm"})
        self.fields["amount_vnd"].widget.attrs.update(
            {"inputmode": "numeric", "placeholder": "120.000"}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("phone", "email", "account_id")):
            self.add_error(
                "phone",
                _("Cần ít nhất một cách liên hệ khách hàng: điện thoại, email hoặc tài khoản."),
            )
        return data

    def to_payload(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channel": d["channel"],
            "kind": d["kind"],
            "received_at": d.get("received_at"),
            "customer": {
                "name": d.get("name", ""),
                "phone": d.get("phone", ""),
                "email": d.get("email", ""),
                "account_id": d.get("account_id", ""),
                "address": d.get("address", ""),
                "vulnerable": bool(d.get("vulnerable")),
            },
            "subject": d["subject"],
            "description": d.get("description", ""),
            "category": d.get("category", ""),
            "priority": d["priority"],
            "vulnerable": bool(d.get("vulnerable")),
            "account": {
                "account_name": d.get("account_name", ""),
                "registered_phone": d.get("registered_phone", ""),
                "registered_email": d.get("registered_email", ""),
                "facebook_account": d.get("facebook_account", ""),
            },
            "content": {
                "title": d.get("content_title", ""),
                "episode": d.get("episode", ""),
                "device": d.get("device", ""),
                "occurred_at": d.get("occurred_at"),
                "fault_description": d.get("fault_description", ""),
            },
            "payment": {
                "paid_at": d.get("paid_at"),
                "package": d.get("package", ""),
                "method": d.get("method", ""),
                "amount_vnd": d.get("amount_vnd"),
                "transaction_ref": d.get("transaction_ref", ""),
            },
        }


# Where a service's field name lands on the intake form.
INTAKE_FIELD_MAP = {
    "customer": "phone",
    "customer.phone": "phone",
    "customer.phones": "phone",
    "customer.name": "name",
    "customer.email": "email",
    "customer.address": "address",
    "customer.account_id": "account_id",
    "account.account_name": "account_name",
    "account.registered_phone": "registered_phone",
    "account.registered_email": "registered_email",
    "account.facebook_account": "facebook_account",
    "content.title": "content_title",
    "content.episode": "episode",
    "content.device": "device",
    "content.occurred_at": "occurred_at",
    "content.fault_description": "fault_description",
    "payment.paid_at": "paid_at",
    "payment.package": "package",
    "payment.method": "method",
    "payment.amount_vnd": "amount_vnd",
    "payment.transaction_ref": "transaction_ref",
    "file": "attachments",
}


# The complaint page renders several action forms with the same department and user lists:
# read them once per few seconds (core.memo; cleared by web.apps signals on any change here).
choice_lists: TtlMemo[list[tuple[str, str]]] = TtlMemo("web choice lists")


def _department_choices() -> list[tuple[str, str]]:
    return choice_lists.get(
        "departments",
        lambda: [("", "—")] + [(d.code, d.name) for d in Department.objects.filter(active=True)],
    )


def _user_choices() -> list[tuple[str, str]]:
    def load() -> list[tuple[str, str]]:
        users = User.objects.filter(is_active=True).order_by("username")[:500]
        return [("", "—")] + [(u.username, f"{u.display_name} ({u.username})") for u in users]

    return choice_lists.get("users", load)


class TaskForm(Form):
    department = forms.ChoiceField(label=_("Phòng ban"), choices=_department_choices)
    title = forms.CharField(label=_("Việc cần làm"), max_length=300)
    instructions = forms.CharField(
        label=_("Hướng dẫn"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ChoiceField(label=_("Người thực hiện"), required=False, choices=_user_choices)
    due_at = LocalDateTimeField(label=_("Hạn (dd/mm/yyyy hh:mm)"), required=False)


class TaskUpdateForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices)
    result = forms.CharField(
        label=_("Kết quả"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def submit_key_field() -> forms.CharField:
    """The page's one-time key (``core.formvalues.new_submit_key``): the same form sent twice
    (a double click, a browser resend) is recorded — and sent to the customer — once."""
    return forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        validators=[RegexValidator(SUBMIT_KEY_PATTERN)],
    )


class MessageForm(Form):
    KINDS = [("out", _("Gửi khách hàng")), ("in", _("Khách hàng gửi đến"))]
    direction = forms.ChoiceField(label=_("Chiều"), choices=KINDS, initial="out")
    body = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    submit_key = submit_key_field()


class NoteForm(Form):
    body = forms.CharField(
        label=_("Ghi chú nội bộ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    submit_key = submit_key_field()


class AssignForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.ChoiceField(
        label=_("Phòng ban phụ trách"), required=False, choices=_department_choices
    )
    assignee = forms.ChoiceField(label=_("Người phụ trách"), required=False, choices=_user_choices)


class AttachmentForm(Form):
    VISIBILITY = [("internal", _("Nội bộ")), ("public", _("Khách hàng xem được"))]
    file = forms.FileField(label=_("Tệp đính kèm"))
    visibility = forms.ChoiceField(
        label=_("Phạm vi"), choices=VISIBILITY, initial="internal", required=False
    )


def action_form_class(transition: Transition) -> type[forms.Form]:
    """A form for one lifecycle action, built from its ``Transition.inputs``."""
    i = lang_index()
    fields: dict[str, forms.Field] = {"version": forms.IntegerField(widget=forms.HiddenInput)}
    for item in transition.inputs:
        label = item.label_en if i else item.label_vi
        if item.kind == "choice":
            labels = CHOICE_LABELS.get(item.name, {})
            choices = [(c, labels[c][i] if c in labels else c) for c in item.choices]
            fields[item.name] = forms.ChoiceField(
                label=label, required=item.required, choices=[("", "—"), *choices]
            )
        elif item.kind == "bool":
            fields[item.name] = forms.ChoiceField(
                label=label,
                required=item.required,
                choices=[("", "—"), ("yes", _("Có")), ("no", _("Không"))],
            )
        elif item.name == "department":
            fields[item.name] = forms.ChoiceField(
                label=label, required=item.required, choices=_department_choices
            )
        elif item.name == "channel":
            fields[item.name] = forms.ChoiceField(
                label=label, required=item.required, choices=[("", "—"), *Channel.choices]
            )
        else:
            widget = (
                forms.Textarea(attrs={"rows": 2}) if item.name in LONG_INPUTS else forms.TextInput
            )
            fields[item.name] = forms.CharField(
                label=label, required=item.required, widget=widget, max_length=20000
            )
    return type(f"{transition.action.value.title()}Form", (Form,), fields)


def action_inputs(transition: Transition, cleaned: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the lifecycle expects them (bools as True/False, blanks dropped)."""
    out: dict[str, Any] = {}
    for item in transition.inputs:
        value = cleaned.get(item.name)
        if item.kind == "bool":
            if value in ("yes", "no"):
                out[item.name] = value == "yes"
        elif value not in (None, ""):
            out[item.name] = value
    return out
