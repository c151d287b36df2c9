"""An agent sends a customer notice by hand from the complaint page (small form, POST only)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.permissions import has_capability, scope_complaints
from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import utcnow
from complaintdesk.notifications.domain.templates import CUSTOMER_NOTICES
from complaintdesk.notifications.notices import notice_send_by_hand


def _date(raw: str) -> str:
    """dd/mm/yyyy or the browser's yyyy-mm-dd, shown as dd/mm/yyyy; '' when not a date."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt).strftime("%d/%m/%Y")  # noqa: DTZ007
        except ValueError:
            continue
    return ""


@login_required
@require_POST
def send_notice(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    complaint = scope_complaints(user, Complaint.objects.filter(code=code)).first()  # type: ignore[arg-type]
    if complaint is None:
        raise Http404
    notice = request.POST.get("notice", "")
    if not has_capability(user, "message.send") or notice not in CUSTOMER_NOTICES:  # type: ignore[arg-type]
        messages.error(request, _("Không gửi được thông báo này."))
        return redirect("web:complaint_detail", complaint.pk)
    new_date = _date(request.POST.get("new_date", ""))
    if notice == "more_time" and not new_date:
        messages.error(request, _("Hãy nhập ngày hẹn mới (dd/mm/yyyy)."))
        return redirect("web:complaint_detail", complaint.pk)
    now = utcnow()
    extra = {"reason": (request.POST.get("reason") or "")[:500]}
    if new_date:
        extra["due_date"] = new_date
    row = notice_send_by_hand(
        complaint=complaint,
        actor=user,
        notice=notice,
        dedupe_key=f"manual:{complaint.pk}:{notice}:{complaint.version}:{new_date}",
        now=now,
        context=extra,
    )
    if row is None:
        messages.error(request, _("Không có kênh nào liên lạc được với khách hàng."))
    else:
        messages.success(request, _("Đã xếp thông báo vào hộp thư đi."))
    return redirect("web:complaint_detail", complaint.pk)
