"""The journal of one complaint as a readable timeline."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from complaintdesk.complaints.domain import lifecycle
from complaintdesk.web.formatting import (
    action_label,
    choice_label,
    department_name,
    fmt_datetime,
    lang_index,
    state_label,
)

MAX_DETAIL = 300


def _labels() -> dict[str, str]:
    return {
        "complaint.created": _("Đã tạo phiếu tiếp nhận"),
        "complaint.updated": _("Cập nhật thông tin phiếu"),
        "complaint.assigned": _("Phân công xử lý"),
        "note.added": _("Thêm ghi chú nội bộ"),
        "message.in": _("Khách hàng gửi tin"),
        "message.out": _("Gửi tin cho khách hàng"),
        "task.created": _("Giao nhiệm vụ phối hợp"),
        "task.updated": _("Cập nhật nhiệm vụ"),
        "attachment.added": _("Thêm tệp đính kèm"),
        "clock.started": _("Bắt đầu tính thời hạn"),
        "clock.stopped": _("Dừng tính thời hạn"),
        "clock.paused": _("Tạm dừng thời hạn"),
        "clock.resumed": _("Tiếp tục tính thời hạn"),
        "clock.recomputed": _("Tính lại thời hạn"),
        "clock.warned": _("Sắp đến hạn"),
        "clock.breached": _("Quá hạn"),
        "clock.escalated": _("Chuyển cấp do quá hạn"),
        "notice.queued": _("Xếp thông báo gửi khách hàng"),
        "notice.sent": _("Đã gửi thông báo"),
        "notice.failed": _("Gửi thông báo thất bại"),
        "notice.unreachable": _("Không liên lạc được khách hàng"),
        "notice.skipped": _("Không gửi lại thông báo đã gửi"),
        "procedure.priority": _("Nâng mức ưu tiên theo quy trình"),
        "complaint.escalation_level": _("Thay đổi cấp xử lý"),
    }


_DEPARTMENTS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "departments", default=None
)


_CLOCKS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "clocks", default=None
)


def _department(code: str) -> str:
    found = (_DEPARTMENTS.get() or {}).get(code)
    return department_name(found) if found else code


def _input_label(action: str, name: str) -> str:
    try:
        row = lifecycle.transition_for(action)
        return row.input(name).label("en" if lang_index() else "vi")
    except (KeyError, lifecycle.TransitionRefused):
        return name


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _details(action: str, after: dict[str, Any]) -> list[tuple[str, str]]:
    if action.startswith("action."):
        name = action.removeprefix("action.")
        out = []
        for key, value in (after.get("inputs") or {}).items():
            if value in ("", None):
                continue
            if isinstance(value, bool):
                shown = _("Có") if value else _("Không")
            elif key == "department":
                shown = _department(str(value))
            else:
                shown = choice_label(key, str(value))
            out.append((_input_label(name, key), _short(shown)))
        if "status" in after:
            out.append((_("Trạng thái"), state_label(str(after["status"]))))
        return out
    if action in ("note.added", "message.in", "message.out"):
        return [("", _short(after.get("body", "")))]
    if action == "task.created":
        return [
            (_("Phòng ban"), _department(str(after.get("department", "")))),
            (_("Việc cần làm"), _short(after.get("title", ""))),
        ]
    if action == "task.updated":
        out = []
        if after.get("status"):
            from complaintdesk.complaints.models import TaskStatus

            out.append(
                (
                    _("Tình trạng"),
                    str(dict(TaskStatus.choices).get(after["status"], after["status"])),
                )
            )
        if after.get("result"):
            out.append((_("Kết quả"), _short(after["result"])))
        return out
    if action == "attachment.added":
        return [("", str(after.get("name", "")))]
    if action == "complaint.created":
        from complaintdesk.complaints.models import Channel, IdentityKind

        channel = str(after.get("channel", ""))
        out = [(_("Kênh"), str(dict(Channel.choices).get(channel, channel)))]
        kinds = dict(IdentityKind.choices)
        added = ", ".join(
            f"{kinds.get(str(item.get('kind', '')), item.get('kind', ''))}: {item.get('value', '')}"
            for item in after.get("identities_added") or []
            if isinstance(item, dict)
        )
        if after.get("customer_created"):
            out.append((_("Khách hàng mới"), _short(added)))
        elif added:
            out.append((_("Thêm liên hệ của khách hàng"), _short(added)))
        return out
    if action.startswith("clock."):
        name = str(after.get("clock") or "")
        label = (_CLOCKS.get() or {}).get(name) or after.get("label") or name
        out = [(_("Thời hạn"), str(label))]
        if after.get("due_at"):
            out.append((_("Hạn"), fmt_datetime(str(after["due_at"]))))
        explanation = after.get("explanation_en") if lang_index() else after.get("explanation")
        if explanation:
            out.append(("", _short(explanation)))
        return out
    return _generic(after)


def _generic(after: dict[str, Any]) -> list[tuple[str, str]]:
    """Entries written by other apps: their values, in the reader's language where both exist."""
    english = bool(lang_index())
    out = []
    for key, value in after.items():
        if key == "inputs" or key.endswith("_en") or value in ("", None, [], {}):
            continue
        if english and f"{key}_en" in after:
            value = after[f"{key}_en"]
        if (
            isinstance(value, str)
            and len(value) >= 19
            and value[4:5] == "-"
            and value[10:11] == "T"
        ):
            value = fmt_datetime(value)
        out.append((key, _short(value)))
    return out[:6]


def timeline_items(
    entries: Iterable[Any], clock_labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Journal entries as timeline items; ``clock_labels`` names the complaint's clocks."""
    from complaintdesk.accounts.models import Department

    _DEPARTMENTS.set({d.code: d for d in Department.objects.all()})
    _CLOCKS.set(clock_labels or {})
    labels = _labels()
    items = []
    for entry in entries:
        action = entry.action
        if action.startswith("action."):
            label = action_label(action.removeprefix("action."))
        else:
            label = labels.get(action, action)
        actor = entry.actor.display_name if entry.actor_id and entry.actor else entry.actor_label
        if actor == "system":
            actor = _("Hệ thống")
        items.append(
            {
                "at": entry.at,
                "at_text": fmt_datetime(entry.at),
                "label": label,
                "actor": actor,
                "public": entry.public,
                "details": _details(action, entry.after or {}),
                "kind": action.split(".", 1)[0],
            }
        )
    return items
