"""The complaint list: filters, quick search, keyset pages, saved filters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.complaints.models import OPEN_STATUS_VALUES
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import NotFound, ValidationFailed
from complaintdesk.web import selectors
from complaintdesk.web.filters import (
    FILTER_FIELDS,
    ComplaintFilterForm,
    apply_filters,
    effective_order,
    paginate,
)
from complaintdesk.web.models import SavedFilter
from complaintdesk.web.services import saved_filter_delete, saved_filter_save
from complaintdesk.web.views.common import lang, require


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    user = require(request, "complaint.view")
    now = utcnow()
    form = ComplaintFilterForm(request.GET or None)
    data = {}
    if form.is_bound:
        form.is_valid()
        # Apply every filter that is valid; the invalid ones are shown beside their field.
        data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    qs = apply_filters(selectors.list_queryset(user), data, now)
    page = paginate(
        qs,
        order=effective_order(data),
        cursor=request.GET.get("cursor", ""),
        statuses=OPEN_STATUS_VALUES if data.get("status") == "open" else None,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "now": now,
        "query": query.urlencode(),
        "has_filters": any(request.GET.get(k) for k in FILTER_FIELDS),
        "saved_filters": SavedFilter.objects.filter(user=user),
        "is_first_page": not request.GET.get("cursor"),
    }
    partial = bool(getattr(request, "htmx", False))
    template = "web/partials/complaint_rows.html" if partial else "web/complaint_list.html"
    return render(request, template, context)


@login_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    user = require(request, "complaint.view")
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_save(actor=user, name=request.POST.get("name", ""), query=query)
    except ValidationFailed as exc:
        index = 1 if lang().startswith("en") else 0
        for pair in exc.errors.values():
            messages.error(request, pair[index])
        return redirect(f"{reverse('web:complaint_list')}?{query}")
    messages.success(request, _("Đã lưu bộ lọc “%(name)s”.") % {"name": saved.name})
    return redirect(f"{reverse('web:complaint_list')}?{saved.query}")


@login_required
@require_POST
def saved_filter_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "complaint.view")
    try:
        saved_filter_delete(actor=user, filter_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Đã xóa bộ lọc."))
    return redirect("web:complaint_list")
