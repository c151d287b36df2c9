"""Checking uploads by their content, not their name; cleaning up files left by rollbacks."""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import filetype
from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage

from complaintdesk.complaints.messages import msg
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import ValidationFailed

ALLOWED_MIME = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/tiff",
    "image/bmp",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/3gpp",
    "application/pdf",
    "audio/mpeg",
    "audio/x-wav",
    "audio/ogg",
    "audio/mp4",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/tiff": "tif",
    "image/bmp": "bmp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
    "audio/mpeg": "mp3",
    "audio/x-wav": "wav",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
}
ATTACHMENTS_DIR = "attachments"


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    mime: str
    sha256: str


def safe_name(name: str, ext: str) -> str:
    """The name to show: the original stem, cleaned, with the extension of the real type."""
    base = unicodedata.normalize("NFC", name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100] or "tep"
    return f"{stem}.{ext}"


def inspect_upload(*, name: str, content: bytes) -> CheckedUpload:
    """Refuse an empty, oversized or unaccepted file, judging its type by its first bytes
    (magic numbers): a program renamed ``anh.jpg`` is refused, a PNG named ``scan.exe`` is
    accepted and shown as ``scan.png``."""
    if not content:
        raise ValidationFailed({"file": msg("file_empty")})
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise ValidationFailed({"file": msg("file_too_large", max=max(1, limit // (1024 * 1024)))})
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else "unknown"
    if mime not in ALLOWED_MIME:
        raise ValidationFailed({"file": msg("file_type", type=mime)})
    return CheckedUpload(
        name=safe_name(name, EXTENSIONS[mime]),
        mime=mime,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _walk(storage: Storage, path: str) -> list[str]:
    dirs, files = storage.listdir(path)
    out = [posixpath.join(path, f) for f in files]
    for d in dirs:
        out.extend(_walk(storage, posixpath.join(path, d)))
    return out


def sweep_orphaned_files(
    *, now: datetime | None = None, older_than: timedelta = timedelta(hours=6)
) -> list[str]:
    """Delete stored attachment files that no attachment row points to.

    They are left when a caller's outer transaction rolled back after ``attachment_add`` had
    stored its file, or when the process died between storing and committing. Only files older
    than ``older_than`` are touched, so an upload still in its transaction is never removed.
    Returns the names deleted. Meant to run daily.
    """
    now = now or utcnow()
    attachment = apps.get_model("complaints", "Attachment")
    storage: Storage = attachment._meta.get_field("file").storage
    if not storage.exists(ATTACHMENTS_DIR):
        return []
    deleted: list[str] = []
    complaint_dirs, _ = storage.listdir(ATTACHMENTS_DIR)
    for complaint_dir in complaint_dirs:
        root = posixpath.join(ATTACHMENTS_DIR, complaint_dir)
        known = set(
            attachment.objects.filter(file__startswith=f"{root}/").values_list("file", flat=True)
        )
        for name in _walk(storage, root):
            if name in known:
                continue
            try:
                modified = storage.get_modified_time(name)
            except (NotImplementedError, OSError):
                continue
            if modified < now - older_than:
                storage.delete(name)
                deleted.append(name)
    return deleted
