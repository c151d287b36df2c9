"""Start pages: my work, the department board, the leadership view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from complaintdesk.accounts.models import Department
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.core.clock import utcnow
from complaintdesk.web import selectors
from complaintdesk.web.forms import TaskUpdateForm
from complaintdesk.web.views.common import require


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    user = require(request, "complaint.view")
    now = utcnow()
    work = selectors.my_work(user, now)
    return render(request, "web/my_work.html", {"work": work, "now": now})


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Tasks of a department. Staff and heads see their own; leadership and admins pick one."""
    user = require(request, "task.update")
    departments = list(Department.objects.filter(active=True))
    department = user.department
    wanted = request.GET.get("department", "")
    can_pick = has_capability(user, "board.any_department")
    if wanted and can_pick:
        department = next((d for d in departments if d.code == wanted), None)
        if department is None:
            raise PermissionDenied
    data = selectors.department_board(user, department)
    forms = {
        t.pk: TaskUpdateForm(
            initial={"version": t.version, "status": t.status, "result": t.result},
            auto_id=f"t{t.pk}_%s",
        )
        for t in data.open_tasks
    }
    return render(
        request,
        "web/board.html",
        {
            "board": data,
            "departments": departments,
            "can_pick": can_pick,
            "task_forms": forms,
            "now": utcnow(),
        },
    )


@login_required
def leadership(request: HttpRequest) -> HttpResponse:
    user = require(request, "leadership.view")
    data = selectors.leadership_overview(user, utcnow())
    return render(request, "web/leadership.html", {"data": data})
