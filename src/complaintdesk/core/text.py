"""Text helpers shared by every app: Unicode normalisation and Vietnamese folding."""

from __future__ import annotations

import unicodedata

from complaintdesk.core.jsonbody import clean_string


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str | None, *, max_length: int | None = None) -> str:
    """NFC, strip NUL and surrounding whitespace, a lone surrogate (valid in JSON, not in UTF-8:
    it fails when encoded for the database or a hash) made U+FFFD; optionally truncate."""
    if not text:
        return ""
    out = nfc(clean_string(text)).strip()
    if max_length is not None:
        out = out[:max_length]
    return out


def strip_accents(text: str) -> str:
    """Vietnamese without accents, case kept: "Đã tiếp nhận" → "Da tiep nhan" (đ→d first:
    it has no Unicode decomposition)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(text: str) -> str:
    """Accent-insensitive key: accents stripped, casefolded (see DOMAIN.md)."""
    return strip_accents(text).casefold()
