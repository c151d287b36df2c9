"""Attachments: judged by content, stored through Django's storage API, never half-written."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, transaction

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Attachment
from complaintdesk.complaints.services import attachment_add
from complaintdesk.complaints.uploads import sweep_orphaned_files
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.journal.models import JournalEntry


def png(colour: bytes = b"\xff\x00\x00") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" + colour))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def complaint(org, complaint_factory):
    return complaint_factory.create(actor=org.receiver)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_picture_named_like_a_program_is_accepted_as_a_picture(org, complaint, media):
    attachment = attachment_add(
        complaint=complaint, actor=org.receiver, name="hoa-don.exe", content=png()
    )
    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "hoa-don.png",
        "image/png",
        len(png()),
    )
    assert attachment.file.read() == png()
    assert stored_files(media) == [media / attachment.file.name]
    entry = JournalEntry.objects.get(complaint_id=complaint.pk, action="attachment.added")
    assert entry.after["sha256"] == attachment.sha256
    assert entry.target == f"attachment:{attachment.pk}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            EXE,
            "Loại tệp không được chấp nhận (application/x-msdownload). Chấp nhận: ảnh, video, PDF.",
        ),
        (
            b"<html><script>alert(1)</script></html>",
            "Loại tệp không được chấp nhận (unknown). Chấp nhận: ảnh, video, PDF.",
        ),
        (b"", "Tệp rỗng."),
    ],
)
def test_program_named_like_a_picture_is_refused(org, complaint, media, content, message):
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(complaint=complaint, actor=org.receiver, name="anh-loi.jpg", content=content)
    assert (refused.value.field, refused.value.message("vi")) == ("file", message)
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_too_large_is_refused_with_the_limit(org, complaint, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    big = PDF + b"0" * (2 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(complaint=complaint, actor=org.receiver, name="scan.pdf", content=big)
    assert refused.value.message("vi") == "Tệp quá lớn (tối đa 2 MB)."
    assert refused.value.message("en") == "File too large (at most 2 MB)."
    assert stored_files(media) == []


def test_same_content_twice_is_one_attachment(org, complaint, media):
    first = attachment_add(complaint=complaint, actor=org.receiver, name="a.png", content=png())
    again = attachment_add(complaint=complaint, actor=org.receiver, name="b.png", content=png())
    assert again.pk == first.pk
    assert len(stored_files(media)) == 1
    assert JournalEntry.objects.filter(action="attachment.added").count() == 1


def test_failure_in_the_transaction_leaves_no_file_and_no_row(org, complaint, media, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("journal unavailable")

    monkeypatch.setattr(services, "journal_append", boom)
    with pytest.raises(RuntimeError):
        attachment_add(complaint=complaint, actor=org.receiver, name="scan.pdf", content=PDF)
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.django_db(transaction=True)
def test_failed_commit_leaves_no_file_and_no_row(org, media, monkeypatch):
    """The commit itself fails (disk full, lost connection): the stored file goes too."""
    from complaintdesk.complaints.tests.factories import ComplaintFactory
    from complaintdesk.procedures.services import procedure_ensure_presets

    procedure_ensure_presets()
    complaint = ComplaintFactory.create(actor=org.receiver)
    connection = transaction.get_connection()

    def broken_commit() -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(connection, "commit", broken_commit)
    with pytest.raises(OperationalError, match="disk is full"):
        attachment_add(complaint=complaint, actor=org.receiver, name="scan.pdf", content=PDF)
    monkeypatch.undo()
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_outer_rollback_leaves_a_file_that_the_sweep_removes(org, complaint, media):
    kept = attachment_add(complaint=complaint, actor=org.receiver, name="kept.pdf", content=PDF)
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment_add(complaint=complaint, actor=org.receiver, name="lost.png", content=png())
        raise RuntimeError("the caller's transaction fails after the upload")
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert len(stored_files(media)) == 2  # the orphan is still there
    assert sweep_orphaned_files(now=utcnow()) == []  # too young to be judged
    removed = sweep_orphaned_files(now=utcnow() + timedelta(days=1))
    assert len(removed) == 1
    assert stored_files(media) == [media / kept.file.name]


def test_attachment_goes_through_the_storage_api(org, complaint, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from django.core.files.storage import default_storage

    attachment = attachment_add(complaint=complaint, actor=org.receiver, name="x.pdf", content=PDF)
    assert default_storage.exists(attachment.file.name)
    assert stored_files(tmp_path) == []
