"""Fast HTML for form fields and countdowns.

Django renders every widget (and every <option>) through the template engine, which made a
filter form cost tens of milliseconds; these helpers build the same accessible markup directly:
the label, the help text and the errors are tied to the input with ``aria-describedby``, and a
field with errors carries ``aria-invalid``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from complaintdesk.web.formatting import fmt_datetime

FAST_INPUTS = (
    forms.TextInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.NumberInput,
    forms.DateInput,
)


def _attrs(bf: BoundField, extra: dict[str, Any]) -> dict[str, Any]:
    widget = bf.field.widget
    attrs = bf.build_widget_attrs({**widget.attrs, **extra})
    attrs.setdefault("id", bf.auto_id)
    return {k: v for k, v in attrs.items() if v not in (False, None)}


def _widget(bf: BoundField, extra: dict[str, Any]) -> SafeString:
    widget = bf.field.widget
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        attrs = _attrs(bf, extra)
        value = bf.value()
        current = "" if value is None else str(value)
        # Values and labels are escaped here, so the joined markup is safe.
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) == current else ""}>{escape(label)}</option>'
            for v, label in getattr(bf.field, "choices", [])
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            bf.html_name,
            flatatt(attrs),
            mark_safe(options),  # noqa: S308
        )
    if isinstance(widget, forms.Textarea):
        attrs = _attrs(bf, extra)
        value = bf.value()
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            bf.html_name,
            flatatt(attrs),
            "" if value is None else value,
        )
    if isinstance(widget, FAST_INPUTS):
        attrs = _attrs(bf, extra)
        attrs["type"] = attrs.get("type") or widget.input_type
        value = bf.value()
        if isinstance(widget, forms.PasswordInput) and not widget.render_value:
            value = None
        shown = widget.format_value(value)
        if shown not in (None, ""):
            attrs["value"] = shown
        return format_html('<input name="{}"{}>', bf.html_name, flatatt(attrs))
    return bf.as_widget(attrs=extra)


def field_group(bf: BoundField) -> SafeString:
    """Label, help text, errors and the input of one field."""
    if bf.is_hidden:
        return _widget(bf, {})
    field_id = bf.auto_id
    described: list[str] = []
    help_html = errors_html = ""
    if bf.help_text:
        described.append(f"{field_id}_helptext")
        help_html = format_html(
            '<div class="helptext" id="{}_helptext">{}</div>', field_id, bf.help_text
        )
    if bf.errors:
        described.append(f"{field_id}_errors")
        errors_html = format_html(
            '<ul class="errorlist" id="{}_errors">{}</ul>',
            field_id,
            format_html_join("", "<li>{}</li>", ((e,) for e in bf.errors)),
        )
    extra = {"aria-describedby": " ".join(described)} if described else {}
    label = format_html('<label for="{}">{}</label>', field_id, bf.label) if bf.label else ""
    widget = _widget(bf, extra)
    if isinstance(bf.field.widget, forms.CheckboxInput):
        return format_html(
            '<div class="check">{}{}</div>{}{}', widget, label, help_html, errors_html
        )
    return format_html("{}{}{}{}", label, help_html, errors_html, widget)


def countdown(due: datetime | None, css: str) -> SafeString:
    """A deadline badge; app.js turns it into a live countdown (unless paused or stopped)."""
    if due is None:
        return mark_safe('<span class="clock clock-none">—</span>')
    fixed = mark_safe(' data-fixed="1"') if css in ("paused", "stopped") else ""
    stamp = due.isoformat()
    return format_html(
        '<span class="clock clock-{}"><time class="countdown" datetime="{}" data-due="{}"{}>{}</time></span>',
        css,
        stamp,
        stamp,
        fixed,
        fmt_datetime(due),
    )


def field_row(bf: BoundField, *, wide: bool = False) -> SafeString:
    if bf.is_hidden:
        return _widget(bf, {})
    classes = ["field"]
    if bf.errors:
        classes.append("has-error")
    if bf.field.required:
        classes.append("required")
    if wide:
        classes.append("wide")
    return format_html('<div class="{}">{}</div>', " ".join(classes), field_group(bf))
