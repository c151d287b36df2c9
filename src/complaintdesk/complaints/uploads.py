"""Checking uploads by their content, not their name."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings

from complaintdesk.complaints.messages import msg
from complaintdesk.core.errors import ValidationFailed

ALLOWED_MIME = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/tiff", "image/bmp",
    "video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/3gpp",
    "application/pdf",
    "audio/mpeg", "audio/x-wav", "audio/ogg", "audio/mp4",
}
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "image/heic": "heic", "image/tiff": "tif", "image/bmp": "bmp", "video/mp4": "mp4",
    "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv", "video/3gpp": "3gp",
    "application/pdf": "pdf", "audio/mpeg": "mp3", "audio/x-wav": "wav", "audio/ogg": "ogg",
    "audio/mp4": "m4a",
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    mime: str
    sha256: str


def safe_name(name: str, ext: str) -> str:
    base = unicodedata.normalize("NFC", name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100] or "tep"
    return f"{stem}.{ext}"


def inspect_upload(*, name: str, content: bytes) -> CheckedUpload:
    if not content:
        raise ValidationFailed({"file": msg("file_empty")})
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise ValidationFailed({"file": msg("file_too_large", max=limit // (1024 * 1024))})
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else "unknown"
    if mime not in ALLOWED_MIME:
        raise ValidationFailed({"file": msg("file_type", type=mime)})
    return CheckedUpload(
        name=safe_name(name, EXTENSIONS[mime]),
        mime=mime,
        sha256=hashlib.sha256(content).hexdigest(),
    )
