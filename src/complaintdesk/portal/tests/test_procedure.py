"""The published procedure is generated from the configured one."""

from __future__ import annotations

import pytest

from complaintdesk.procedures.selectors import procedure_detail

pytestmark = pytest.mark.django_db


def test_the_published_procedure_shows_the_steps_and_deadlines_the_system_enforces(client):
    page = client.get("/tra-cuu/quy-trinh/qcatv/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "QUY TRÌNH TIẾP NHẬN VÀ GIẢI QUYẾT KHIẾU NẠI KHÁCH HÀNG (TRUYỀN HÌNH CÁP)" in html
    assert "Số 85A/TNKN-THC ngày 03/07/2019" in html
    assert "Tại quầy" in html and "Văn bản" in html
    detail = procedure_detail("qcatv")
    for clock in detail["clocks"]:
        assert clock["label"] in html and clock["duration"] in html
    for step in detail["steps"]:
        assert step["name"] in html


def test_the_default_procedure_is_linked_from_the_tracking_form_and_unknown_ones_are_404(client):
    assert 'href="/tra-cuu/quy-trinh/"' in client.get("/tra-cuu/").content.decode()
    assert client.get("/tra-cuu/quy-trinh/").status_code == 200
    assert client.get("/tra-cuu/quy-trinh/khong-co/").status_code == 404
