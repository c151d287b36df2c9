"""Signing in and out, lockout, start pages per role, CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _post_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_wrong_password_is_refused_in_vietnamese(client, org):
    response = _post_login(client, "receiver", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_sign_in_leads_to_the_role_start_page(client, org):
    response = _post_login(client, "receiver", "matkhau-123")
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("web:my_work")


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("receiver", "web:my_work"),
        ("staff", "web:board"),
        ("head", "web:board"),
        ("leadership", "web:leadership"),
        ("admin", "web:complaint_list"),
    ],
)
def test_each_role_has_its_start_page(client, org, role, page):
    client.force_login(org.user(role))
    response = client.get(reverse("web:home"))
    assert response.url == reverse(page)
    assert client.get(response.url).status_code == 200


def test_admin_sees_the_admin_link(client, org):
    client.force_login(org.admin)
    assert 'href="/admin/"' in client.get(reverse("web:complaint_list")).content.decode()
    client.force_login(org.receiver)
    assert 'href="/admin/"' not in client.get(reverse("web:my_work")).content.decode()


def test_lockout_after_repeated_failures_per_username(client, org, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for i in range(3):
        _post_login(client, "receiver", "sai", ip=f"10.0.1.{i}")
    # Even the right password is refused while locked, from any address.
    response = _post_login(client, "receiver", "matkhau-123", ip="10.0.9.9")
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user is not affected.
    assert _post_login(client, "staff", "matkhau-123", ip="10.0.9.8").status_code == 302


def test_lockout_per_address(client, org, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for name in ("a", "b", "c"):
        _post_login(client, name, "sai", ip="10.0.2.1")
    assert _post_login(client, "receiver", "matkhau-123", ip="10.0.2.1").status_code == 429
    assert _post_login(client, "receiver", "matkhau-123", ip="10.0.2.2").status_code == 302


def test_lockout_message_in_english(client, org, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client.cookies["django_language"] = "en"
    for _ in range(2):
        response = _post_login(client, "receiver", "sai")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.content.decode()


def test_success_clears_the_count(client, org, settings):
    settings.LOGIN_MAX_FAILURES = 3
    _post_login(client, "receiver", "sai")
    _post_login(client, "receiver", "sai")
    assert _post_login(client, "receiver", "matkhau-123").status_code == 302
    client.post(reverse("web:logout"))
    _post_login(client, "receiver", "sai")
    _post_login(client, "receiver", "sai")
    assert _post_login(client, "receiver", "matkhau-123").status_code == 302


def test_sign_out_needs_post(client, org):
    client.force_login(org.receiver)
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.post(reverse("web:logout")).url == reverse("web:login")
    assert client.get(reverse("web:my_work")).status_code == 302


def test_open_redirect_is_ignored(client, org):
    response = client.post(
        reverse("web:login"),
        {"username": "receiver", "password": "matkhau-123", "next": "https://evil.example/"},
    )
    assert response.url == reverse("web:home")


def test_csrf_is_enforced_on_sign_in_and_actions(org, complaint_factory):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("web:login"), {"username": "receiver", "password": "matkhau-123"}
    )
    assert response.status_code == 403
    complaint = complaint_factory.create(actor=org.receiver)
    client.force_login(org.receiver)
    url = reverse("web:complaint_action", args=[complaint.pk, "acknowledge"])
    assert client.post(url, {"version": complaint.version}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "received"
    # With the token from the page it goes through.
    page = client.get(reverse("web:complaint_detail", args=[complaint.pk]))
    token = page.context["csrf_token"]
    response = client.post(url, {"version": complaint.version, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("web:complaint_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))
