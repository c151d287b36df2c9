"""Bearer tokens, the api_token command, session + CSRF, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.accounts.models import ApiToken, User
from complaintdesk.api.tests.util import BASE, intake_body
from complaintdesk.complaints.models import Complaint
from complaintdesk.core.clock import utcnow


def _command(*args):
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_api_token_command_creates_user_and_token_that_authenticates(org):
    token, note = _command("zalo-bridge", "--create", "--role", "receiver", "--department", "cskh")

    user = User.objects.get(username="zalo-bridge")
    assert (user.role, user.department.code, user.has_usable_password()) == (
        "receiver",
        "cskh",
        False,
    )
    assert "Created user 'zalo-bridge'" in note
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == ApiToken.hash(token)
    assert token not in {stored.digest, stored.prefix}

    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post(
        f"{BASE}/complaints", intake_body(channel="zalo"), content_type="application/json"
    )
    assert response.status_code == 201
    assert Complaint.objects.get().recorded_by == user
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_api_token_command_refusals(org):
    with pytest.raises(CommandError, match=r"Unknown role 'boss'\. Choose one of: receiver, staff"):
        _command("x", "--create", "--role", "boss")
    with pytest.raises(CommandError, match=r"No user 'ghost'\. Add --create --role ROLE"):
        _command("ghost")
    with pytest.raises(CommandError, match="Unknown department 'marketing'"):
        _command("y", "--create", "--role", "staff", "--department", "marketing")
    with pytest.raises(CommandError, match="--create needs --role"):
        _command("z", "--create")
    assert not User.objects.filter(username__in=["x", "y", "z", "ghost"]).exists()
    token, _note = _command("staff")  # an existing user: just a new token
    assert ApiToken.objects.get(digest=ApiToken.hash(token)).user == org.staff


def test_bad_revoked_or_inactive_tokens_are_401(org):
    token, raw = api_token_issue(user=org.receiver)
    _other, raw_inactive = api_token_issue(user=org.head)
    User.objects.filter(pk=org.head.pk).update(is_active=False)
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)

    for header in (
        f"Bearer {raw}",
        f"Bearer {raw_inactive}",
        "Bearer nope",
        "Basic abc",
        "Bearer",
        "Bearer " + "x" * 5000,
    ):
        response = Client(headers={"Authorization": header}).get(f"{BASE}/complaints")
        assert response.status_code == 401, header
        assert response.json()["code"] == "unauthenticated"


def test_last_used_at_is_written_at_most_once_a_minute(org):
    token, raw = api_token_issue(user=org.receiver)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get(f"{BASE}/complaints")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get(f"{BASE}/complaints")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=utcnow() - timedelta(minutes=2))
    client.get(f"{BASE}/complaints")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_session_needs_csrf_for_unsafe_requests(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.receiver)

    listed = client.get(f"{BASE}/complaints")
    refused = client.post(f"{BASE}/complaints", intake_body(), content_type="application/json")
    client.cookies["csrftoken"] = secret = "k" * 32  # as a page of the web UI would have set it
    wrong = client.post(
        f"{BASE}/complaints",
        intake_body(),
        content_type="application/json",
        headers={"X-CSRFToken": "z" * 32},
    )
    accepted = client.post(
        f"{BASE}/complaints",
        intake_body(),
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )

    assert listed.status_code == 200
    assert refused.status_code == wrong.status_code == 403
    assert refused.json()["detail"] == "Thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại."
    assert accepted.status_code == 201
    assert Complaint.objects.count() == 1


def test_openapi_document_lists_the_endpoints(db):
    response = Client().get(f"{BASE}/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/complaints"]) == {"get", "post"}
    assert set(paths["/api/v1/complaints/{code}"]) == {"get", "patch"}
    assert "post" in paths["/api/v1/complaints/{code}/actions/{action}"]
    assert set(paths["/api/v1/complaints/{code}/notes"]) == {"get", "post"}
    assert "post" in paths["/api/v1/complaints/{code}/messages"]
    assert set(paths["/api/v1/complaints/{code}/tasks"]) == {"get", "post"}
    assert "patch" in paths["/api/v1/complaints/{code}/tasks/{task_id}"]
    assert "post" in paths["/api/v1/complaints/{code}/attachments"]
    assert "get" in paths["/api/v1/complaints/{code}/attachments/{attachment_id}"]
    schemes = response.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert Client().get(f"{BASE}/docs").status_code == 200
