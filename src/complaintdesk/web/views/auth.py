"""Signing in (with lockout), signing out, and each role's start page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import Role
from complaintdesk.web import lockout
from complaintdesk.web.forms import Form
from complaintdesk.web.views.common import actor

START_PAGES = {
    Role.RECEIVER: "web:my_work",
    Role.STAFF: "web:board",
    Role.HEAD: "web:board",
    Role.LEADERSHIP: "web:leadership",
    Role.ADMIN: "web:complaint_list",
}


class LoginForm(Form):
    username = forms.CharField(label=gettext_lazy("Tên đăng nhập"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu"), widget=forms.PasswordInput, max_length=256
    )


def _locked_message(minutes: int) -> str:
    return _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.") % {
        "minutes": minutes
    }


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        ip = lockout.client_ip(request)
        minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
        if lockout.is_locked(username, ip):
            form.add_error(None, _locked_message(minutes))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                lockout.record_failure(username, ip)
                if lockout.is_locked(username, ip):
                    form.add_error(None, _locked_message(minutes))
                    status = 429
                else:
                    form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
                    status = 401
            else:
                lockout.clear(username, ip)
                login(request, user)
                return HttpResponseRedirect(_next_url(request) or reverse("web:home"))
    return render(
        request, "web/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = str(actor(request).role)
    return redirect(
        START_PAGES.get(Role(role), "web:complaint_list")
        if role in Role.values
        else "web:complaint_list"
    )
