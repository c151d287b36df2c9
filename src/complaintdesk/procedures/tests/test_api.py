"""/api/v1/procedures: read definitions and versions; administrators validate and publish."""

from __future__ import annotations

import pytest
from django.test import Client

from complaintdesk.accounts.auth import api_token_issue
from complaintdesk.procedures.presets import preset_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(db):
    def make(user, lang: str = "vi") -> Client:
        _token, raw = api_token_issue(user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": lang})

    return make


def test_list_and_detail(org, client_for):
    client = client_for(org.receiver, "en")

    listed = client.get("/api/v1/procedures").json()
    assert [(p["slug"], p["current_version"]) for p in listed] == [
        ("consumer-law", 1),
        ("qcatv", 1),
        ("vieon", 1),
    ]
    detail = client.get("/api/v1/procedures/qcatv").json()
    assert detail["name"] == "Customer complaint intake and resolution (cable TV)"
    assert [c["name"] for c in detail["definition"]["clocks"]] == [
        "written_reply",
        "first_response",
        "handling",
        "escalation",
    ]
    assert [v["version"] for v in detail["versions"]] == [1]
    assert client.get("/api/v1/procedures/khong-co").status_code == 404


def test_a_version_shows_its_source(org, client_for):
    body = client_for(org.receiver).get("/api/v1/procedures/vieon/versions/1").json()

    assert body["source"] == preset_source("vieon")
    assert client_for(org.receiver).get("/api/v1/procedures/vieon/versions/9").status_code == 404


def test_only_administrators_publish(org, client_for):
    payload = {"source": preset_source("vieon").replace("{working_days: 7}", "{working_days: 6}")}

    refused = client_for(org.receiver).post(
        "/api/v1/procedures/vieon/versions", payload, content_type="application/json"
    )
    assert refused.status_code == 403

    published = client_for(org.admin).post(
        "/api/v1/procedures/vieon/versions",
        {**payload, "note": "6 ngày"},
        content_type="application/json",
    )
    assert published.status_code == 201
    assert (published.json()["version"], published.json()["origin"]) == (2, "api")


def test_validation_errors_point_at_the_path(org, client_for):
    source = preset_source("qcatv").replace("target: {hours: 24}", "target: {hours: -24}")

    response = client_for(org.admin, "en").post(
        "/api/v1/procedures/qcatv/validate", {"source": source}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "clocks[1].target.hours",
            "code": "invalid",
            "message": "clocks[1].target.hours: expected a number of hours > 0 and <= 87600",
        }
    ]
    ok = client_for(org.admin).post(
        "/api/v1/procedures/qcatv/validate",
        {"source": preset_source("qcatv")},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["valid"] is True
