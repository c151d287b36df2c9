"""Force majeure management and the procedure page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaintdesk.force_majeure.models import ForceMajeureEvent

pytestmark = pytest.mark.django_db


def _declare(client, **extra):
    data = {
        "reason": "Bão số 3 làm mất điện diện rộng",
        "starts_at": "01/09/2026 08:00",
        "scope": "all",
        "evidence_url": "https://nchmf.gov.vn/bao-so-3",
        "notify_customers": "on",
    }
    data.update(extra)
    return client.post(reverse("web:force_majeure_declare"), data)


def test_head_declares_leadership_approves_and_ends(client, org):
    client.force_login(org.head)
    assert _declare(client).status_code == 302
    event = ForceMajeureEvent.objects.get()
    assert event.status == "pending"
    page = client.get(reverse("web:force_majeure")).content.decode()
    assert "Bão số 3 làm mất điện diện rộng" in page and "Chờ phê duyệt" in page
    url = reverse("web:force_majeure_operate", args=[event.pk, "approve"])
    assert client.post(url, {"version": event.version}).status_code == 403  # heads may not approve
    client.force_login(org.leadership)
    response = client.post(url, {"version": event.version}, follow=True)
    assert "Đã phê duyệt sự kiện; các thời hạn liên quan tạm dừng." in response.content.decode()
    event.refresh_from_db()
    assert event.status == "approved"
    stale = client.post(
        reverse("web:force_majeure_operate", args=[event.pk, "end"]), {"version": 1}, follow=True
    )
    assert "tải lại" in stale.content.decode() or "reload" in stale.content.decode()
    client.post(
        reverse("web:force_majeure_operate", args=[event.pk, "end"]), {"version": event.version}
    )
    event.refresh_from_db()
    assert event.status == "ended"


def test_declaration_errors_beside_fields(client, org):
    client.force_login(org.head)
    response = _declare(client, reason="", starts_at="32/13/2026", evidence_url="")
    assert response.status_code == 422
    form = response.context["declare_form"]
    assert form.errors["starts_at"] == ["Nhập ngày giờ dạng dd/mm/yyyy hh:mm."]
    assert "reason" in form.errors
    response = _declare(client, evidence_url="")
    assert response.status_code == 422
    assert "evidence_file" in response.context["declare_form"].errors
    assert not ForceMajeureEvent.objects.exists()


def test_receiver_sees_events_but_cannot_declare(client, org):
    client.force_login(org.receiver)
    page = client.get(reverse("web:force_majeure")).content.decode()
    assert "Công bố sự kiện mới" not in page
    assert _declare(client).status_code == 403
    assert (
        client.post(reverse("web:force_majeure_operate", args=[1, "explode"]), {}).status_code
        == 404
    )


def test_procedure_page_shows_configured_steps_and_clocks(client, org):
    client.force_login(org.receiver)
    page = client.get(reverse("web:procedure_view", args=["qcatv"])).content.decode()
    assert "Trả lời bằng văn bản (2 ngày làm việc)" in page  # a configured clock
    assert "steps-flow" in page and "Sơ đồ trạng thái của phiếu" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:procedure_view", args=["qcatv"])).content.decode()
    assert "Complaint states" in page
