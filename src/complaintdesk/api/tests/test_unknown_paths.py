"""Unknown paths under /api/v1/ and methods a path does not take answer in the error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from complaintdesk.api.tests.util import BASE


@pytest.mark.parametrize(
    "path",
    ["/nope", "/", "/complaints/KN-2026-000001/unknown/deeper", "/complaints/"],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_paths_are_json_404(org, client_for, path, method):
    response = client_for(org.receiver, lang="en").generic(method, BASE + path)

    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": []}


def test_unknown_path_without_credentials_or_csrf_is_still_json_404(db):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(f"{BASE}/no-such-thing", {"a": 1}, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy."


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/complaints", {"GET", "POST"}),
        ("PUT", "/complaints/KN-2026-000001", {"GET", "PATCH"}),
        ("GET", "/complaints/KN-2026-000001/actions/acknowledge", {"POST"}),
        ("DELETE", "/force-majeure/1", {"GET"}),
        ("GET", "/force-majeure/1/approve", {"POST"}),
        ("POST", "/reports/summary", {"GET"}),
    ],
)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_wrong_methods_are_json_405_with_allow(org, client_for, method, path, allowed, lang):
    response = client_for(org.receiver, lang=lang).generic(method, BASE + path)

    assert response.status_code == 405, response.content[:200]
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
    assert response.json() == {
        "detail": {
            "vi": "Phương thức không được hỗ trợ cho địa chỉ này.",
            "en": "This method is not allowed here.",
        }[lang],
        "code": "method_not_allowed",
        "errors": [],
    }


def test_known_paths_still_work(org, client_for):
    client = client_for(org.receiver)
    assert client.get(f"{BASE}/complaints").status_code == 200
    assert client.get(f"{BASE}/openapi.json").status_code == 200
    assert (
        "/api/v1/force-majeure/{event_id}/approve"
        in client.get(f"{BASE}/openapi.json").json()["paths"]
    )
