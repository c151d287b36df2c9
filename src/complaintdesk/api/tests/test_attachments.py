"""Attachments: checked by content, size-limited, downloaded only by who may see the complaint."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from complaintdesk.api.tests.util import BASE
from complaintdesk.complaints.models import Attachment, Complaint
from complaintdesk.complaints.tests.factories import ComplaintFactory


def png_bytes(padding: int = 0) -> bytes:
    """A real 1×1 PNG (with an optional text chunk to make it bigger)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    text = chunk(b"tEXt", b"c\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + text
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" * 4
)


def _upload(client, code, name, content, **form):
    return client.post(
        f"{BASE}/complaints/{code}/attachments", {"file": SimpleUploadedFile(name, content), **form}
    )


def test_png_renamed_pdf_is_stored_as_png_and_downloads(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    client = client_for(org.receiver)

    response = _upload(client, complaint.code, "anh-loi.pdf", png_bytes())

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["content_type"] == "image/png"
    assert data["name"] == "anh-loi.png"
    assert data["size"] == len(png_bytes())
    stored = Attachment.objects.get()
    assert stored.content_type == "image/png"
    download = client.get(data["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert 'attachment; filename="anh-loi.png"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == png_bytes()
    detail = client.get(f"{BASE}/complaints/{complaint.code}").json()
    assert [a["name"] for a in detail["attachments"]] == ["anh-loi.png"]


def test_exe_renamed_jpg_is_refused(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)

    response = _upload(client_for(org.receiver), complaint.code, "hoa-don.jpg", EXE)

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "file"
    assert error["code"] == "file_type"
    assert error["message"].startswith("Loại tệp không được chấp nhận (application/x-msdownload).")
    assert Attachment.objects.count() == 0
    assert Complaint.objects.get(pk=complaint.pk).version == 1


@override_settings(ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_too_large_file_is_413(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)

    response = _upload(
        client_for(org.receiver, lang="en"),
        complaint.code,
        "big.png",
        png_bytes(padding=1024 * 1024),
    )

    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "code": "file_too_large", "message": "File too large (at most 1 MB)."}
    ]
    assert Attachment.objects.count() == 0


def test_missing_empty_or_broken_uploads_are_refused(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    client = client_for(org.receiver)
    url = f"{BASE}/complaints/{complaint.code}/attachments"

    missing = client.post(url, {"visibility": "internal"})
    empty = _upload(client, complaint.code, "trong.png", b"")
    bad_visibility = _upload(client, complaint.code, "a.png", png_bytes(), visibility="everyone")
    no_boundary = client.generic("POST", url, b"--x\r\n\r\n", content_type="multipart/form-data")
    truncated = client.generic(
        "POST",
        url,
        b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png_bytes()[:20],
        content_type="multipart/form-data; boundary=XYZ",
    )

    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"
    assert empty.status_code == 422
    assert bad_visibility.status_code == 422
    assert no_boundary.status_code == 400
    assert no_boundary.json()["detail"] == "Tệp tải lên bị lỗi hoặc không đầy đủ."
    # Django drops a part cut off before its boundary: the file is simply missing.
    assert truncated.status_code == 422
    assert truncated.json()["errors"][0]["field"] == "file"
    assert Attachment.objects.count() == 0


def test_download_is_permission_checked(org, client_for):
    complaint = ComplaintFactory.create(actor=org.receiver)
    uploaded = _upload(client_for(org.receiver), complaint.code, "a.png", png_bytes()).json()

    as_staff = client_for(org.staff).get(uploaded["url"])
    unknown = client_for(org.receiver).get(f"{BASE}/complaints/{complaint.code}/attachments/999999")

    assert as_staff.status_code == 404
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Không tìm thấy tệp đính kèm."
